import type { DomainEvent } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import type { Tx } from '../../platform/db/tx.ts';
import { type DeliveredEvent, type EventHandler, recordEvent } from '../../platform/events/events.ts';
import * as repo from './shop.repo.ts';

export type OrderChange = Extract<DomainEvent, { type: 'order.changed' }>['change'];

/**
 * Records that an order moved, in the transaction that moved it (the outbox: the event exists
 * exactly when the move committed). The buyer's and the shop's notifications and the live
 * `order.updated` frames are made from it after commit (notifications module, `orderFrames`).
 */
export async function recordOrderChange(tx: Tx, order: repo.OrderRow, change: OrderChange, knownShop?: repo.ShopRow) {
  const shop = knownShop ?? (await repo.findShop(tx, order.shop_id));
  if (!shop) return; // a shop is never deleted while it has orders; nothing to tell if it were
  const cancelledBy = change === 'cancelled' && (order.cancel_reason === 'buyer' || order.cancel_reason === 'shop') ? order.cancel_reason : undefined;
  await recordEvent(tx, {
    type: 'order.changed',
    orderId: String(order.id),
    buyerId: String(order.buyer_id),
    shopOwnerId: String(shop.owner_id),
    change,
    ...(cancelledBy && { cancelledBy }),
  });
}

/**
 * Tells the buyer's and the owner's open apps that the order moved, with its status now (read
 * when the frame is made, so a late or repeated delivery never shows an older state).
 */
export const orderFrames: EventHandler<AppContext, 'order.changed'> = {
  name: 'shop.order-frames',
  handle: async (ctx, e: DeliveredEvent<'order.changed'>) => {
    const order = await repo.findOrder(ctx.db, e.orderId);
    if (!order) return;
    const frame = { type: 'order.updated' as const, orderId: e.orderId, status: order.status };
    await Promise.all([...new Set([e.buyerId, e.shopOwnerId])].map((id) => ctx.pubsub.publish(`user:${id}`, frame)));
  },
};
