import { Product, type ShareView } from '@loop/contracts';
import { useState } from 'react';
import { z } from 'zod';
import { UnavailableShareCard } from '../sharing/UnavailableShareCard.tsx';
import { formatPrice } from './price.ts';
import { ProductSheet } from './ProductSheet.tsx';

const Card = z.object({ product: Product });

/** A product shared into a chat: picture, title, price; a tap opens its sheet (bought from the chat). */
export function ProductShareCard({ share, quoted, messageId }: { share: ShareView; quoted?: boolean; messageId?: string }) {
  const parsed = share.status === 'available' ? Card.safeParse(share.card) : null;
  const [open, setOpen] = useState(false);
  if (!parsed?.success) {
    return <UnavailableShareCard title="Product unavailable" reason="It was removed from its shop." />;
  }
  const p = parsed.data.product;
  const price = formatPrice(p.priceMinor, p.currency);
  return (
    <>
      <button type="button" className={`product-card${quoted ? ' product-card--quoted' : ''}`} data-testid="share-card" data-status="available" onClick={() => setOpen(true)} aria-label={`${p.title}, ${price}: open`}>
        {p.imageUrls[0] ? <img className="product-card__image" src={p.imageUrls[0]} alt="" /> : <span className="product-card__image product-card__image--none" aria-hidden="true">🛍</span>}
        <span className="product-card__text">
          <span className="product-card__title user-text">{p.title}</span>
          <span className="product-card__price">{price}</span>
          <span className="product-card__shop user-text">{p.shop.name}</span>
        </span>
      </button>
      {quoted ? null : <ProductSheet productId={open ? p.id : null} source={messageId ? { type: 'message', id: messageId } : null} onClose={() => setOpen(false)} />}
    </>
  );
}
