import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../app/api.ts';
import { QueryView } from '../../app/query-view.tsx';
import { useSession } from '../../app/session.ts';
import { Avatar } from '../../ui/Avatar.tsx';
import { Button, ButtonLink } from '../../ui/Button.tsx';
import { EmptyState } from '../../ui/EmptyState.tsx';
import { Page, TopBar } from '../../ui/Page.tsx';
import { Skeleton } from '../../ui/Skeleton.tsx';
import { TextArea, TextField } from '../../ui/TextField.tsx';
import { UserText } from '../../ui/UserText.tsx';
import { parsePrice } from './price.ts';
import { ProductSheet } from './ProductSheet.tsx';
import { ProductTile } from './ProductTile.tsx';
import { useCreateProduct, useCreateShop, useMessageShop, useMyShops, useShop, useShopProducts } from './shop-api.ts';
import './shop.css';
import { ShopError } from './ShopError.tsx';

/** /shop/:ref — a shop's page: logo, name, description and its products as a grid. Its owner adds products here. */
export function ShopScreen() {
  const { ref = '' } = useParams();
  const shop = useShop(ref);
  const products = useShopProducts(shop.data?.id);
  const session = useSession();
  const mine = session.status === 'signed-in' && shop.data?.owner.id === session.me.user.id;
  const [open, setOpen] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const message = useMessageShop();
  const navigate = useNavigate();
  return (
    <>
      <TopBar title={shop.data?.name ?? 'Shop'} back />
      <Page>
        <QueryView
          query={shop}
          skeleton={<Skeleton height={120} />}
          errorTitle="Couldn’t load this shop"
          renderError={(err) => (err instanceof ApiError && err.status === 404 ? <EmptyState icon="🏬" title="This shop doesn’t exist" /> : undefined)}
        >
          {(s) => (
            <div className="shop-page">
              <header className="shop-page__head">
                {s.logoUrl ? <img className="shop-page__logo" src={s.logoUrl} alt="" /> : <Avatar username={s.handle} name={s.name} src={null} size={64} />}
                <div className="shop-page__names">
                  <h2 className="shop-page__name">
                    <UserText>{s.name}</UserText>
                  </h2>
                  <p className="shop-note">
                    <UserText>@{s.handle}</UserText>
                  </p>
                </div>
              </header>
              {s.description ? <p className="user-text shop-page__description">{s.description}</p> : null}
              <div className="shop-page__actions">
                {mine ? (
                  <>
                    <Button variant="primary" onClick={() => setAdding((a) => !a)}>
                      {adding ? 'Close' : 'Add a product'}
                    </Button>
                    <ButtonLink to={`/shop/${s.handle}/orders`}>Orders</ButtonLink>
                  </>
                ) : session.status === 'signed-in' ? (
                  <Button loading={message.isPending} onClick={() => message.mutate(s.id, { onSuccess: (id) => navigate(`/inbox/${id}`) })}>
                    Message the shop
                  </Button>
                ) : null}
              </div>
              {adding ? <NewProductForm shopId={s.id} onDone={() => setAdding(false)} /> : null}
              <QueryView query={products} skeleton={<Skeleton height={200} />} compact>
                {(items) =>
                  items.length === 0 ? (
                    <EmptyState icon="🛍" title="No products yet" compact>
                      {mine ? 'Add your first product: a title, a price and a picture.' : 'This shop has nothing for sale yet.'}
                    </EmptyState>
                  ) : (
                    <ul className="product-grid" aria-label="Products">
                      {items.map((p) => (
                        <li key={p.id}>
                          <ProductTile product={p} onOpen={() => setOpen(p.id)} />
                        </li>
                      ))}
                    </ul>
                  )
                }
              </QueryView>
              <ProductSheet productId={open} source={{ type: 'shop', id: s.id }} onClose={() => setOpen(null)} />
            </div>
          )}
        </QueryView>
      </Page>
    </>
  );
}

function NewProductForm({ shopId, onDone }: { shopId: string; onDone: () => void }) {
  const create = useCreateProduct(shopId);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [price, setPrice] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [stock, setStock] = useState('10');
  const [image, setImage] = useState<File | null>(null);
  const priceMinor = parsePrice(price, currency);
  return (
    <form
      className="shop-form"
      aria-label="New product"
      onSubmit={(e) => {
        e.preventDefault();
        if (priceMinor === null) return;
        create.mutate({ title, description, priceMinor, currency, stock: Number(stock), image }, { onSuccess: onDone });
      }}
    >
      <TextField label="Title" required maxLength={80} value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextArea label="Description" optional maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="address-form__pair">
        <TextField label="Price" inputMode="decimal" required value={price} onChange={(e) => setPrice(e.target.value)} error={price && priceMinor === null ? 'Write a price such as 15 or 15.50' : null} />
        <TextField label="Currency" required minLength={3} maxLength={3} value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} />
      </div>
      <TextField label="Units in stock" type="number" min={0} required value={stock} onChange={(e) => setStock(e.target.value)} />
      <label className="shop-file">
        <span>Picture (optional)</span>
        <input type="file" accept="image/*" onChange={(e) => setImage(e.target.files?.[0] ?? null)} />
      </label>
      <ShopError error={create.error} />
      <Button type="submit" variant="primary" block loading={create.isPending}>
        Add product
      </Button>
    </form>
  );
}

/** /shop — your shop, or a form to open one. */
export function MyShopScreen() {
  const shops = useMyShops();
  const create = useCreateShop();
  const navigate = useNavigate();
  const [handle, setHandle] = useState('');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <>
      <TopBar title="Your shop" back backTo="/settings" />
      <Page>
        <QueryView query={shops} skeleton={<Skeleton height={120} />}>
          {(list) =>
            list.length > 0 ? (
              <ul className="shop-list" aria-label="Your shops">
                {list.map((s) => (
                  <li key={s.id}>
                    <Link className="shop-list__row" to={`/shop/${s.handle}`}>
                      <UserText>{s.name}</UserText> <span className="shop-note">@{s.handle}</span>
                    </Link>
                  </li>
                ))}
              </ul>
            ) : (
              <form
                className="shop-form"
                aria-label="Open a shop"
                onSubmit={(e) => {
                  e.preventDefault();
                  create.mutate({ handle, name, description }, { onSuccess: (s) => navigate(`/shop/${s.handle}`) });
                }}
              >
                <p className="shop-note">Any account can open a shop: sell products, tag them in your clips, and answer buyers in your inbox.</p>
                <TextField label="Shop name" required maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
                <TextField
                  label="Handle"
                  prefix="@"
                  required
                  minLength={3}
                  maxLength={30}
                  value={handle}
                  onChange={(e) => setHandle(e.target.value)}
                  error={create.error instanceof ApiError ? (create.error.fields.handle ?? null) : null}
                />
                <TextArea label="Description" optional maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} />
                <Button type="submit" variant="primary" block loading={create.isPending}>
                  Open shop
                </Button>
              </form>
            )
          }
        </QueryView>
      </Page>
    </>
  );
}
