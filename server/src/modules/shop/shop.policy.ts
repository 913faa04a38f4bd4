import type { OrderRow, OrderStatus, ShopRow } from './shop.repo.ts';

/** Who may do what with shops and orders, in one place (docs/shop.md "Order states"). */

export const ownsShop = (shop: Pick<ShopRow, 'owner_id'>, userId: string) => String(shop.owner_id) === userId;

/** The buyer and the shop's owner see an order; everybody else gets a 404 as if it did not exist. */
export const mayViewOrder = (order: Pick<OrderRow, 'buyer_id'>, shop: Pick<ShopRow, 'owner_id'>, userId: string) =>
  String(order.buyer_id) === userId || ownsShop(shop, userId);

export type OrderAction = 'cancel' | 'ship' | 'deliver' | 'refund';
export type OrderActor = 'buyer' | 'owner';

/**
 * The order state machine: from which states each person may make each move, and where it
 * leads. Moves are made with a conditional UPDATE on these states, so two racing moves cannot
 * both happen. Paying (pending_payment → paid) and expiry (pending_payment → cancelled) are
 * the payment flow's and the worker's, not a person's.
 */
export const ORDER_MOVES: Record<OrderAction, { to: OrderStatus; from: Record<OrderActor, readonly OrderStatus[]> }> = {
  // The buyer may cancel until the parcel leaves; so may the shop.
  cancel: { to: 'cancelled', from: { buyer: ['pending_payment', 'paid'], owner: ['pending_payment', 'paid'] } },
  ship: { to: 'shipped', from: { buyer: [], owner: ['paid'] } },
  deliver: { to: 'delivered', from: { buyer: [], owner: ['shipped'] } },
  refund: { to: 'refunded', from: { buyer: [], owner: ['paid', 'shipped', 'delivered'] } },
};
