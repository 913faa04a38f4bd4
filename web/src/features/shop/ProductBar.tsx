import { useState } from 'react';
import { formatPrice } from './price.ts';
import { ProductSheet } from './ProductSheet.tsx';
import { useVideoProducts } from './shop-api.ts';

/**
 * "🛍 Mug · €15" on a clip with tagged products (asked for when the clip is on screen). A tap
 * opens the product sheet over the clip; several products scroll sideways.
 */
export function ProductBar({ videoId, active }: { videoId: string; active: boolean }) {
  const products = useVideoProducts(videoId, active);
  const [open, setOpen] = useState<string | null>(null);
  if (!products.data?.length) return null;
  return (
    <>
      <ul className="product-bar" aria-label="Products in this clip">
        {products.data.map((p) => (
          <li key={p.id}>
            <button type="button" className="product-bar__item" onClick={() => setOpen(p.id)} aria-label={`${p.title}, ${formatPrice(p.priceMinor, p.currency)}`}>
              <span aria-hidden="true">🛍</span>
              <span className="product-bar__title">{p.title}</span>
              <span aria-hidden="true">·</span>
              <span className="product-bar__price">{formatPrice(p.priceMinor, p.currency)}</span>
            </button>
          </li>
        ))}
      </ul>
      <ProductSheet productId={open} source={{ type: 'video', id: videoId }} onClose={() => setOpen(null)} />
    </>
  );
}
