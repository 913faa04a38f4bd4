import type { AppContext } from '../../app/context.ts';
import type { OrderRow } from './shop.repo.ts';

/**
 * THE PLACE WHERE ORDER NOTIFICATIONS PLUG IN. Every committed order move calls
 * `orderChanged` (after commit, never inside a transaction). The notifications module (issue:
 * notifications) registers a listener here to tell the buyer "paid / shipped / refunded" and the
 * shop "new order"; the real-time core may push an `order.updated` frame the same way. Until
 * then nothing listens. Listeners must be idempotent and must not throw into the caller.
 */
export type OrderChange = 'created' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded' | 'expired';
export type OrderListener = (ctx: AppContext, order: OrderRow, change: OrderChange) => unknown;

const listeners: OrderListener[] = [];

/** Lets another module react to order moves (notifications, live pinning counters, analytics). */
export function onOrderChanged(listener: OrderListener) {
  listeners.push(listener);
}

export async function orderChanged(ctx: AppContext, order: OrderRow, change: OrderChange) {
  for (const listener of listeners) {
    try {
      await listener(ctx, order, change);
    } catch (err) {
      ctx.log.warn({ err, orderId: order.id, change }, 'order listener failed');
    }
  }
}
