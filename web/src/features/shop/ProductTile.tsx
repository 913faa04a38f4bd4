import type { Product } from '@loop/contracts';
import { formatPrice } from './price.ts';
import './shop.css';

/** A product in a grid (a shop's page, a wishlist): picture, title, price, sold out; opens its sheet. */
export function ProductTile({ product: p, onOpen }: { product: Product; onOpen: () => void }) {
  return (
    <button type="button" className="product-tile" onClick={onOpen} aria-label={`${p.title}, ${formatPrice(p.priceMinor, p.currency)}`}>
      {p.imageUrls[0] ? <img className="product-tile__image" src={p.imageUrls[0]} alt="" /> : <span className="product-tile__image product-tile__image--none" aria-hidden="true">🛍</span>}
      <span className="product-tile__title user-text">{p.title}</span>
      <span className="product-tile__price">
        {formatPrice(p.priceMinor, p.currency)}
        {p.available <= 0 ? ' · Sold out' : ''}
      </span>
    </button>
  );
}
