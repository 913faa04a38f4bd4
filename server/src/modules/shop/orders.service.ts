import { type CreateOrderBody, Id, type Order } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { inTransaction, type Tx } from '../../platform/db/tx.ts';
import { runIdempotent } from '../../platform/idempotency/idempotency.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { type OrderChange, recordOrderChange } from './order-events.ts';
import { mayViewOrder, ORDER_MOVES, type OrderAction, type OrderActor, ownsShop } from './shop.policy.ts';
import { presentNewOrder, toOrderView, toOrderViews } from './shop.presenter.ts';
import { getUserViews } from '../accounts/index.ts';
import * as repo from './shop.repo.ts';
import { requireShop } from './shops.service.ts';

/** Orders and inventory (docs/shop.md "Orders"): reserve on create, release on expiry or cancel, deduct on shipping. */

/** A string that names a row (in the bigint range): anything else is a 404 without a query. */
const isId = (id: string) => Id.safeParse(id).success;

/** The order and its shop if the viewer is its buyer or the shop's owner; otherwise 404. */
export async function loadVisibleOrder(ctx: AppContext, userId: string, id: string) {
  const order = isId(id) ? await repo.findOrder(ctx.db, id) : undefined;
  if (!order) throw notFound('order');
  const shop = await repo.findShop(ctx.db, String(order.shop_id));
  if (!shop || !mayViewOrder(order, shop, userId)) throw notFound('order');
  return { order, shop };
}

export async function getOrder(ctx: AppContext, userId: string, id: string) {
  const { order } = await loadVisibleOrder(ctx, userId, id);
  return { order: await toOrderView(ctx, order) };
}

/**
 * POST /orders: reserves the units and records the order in one transaction, under the buyer's
 * Idempotency-Key (the same key and body give the same answer; another body is a 422).
 */
export async function createOrder(ctx: AppContext, buyerId: string, key: string, body: CreateOrderBody) {
  const answer = await runIdempotent(ctx.db, { userId: buyerId, scope: 'orders.create', key, request: body }, async () => ({
    status: 201,
    body: { order: await placeOrder(ctx, buyerId, key, body) },
  }));
  return answer;
}

const outOfStock = () => new AppError('out_of_stock', 409, 'Not enough units left of one of these products');

/**
 * Checks the lines without locking anything (products exist, one shop, one currency, units
 * available now — a sold-out product answers 409 here without queueing for its row lock), then
 * writes the order, its lines and its expiry job, and reserves the units last, in the same
 * transaction. The reservation alone decides (see `reserveUnits`); the early check only spares
 * the work when the answer is already known.
 */
async function placeOrder(ctx: AppContext, buyerId: string, key: string, body: CreateOrderBody): Promise<Order> {
  // Repeated lines for one product draw on the same stock: they are reserved as their sum.
  const wanted = new Map<string, number>();
  for (const item of body.items) wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
  const found = await repo.findProductsWithShop(ctx.db, [...wanted.keys()]);
  const products = new Map(found.map((f) => [String(f.product.id), f.product]));
  const missing = [...wanted.keys()].find((id) => !products.has(id));
  if (missing) throw new AppError('product_not_found', 404, `items: no such product ${missing}`, { field: 'items' });
  const rows = [...products.values()];
  if (new Set(rows.map((p) => String(p.shop_id))).size > 1) throw badInput('items', 'all products of one order must come from one shop');
  if (new Set(rows.map((p) => p.currency)).size > 1) throw badInput('items', 'all products of one order must have the same currency');
  const shop = found[0]!.shop;
  if (ownsShop(shop, buyerId)) throw new AppError('own_shop', 409, 'You cannot buy from your own shop');
  const lines = [...wanted].map(([productId, quantity]) => ({ productId, quantity, priceMinor: products.get(productId)!.price_minor }));
  if (lines.some((l) => products.get(l.productId)!.stock - products.get(l.productId)!.reserved < l.quantity)) throw outOfStock();
  const total = lines.reduce((sum, l) => sum + BigInt(l.priceMinor) * BigInt(l.quantity), 0n);

  const placed = await inTransaction(ctx.db, async (tx) => {
    const row = await repo.insertOrderOnce(tx, {
      buyer_id: buyerId,
      shop_id: String(shop.id),
      total_minor: total.toString(),
      currency: rows[0]!.currency,
      source_type: body.source?.type ?? null,
      source_id: body.source?.id ?? null,
      shipping_address: body.shippingAddress,
      idempotency_key: key,
      reservationMs: ctx.config.shop.reservationMs,
    });
    // The key's record was lost but the order exists (a crash after commit): that order again.
    if (!row) return { existing: true as const, row: (await repo.findOrderByKey(tx, buyerId, key))! };
    const items = lines.map((l) => ({ order_id: String(row.id), product_id: l.productId, quantity: l.quantity, price_minor: l.priceMinor, title: products.get(l.productId)!.title }));
    await repo.insertOrderItems(tx, items);
    // The worker releases the units if the order is still unpaid when the reservation ends.
    await enqueue(tx, { kind: 'order.expire', orderId: String(row.id) }, { delayMs: ctx.config.shop.reservationMs, maxAttempts: 10 });
    if ((await repo.reserveUnits(tx, lines)) < lines.length) {
      const now = await repo.findProducts(tx, [...wanted.keys()]);
      if (now.some((p) => p.price_minor !== products.get(String(p.id))!.price_minor)) throw new AppError('price_changed', 409, 'The price changed; look again before buying');
      throw outOfStock();
    }
    await recordOrderChange(tx, row, 'created');
    return { existing: false as const, row, items };
  });
  if (placed.existing) return toOrderView(ctx, placed.row);
  // Everything the answer shows is known here: no need to read it back.
  const [buyer] = (await getUserViews(ctx, [buyerId])).values();
  return presentNewOrder(placed.row, buyer!, shop, placed.items, products);
}

/** The buyer's orders, newest first. */
export async function listMyOrders(ctx: AppContext, buyerId: string, q: { cursor?: string; limit: number }) {
  return listOrderPage(ctx, { buyerId }, { list: 'my-orders', viewer: buyerId }, q);
}

/** A shop's orders, for its owner only (anyone else: 404, as if the shop had none to show). */
export async function listShopOrders(ctx: AppContext, userId: string, shopId: string, q: { cursor?: string; limit: number }) {
  const shop = await requireShop(ctx, shopId);
  if (!ownsShop(shop, userId)) throw notFound('shop');
  return listOrderPage(ctx, { shopId }, { list: `shop-orders:${shopId}`, viewer: userId }, q);
}

async function listOrderPage(ctx: AppContext, by: { buyerId: string } | { shopId: string }, scope: { list: string; viewer: string }, q: { cursor?: string; limit: number }) {
  const after = decodeCursor(scope, q.cursor, 1);
  const rows = await repo.listOrders(ctx.db, by, after ? String(after[0]) : null, q.limit + 1);
  const views = new Map((await toOrderViews(ctx, rows)).map((o) => [o.id, o]));
  const page = toPage(scope, rows, q.limit, (r) => views.get(String(r.id)), (r) => [String(r.id)]);
  return { items: page.items.filter((o) => o !== undefined), nextCursor: page.nextCursor };
}

/**
 * A person's move on an order (cancel, ship, deliver, refund). The move and its stock and
 * payment consequences are one transaction; money goes back through the refund job after
 * commit (no provider call inside a transaction). A move the state does not allow is a 409.
 */
export async function moveOrderAs(ctx: AppContext, userId: string, orderId: string, action: OrderAction) {
  const { order, shop } = await loadVisibleOrder(ctx, userId, orderId);
  const actor: OrderActor = ownsShop(shop, userId) ? 'owner' : 'buyer';
  const move = ORDER_MOVES[action];
  const from = move.from[actor];
  if (from.length === 0) throw new AppError('not_allowed', 403, `Only the shop may ${action} an order`);
  const moved = await inTransaction(ctx.db, async (tx) => {
    const row = await repo.moveOrder(tx, orderId, from, move.to, action === 'cancel' ? { cancel_reason: actor === 'buyer' ? 'buyer' : 'shop' } : {});
    if (!row) return null;
    if (action === 'ship') await repo.deductShippedUnits(tx, orderId);
    if (action === 'cancel' || action === 'refund') {
      // Before shipping the units are still reserved; after it, a refund puts them back on the shelf.
      const released = await repo.releaseUnits(tx, orderId);
      if (!released && action === 'refund') await repo.restockUnits(tx, orderId);
      await refundCapturedPayments(tx, orderId);
    }
    await recordOrderChange(tx, row, move.to as OrderChange);
    return row;
  });
  if (!moved) {
    const now = await repo.findOrder(ctx.db, orderId);
    throw new AppError('order_state_conflict', 409, `An order that is ${now?.status ?? order.status} cannot be moved this way (${action})`);
  }
  return { order: await toOrderView(ctx, moved) };
}

/** Marks the order's captured payments for refund and asks the worker to give them back. */
export async function refundCapturedPayments(tx: Tx, orderId: string) {
  for (const paymentId of await repo.markCapturedForRefund(tx, orderId)) {
    await enqueue(tx, { kind: 'payment.refund', paymentId }, { maxAttempts: 10 });
  }
}

/**
 * The `order.expire` job: an order still unpaid when its reservation ends is cancelled and its
 * units released. A payment that succeeds later is refunded (checkout.service.ts).
 */
export async function expireOrder(ctx: AppContext, orderId: string) {
  const expired = await inTransaction(ctx.db, async (tx) => {
    const row = await repo.moveOrder(tx, orderId, ['pending_payment'], 'cancelled', { cancel_reason: 'expired', onlyIfExpired: true });
    if (!row) return null;
    await repo.releaseUnits(tx, orderId);
    await recordOrderChange(tx, row, 'expired');
    return row;
  });
  if (expired) return;
  const now = await repo.findOrder(ctx.db, orderId);
  // Still pending and not yet due (a clock step): try again later.
  if (now?.status === 'pending_payment') throw new Error(`order ${orderId} is not due to expire yet`);
}

/** What a notification about an order names: the shop, and what was bought. */
export interface OrderSummary {
  shopName: string;
  /** The first line's title, and how many other lines there are. */
  firstTitle: string;
  otherLines: number;
}

export async function findOrderSummary(ctx: AppContext, orderId: string): Promise<OrderSummary | null> {
  const order = await repo.findOrder(ctx.db, orderId);
  if (!order) return null;
  const [shop, items] = await Promise.all([repo.findShop(ctx.db, order.shop_id), repo.orderItems(ctx.db, [orderId])]);
  const lines = items.get(orderId) ?? [];
  if (!shop || lines.length === 0) return null;
  return { shopName: shop.name, firstTitle: lines[0]!.title, otherLines: lines.length - 1 };
}
