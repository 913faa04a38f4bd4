import { Order, type ShareView } from '@loop/contracts';
import { Link } from 'react-router';
import { z } from 'zod';
import { UnavailableShareCard } from '../sharing/UnavailableShareCard.tsx';
import { ORDER_STATUS_LABEL } from './order-status.ts';
import { formatPrice } from './price.ts';

const Card = z.object({ order: Order.pick({ id: true, status: true, totalMinor: true, currency: true, shop: true, items: true, createdAt: true }) });

/** An order in a shop chat (only its buyer and the shop see it): what, how much, where it stands. */
export function OrderShareCard({ share }: { share: ShareView }) {
  const parsed = share.status === 'available' ? Card.safeParse(share.card) : null;
  if (!parsed?.success) {
    return <UnavailableShareCard title="Order unavailable" reason="Only the buyer and the shop see an order." />;
  }
  const o = parsed.data.order;
  const what = o.items.map((i) => `${i.quantity} × ${i.product.title}${i.variant ? ` (${i.variant.label})` : ''}`).join(', ');
  return (
    <Link className="product-card order-card" to={`/orders/${o.id}`} data-testid="share-card" data-status="available" aria-label={`Order: ${what}, ${ORDER_STATUS_LABEL[o.status]}`}>
      <span className="product-card__image product-card__image--none" aria-hidden="true">
        📦
      </span>
      <span className="product-card__text">
        <span className="product-card__title user-text">{what}</span>
        <span className="product-card__price">{formatPrice(o.totalMinor, o.currency)}</span>
        <span className={`order-status order-status--${o.status}`}>{ORDER_STATUS_LABEL[o.status]}</span>
      </span>
    </Link>
  );
}
