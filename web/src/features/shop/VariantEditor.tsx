import { type Product, type ProductVariant, variantLabel } from '@loop/contracts';
import { useState } from 'react';
import { describeError } from '../../app/api.ts';
import { Button } from '../../ui/Button.tsx';
import { TextField } from '../../ui/TextField.tsx';
import { parsePrice } from './price.ts';
import { useAddVariant, useUpdateVariant } from './shop-api.ts';
import { ShopError } from './ShopError.tsx';

/**
 * The owner's variants of a product (in its sheet): each one's units on hand, and a form for a
 * new one (one or two options such as Size and Colour, its units, optionally its own price).
 */
export function VariantEditor({ product }: { product: Product }) {
  return (
    <section className="variant-editor" aria-label="Variants">
      <h3 className="variant-editor__title">Variants</h3>
      {product.variants.length ? (
        <ul className="variant-editor__list">
          {product.variants.map((v) => (
            <li key={v.id}>
              <VariantStock productId={product.id} variant={v} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="shop-note">No variants: buyers buy the product itself. Add sizes or colours, each with its own stock.</p>
      )}
      <NewVariant product={product} />
    </section>
  );
}

function VariantStock({ productId, variant: v }: { productId: string; variant: ProductVariant }) {
  const update = useUpdateVariant(productId);
  const [stock, setStock] = useState(String(v.stock ?? 0));
  return (
    <form
      className="variant-editor__row"
      aria-label={`Variant ${variantLabel(v.options)}`}
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ variantId: v.id, stock: Number(stock) });
      }}
    >
      <span className="variant-editor__name user-text">
        {variantLabel(v.options)} <span className="shop-note">· {v.reserved ?? 0} reserved</span>
      </span>
      <TextField label="Stock" type="number" min={0} required value={stock} onChange={(e) => setStock(e.target.value)} error={update.isError ? describeError(update.error) : null} />
      <Button type="submit" loading={update.isPending}>
        Save
      </Button>
    </form>
  );
}

function NewVariant({ product }: { product: Product }) {
  const add = useAddVariant(product.id);
  // New variants name the same options as the first one (Size, Colour…).
  const names = product.variants[0] ? Object.keys(product.variants[0].options) : ['Size', ''];
  const [first, setFirst] = useState(names[0] ?? 'Size');
  const [second, setSecond] = useState(names[1] ?? '');
  const [firstValue, setFirstValue] = useState('');
  const [secondValue, setSecondValue] = useState('');
  const [stock, setStock] = useState('10');
  const [price, setPrice] = useState('');
  const priceMinor = price.trim() ? parsePrice(price, product.currency) : null;
  return (
    <form
      className="shop-form"
      aria-label="New variant"
      onSubmit={(e) => {
        e.preventDefault();
        if (price.trim() && priceMinor === null) return;
        const options: Record<string, string> = { [first.trim()]: firstValue.trim() };
        if (second.trim() && secondValue.trim()) options[second.trim()] = secondValue.trim();
        add.mutate({ options, stock: Number(stock), ...(priceMinor !== null && { priceMinor }) }, {
          onSuccess: () => {
            setFirstValue('');
            setSecondValue('');
          },
        });
      }}
    >
      <div className="address-form__pair">
        <TextField label="Option" required maxLength={30} value={first} onChange={(e) => setFirst(e.target.value)} />
        <TextField label="Value" required maxLength={40} value={firstValue} onChange={(e) => setFirstValue(e.target.value)} placeholder="M" />
      </div>
      <div className="address-form__pair">
        <TextField label="Second option" optional maxLength={30} value={second} onChange={(e) => setSecond(e.target.value)} placeholder="Colour" />
        <TextField label="Value" optional maxLength={40} value={secondValue} onChange={(e) => setSecondValue(e.target.value)} placeholder="Black" />
      </div>
      <div className="address-form__pair">
        <TextField label="Units in stock" type="number" min={0} required value={stock} onChange={(e) => setStock(e.target.value)} />
        <TextField
          label="Own price"
          optional
          inputMode="decimal"
          value={price}
          onChange={(e) => setPrice(e.target.value)}
          error={price.trim() && priceMinor === null ? 'Write a price such as 15 or 15.50' : null}
        />
      </div>
      <ShopError error={add.error} />
      <Button type="submit" variant="primary" block loading={add.isPending}>
        Add variant
      </Button>
    </form>
  );
}
