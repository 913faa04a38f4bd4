import { type CreateOrderBody, Id, type Order, type User, variantLabel } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { inTransaction, type Tx } from '../../platform/db/tx.ts';
import { isKeyKnown, runIdempotent } from '../../platform/idempotency/idempotency.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { type OrderChange, recordOrderChange } from './order-events.ts';
import { mayViewOrder, ORDER_MOVES, type OrderAction, type OrderActor, ownsShop } from './shop.policy.ts';
import { presentNewOrder, toOrderView, toOrderViews } from './shop.presenter.ts';
import { getUserViews } from '../accounts/index.ts';
import * as repo from './shop.repo.ts';
import { requireShop } from './shops.service.ts';
import { soldOutMarks, unitsMayBeBack, type WantedLine } from './sold-out.ts';

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
 *
 * A buyer of a product this node knows to be sold out (sold-out.ts) is refused before the key is
 * claimed — unless the key is already known, since a replay of a key that created an order must
 * get that order even now the product is gone. `out_of_stock` created nothing and may not hold
 * after a restock, so it is never stored under the key (a retry runs again).
 */
export async function createOrder(ctx: AppContext, buyerId: string, key: string, body: CreateOrderBody) {
  const marks = soldOutMarks(ctx);
  // Taken before anything is read: a mark from a read older than a clear is not kept.
  const since = marks.now;
  const lines = wantedLines(body);
  const call = { userId: buyerId, scope: 'orders.create', key, request: body };
  if (marks.refuses(lines) && !(await isKeyKnown(ctx.db, call))) throw outOfStock();
  return runIdempotent(
    ctx.db,
    call,
    async (claimed) => {
      // The key's last holder died: if its order committed, that order is the answer, sold out or not.
      const made = claimed === 'taken-over' ? await repo.findOrderByKey(ctx.db, buyerId, key) : undefined;
      return { status: 201, body: { order: made ? await toOrderView(ctx, made) : await placeOrder(ctx, buyerId, key, body, lines, since) } };
    },
    { forget: (err) => err.code === 'out_of_stock' },
  );
}

const outOfStock = () => new AppError('out_of_stock', 409, 'Not enough units left of one of these products');

/** Repeated lines for one product (or one variant) draw on the same stock: they are reserved as their sum. */
function wantedLines(body: CreateOrderBody): WantedLine[] {
  const wanted = new Map<string, WantedLine>();
  for (const item of body.items) {
    const k = `${item.productId}:${item.variantId ?? ''}`;
    const line = wanted.get(k) ?? { productId: item.productId, variantId: item.variantId ?? null, quantity: 0 };
    line.quantity += item.quantity;
    wanted.set(k, line);
  }
  return [...wanted.values()];
}

/**
 * Checks the lines without locking anything (products exist, one shop, one currency, units
 * available now — a sold-out product answers 409 here without queueing for its row lock), then
 * writes the order, its lines and its expiry job, and reserves the units last, in the same
 * transaction. The reservation alone decides (see `reserveUnits`); the early check and the
 * sold-out marks only spare the work when the answer is already known. A refusal for stock marks
 * the lines that were short, as of `since` (sold-out.ts).
 */
async function placeOrder(ctx: AppContext, buyerId: string, key: string, body: CreateOrderBody, wanted: WantedLine[], since: number): Promise<Order> {
  const marks = soldOutMarks(ctx);
  const productIds = [...new Set(wanted.map((l) => l.productId))];
  // Checked again at each step that waits for the pool, once the connection is in hand: in a
  // burst, the product may have sold out while this buyer queued.
  const found = await ctx.db.connection().execute(async (db) => {
    if (marks.refuses(wanted)) throw outOfStock();
    return repo.findProductsWithShop(db, productIds);
  });
  const products = new Map(found.map((f) => [String(f.product.id), f.product]));
  const variants = new Map(found.map((f) => [String(f.product.id), f.variants]));
  const missing = productIds.find((id) => !products.has(id));
  if (missing) throw new AppError('product_not_found', 404, `items: no such product ${missing}`, { field: 'items' });
  const rows = [...products.values()];
  if (new Set(rows.map((p) => String(p.shop_id))).size > 1) throw badInput('items', 'all products of one order must come from one shop');
  if (new Set(rows.map((p) => p.currency)).size > 1) throw badInput('items', 'all products of one order must have the same currency');
  const shop = found[0]!.shop;
  if (ownsShop(shop, buyerId)) throw new AppError('own_shop', 409, 'You cannot buy from your own shop');
  const lines = wanted.map((l) => {
    const product = products.get(l.productId)!;
    const own = variants.get(l.productId) ?? [];
    if (l.variantId === null) {
      if (own.length) throw new AppError('variant_required', 400, `items: product ${l.productId} has variants; name one (variantId)`, { field: 'items' });
      return { ...l, priceMinor: product.price_minor, availableNow: product.stock - product.reserved, label: null };
    }
    const v = own.find((x) => String(x.id) === l.variantId);
    if (!v) throw new AppError('variant_not_found', 404, `items: product ${l.productId} has no variant ${l.variantId}`, { field: 'items' });
    return { ...l, priceMinor: v.price_minor ?? product.price_minor, availableNow: v.stock - v.reserved, label: variantLabel(v.options) };
  });
  const short = lines.filter((l) => l.availableNow < l.quantity);
  if (short.length) {
    for (const l of short) marks.mark(l, l.availableNow, since);
    throw outOfStock();
  }
  const total = lines.reduce((sum, l) => sum + BigInt(l.priceMinor) * BigInt(l.quantity), 0n);

  let buyerView: Promise<Map<string, User>> | undefined;
  const placed = await inTransaction(
    ctx.db,
    async (tx) => {
      // The answer shows the buyer: asked for now, on another connection, rather than after COMMIT
      // at the back of the pool's queue (in a burst that queue is every other buyer's).
      buyerView = getUserViews(ctx, [buyerId]);
      buyerView.catch(() => undefined); // a rollback leaves it unread
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
      const items = lines.map((l) => ({
        order_id: String(row.id),
        product_id: l.productId,
        variant_id: l.variantId,
        variant_label: l.label,
        quantity: l.quantity,
        price_minor: l.priceMinor,
        title: products.get(l.productId)!.title,
      }));
      await repo.insertOrderItems(tx, items);
      // The worker releases the units if the order is still unpaid when the reservation ends.
      await enqueue(tx, { kind: 'order.expire', orderId: String(row.id) }, { delayMs: ctx.config.shop.reservationMs, maxAttempts: 10 });
      // The outbox row goes in before the reservation (it rolls back with it if there are too few
      // units): after the reservation the hot row stays locked only until COMMIT.
      await recordOrderChange(tx, row, 'created', shop);
      const reserved = await repo.reserveUnits(tx, lines);
      if (reserved.size < lines.length) {
        const nowProducts = await repo.findProducts(tx, productIds);
        const nowVariants = await repo.variantsOf(tx, productIds);
        const now = (l: (typeof lines)[number]) => {
          const p = nowProducts.find((x) => String(x.id) === l.productId);
          const v = l.variantId ? nowVariants.get(l.productId)?.find((x) => String(x.id) === l.variantId) : undefined;
          const row = l.variantId ? v : p;
          return { price: v?.price_minor ?? p?.price_minor, left: row ? row.stock - row.reserved : 0 };
        };
        if (lines.some((l) => now(l).price !== l.priceMinor)) throw new AppError('price_changed', 409, 'The price changed; look again before buying');
        // Only the lines the UPDATE could not reserve: a reserved line reads this transaction's own
        // reservation, its units as they will be again after the rollback less its quantity.
        for (const l of lines) if (!reserved.has(repo.reservedLineKey(l)) && now(l).left < l.quantity) marks.mark(l, now(l).left, since);
        throw outOfStock();
      }
      return { existing: false as const, row, items };
    },
    undefined,
    // Sold out while this request waited for a connection: given up before BEGIN, nothing written.
    {
      beforeBegin: () => {
        if (marks.refuses(lines)) throw outOfStock();
      },
    },
  );
  if (placed.existing) return toOrderView(ctx, placed.row);
  // Everything the answer shows is known here: no need to read it back.
  const [buyer] = (await buyerView!).values();
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
      await unitsBackAfterCommit(ctx, tx, orderId);
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

/** The order's units are back on the shelf once `tx` commits: every node drops its sold-out marks of them. */
async function unitsBackAfterCommit(ctx: AppContext, tx: Tx, orderId: string) {
  const productIds = ((await repo.orderItems(tx, [orderId])).get(orderId) ?? []).map((i) => String(i.product_id));
  tx.afterCommit(() => unitsMayBeBack(ctx, productIds));
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
    await unitsBackAfterCommit(ctx, tx, orderId);
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
