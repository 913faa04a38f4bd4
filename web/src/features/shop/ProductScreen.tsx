import { useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { ProductDetails } from './ProductSheet.tsx';
import { useProduct } from './shop-api.ts';
import './shop.css';

/** /p/:id — a product's page (the server adds its Open Graph tags for link previews). */
export function ProductScreen() {
  const { id = '' } = useParams();
  const product = useProduct(id);
  return (
    <>
      <TopBar title={product.data?.title ?? 'Product'} back />
      <Page>
        <QueryView
          query={product}
          skeleton={<Skeleton height={320} />}
          errorTitle="Couldn’t load this product"
          renderError={(err) =>
            err instanceof ApiError && (err.status === 404 || err.status === 400) ? (
              <EmptyState icon="🛍" title="This product isn’t available">
                It may have been removed from its shop.
              </EmptyState>
            ) : undefined
          }
        >
          {(p) => <ProductDetails product={p} source={{ type: 'shop', id: p.shop.id }} />}
        </QueryView>
      </Page>
    </>
  );
}
