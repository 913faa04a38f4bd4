import { type Generated, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface ShopsTable {
  id: Generated<string>;
  owner_id: string;
  handle: string;
  name: string;
  description: Generated<string>;
  logo_key: string | null;
  created_at: Generated<Date>;
}
export interface ProductsTable {
  id: Generated<string>;
  shop_id: string;
  title: string;
  description: Generated<string>;
  price_minor: string;
  currency: string;
  stock: number;
  reserved: Generated<number>;
  image_keys: Generated<string[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface VideoProductsTable {
  video_id: string;
  product_id: string;
  position: number;
}
export type OrderStatus = 'pending_payment' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';
export interface OrdersTable {
  id: Generated<string>;
  buyer_id: string;
  shop_id: string;
  status: Generated<OrderStatus>;
  holds_stock: Generated<boolean>;
  total_minor: string;
  currency: string;
  source_type: 'video' | 'live' | 'message' | 'shop' | null;
  source_id: string | null;
  shipping_address: unknown;
  idempotency_key: string;
  cancel_reason: string | null;
  expires_at: Date;
  created_at: Generated<Date>;
  paid_at: Date | null;
  shipped_at: Date | null;
  updated_at: Generated<Date>;
}
export interface ProductVariantsTable {
  id: Generated<string>;
  product_id: string;
  /** Option name → value, e.g. { Size: 'M' } (jsonb: its keys in jsonb's order, not the owner's). */
  options: Record<string, string>;
  /** The option names in the owner's order (migration 0019). */
  option_names: string[];
  price_minor: string | null;
  stock: number;
  reserved: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface OrderItemsTable {
  order_id: string;
  product_id: string;
  variant_id: string | null;
  variant_label: string | null;
  quantity: number;
  price_minor: string;
  title: string;
}
export type PaymentStatus = 'created' | 'processing' | 'authorized' | 'captured' | 'failed' | 'cancelled' | 'refund_pending' | 'refunded';
export interface PaymentsTable {
  id: Generated<string>;
  order_id: string;
  provider: string;
  provider_ref: string | null;
  method: string;
  status: Generated<PaymentStatus>;
  amount_minor: string;
  currency: string;
  capture_claimed: Generated<boolean>;
  failure_reason: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export interface PaymentEventsTable {
  provider: string;
  event_id: string;
  received_at: Generated<Date>;
}

export interface ShippingAddressesTable {
  user_id: string;
  address: unknown;
  updated_at: Generated<Date>;
}

export interface ShopConversationsTable {
  shop_id: string;
  buyer_id: string;
  conversation_id: string;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    shop_conversations: ShopConversationsTable;
    shipping_addresses: ShippingAddressesTable;
    shops: ShopsTable;
    products: ProductsTable;
    product_variants: ProductVariantsTable;
    video_products: VideoProductsTable;
    orders: OrdersTable;
    order_items: OrderItemsTable;
    payments: PaymentsTable;
    payment_events: PaymentEventsTable;
  }
}

export type ShopRow = Selectable<ShopsTable>;
export type ProductRow = Selectable<ProductsTable>;
export type VariantRow = Selectable<ProductVariantsTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type PaymentRow = Selectable<PaymentsTable>;

const isUniqueViolation = (err: unknown) => (err as { code?: string })?.code === '23505';

// ---- shops ----

/** The new shop, or null when the handle is taken. */
export async function insertShop(db: Executor, s: { owner_id: string; handle: string; name: string; description: string }): Promise<ShopRow | null> {
  try {
    return await db.insertInto('shops').values(s).returningAll().executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

export const findShop = (db: Executor, id: string) => db.selectFrom('shops').selectAll().where('id', '=', id).executeTakeFirst();
export const findShopByHandle = (db: Executor, handle: string) => db.selectFrom('shops').selectAll().where('handle', '=', handle).executeTakeFirst();
export const findShops = (db: Executor, ids: readonly string[]) => (ids.length ? db.selectFrom('shops').selectAll().where('id', 'in', ids).execute() : Promise.resolve([]));
export const listShopsOwnedBy = (db: Executor, ownerId: string) => db.selectFrom('shops').selectAll().where('owner_id', '=', ownerId).orderBy('id').execute();

export async function updateShop(db: Executor, id: string, patch: { name?: string; description?: string; logo_key?: string | null }) {
  if (Object.keys(patch).length === 0) return findShop(db, id);
  return db.updateTable('shops').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

// ---- products ----

export const insertProduct = (
  db: Executor,
  p: { shop_id: string; title: string; description: string; price_minor: number; currency: string; stock: number },
) => db.insertInto('products').values({ ...p, price_minor: String(p.price_minor) }).returningAll().executeTakeFirstOrThrow();

export const findProduct = (db: Executor, id: string) => db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
/**
 * Products with their shop and their variants, in one read (what an order checks before it
 * writes: one round trip, as before variants existed — the order path runs a thousand at once on
 * a hot product).
 */
export async function findProductsWithShop(db: Executor, ids: readonly string[]): Promise<Array<{ product: ProductRow; shop: ShopRow; variants: VariantStock[] }>> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('products as p')
    .innerJoin('shops as s', 's.id', 'p.shop_id')
    .selectAll('p')
    .select(['s.owner_id as shop_owner_id', 's.handle as shop_handle', 's.name as shop_name', 's.description as shop_description', 's.logo_key as shop_logo_key', 's.created_at as shop_created_at'])
    .select(
      sql<JsonVariant[] | string>`(SELECT coalesce(json_agg(json_build_object('id', v.id::text, 'options', v.options, 'option_names', v.option_names, 'price_minor', v.price_minor::text, 'stock', v.stock, 'reserved', v.reserved) ORDER BY v.id), '[]') FROM product_variants v WHERE v.product_id = p.id)`.as(
        'variants',
      ),
    )
    .where('p.id', 'in', ids)
    .execute();
  return rows.map(({ shop_owner_id, shop_handle, shop_name, shop_description, shop_logo_key, shop_created_at, variants, ...product }) => ({
    product,
    shop: { id: product.shop_id, owner_id: shop_owner_id, handle: shop_handle, name: shop_name, description: shop_description, logo_key: shop_logo_key, created_at: shop_created_at },
    variants: (typeof variants === 'string' ? (JSON.parse(variants) as JsonVariant[]) : variants).map(inOwnersOrder),
  }));
}
/** A variant as an order checks it (what it is, its price and units): no product id or timestamps, which the order path never reads. */
export type VariantStock = Pick<VariantRow, 'id' | 'options' | 'price_minor' | 'stock' | 'reserved'>;
type JsonVariant = VariantStock & Pick<VariantRow, 'option_names'>;

export const findProducts = (db: Executor, ids: readonly string[]) =>
  ids.length ? db.selectFrom('products').selectAll().where('id', 'in', ids).execute() : Promise.resolve([] as ProductRow[]);

/** A page of a shop's products, newest first (keyset on id). */
export function listShopProducts(db: Executor, shopId: string, beforeId: string | null, limit: number) {
  let q = db.selectFrom('products').selectAll().where('shop_id', '=', shopId);
  if (beforeId) q = q.where('id', '<', beforeId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Changes a product. Setting `stock` (units on hand) below the units reserved by open orders is
 * refused by the same statement (null), so a reservation never ends up larger than the stock.
 */
export async function updateProduct(
  db: Executor,
  id: string,
  patch: { title?: string; description?: string; price_minor?: number; currency?: string; stock?: number; image_keys?: string[] },
): Promise<ProductRow | null> {
  const { price_minor, ...rest } = patch;
  let q = db
    .updateTable('products')
    .set({ ...rest, ...(price_minor !== undefined && { price_minor: String(price_minor) }), updated_at: sql`now()` })
    .where('id', '=', id);
  if (patch.stock !== undefined) q = q.where('reserved', '<=', patch.stock);
  return (await q.returningAll().executeTakeFirst()) ?? null;
}

// ---- variants ----

type VariantFields = { options: Record<string, string>; price_minor: number | null; stock: number };

/**
 * A variant's options as the owner gave them: jsonb reorders an object's keys, so the order is kept
 * beside them (`option_names`) and every read rebuilds the object in it (names it lacks go last).
 */
function inOwnersOrder<R extends { options: Record<string, string>; option_names: readonly string[] }>(r: R): R {
  const names = [...new Set([...r.option_names, ...Object.keys(r.options)])].filter((n) => Object.hasOwn(r.options, n));
  return { ...r, options: Object.fromEntries(names.map((n) => [n, r.options[n]!])) };
}
/** The columns that store `options`: the object (its equality ignores order, for the unique index) and the owner's order. */
const optionColumns = (options: Record<string, string>) => ({ options: JSON.stringify(options) as never, option_names: Object.keys(options) });

/** Adds variants to a product; null when two of them (or one and an existing one) have the same options. */
export async function insertVariants(db: Executor, productId: string, rows: readonly VariantFields[]): Promise<VariantRow[] | null> {
  if (!rows.length) return [];
  try {
    return await db
      .insertInto('product_variants')
      .values(rows.map((v) => ({ product_id: productId, ...optionColumns(v.options), price_minor: v.price_minor === null ? null : String(v.price_minor), stock: v.stock })))
      .returningAll()
      .execute()
      .then((made) => made.map(inOwnersOrder));
  } catch (err) {
    if (isUniqueViolation(err)) return null;
    throw err;
  }
}

/** Each product's variants, oldest first. */
export async function variantsOf(db: Executor, productIds: readonly string[]): Promise<Map<string, VariantRow[]>> {
  const out = new Map<string, VariantRow[]>(productIds.map((id) => [id, []]));
  if (!productIds.length) return out;
  const rows = await db.selectFrom('product_variants').selectAll().where('product_id', 'in', productIds).orderBy('product_id').orderBy('id').execute();
  for (const r of rows) out.get(String(r.product_id))?.push(inOwnersOrder(r));
  return out;
}

/**
 * Changes one variant of a product. Like products, `stock` below the units reserved is refused by
 * the same statement: 'below_reserved'. Options another variant has: 'duplicate'. No such variant: null.
 */
export async function updateVariant(
  db: Executor,
  productId: string,
  variantId: string,
  patch: Partial<VariantFields>,
): Promise<VariantRow | null | 'below_reserved' | 'duplicate'> {
  const set = {
    ...(patch.options !== undefined && optionColumns(patch.options)),
    ...(patch.price_minor !== undefined && { price_minor: patch.price_minor === null ? null : String(patch.price_minor) }),
    ...(patch.stock !== undefined && { stock: patch.stock }),
    updated_at: sql<Date>`now()`,
  };
  let q = db.updateTable('product_variants').set(set).where('id', '=', variantId).where('product_id', '=', productId);
  if (patch.stock !== undefined) q = q.where('reserved', '<=', patch.stock);
  try {
    const row = await q.returningAll().executeTakeFirst();
    if (row) return inOwnersOrder(row);
  } catch (err) {
    if (isUniqueViolation(err)) return 'duplicate';
    throw err;
  }
  const exists = await db.selectFrom('product_variants').select('id').where('id', '=', variantId).where('product_id', '=', productId).executeTakeFirst();
  return exists ? 'below_reserved' : null;
}

// ---- clips' product tags ----

export async function replaceVideoProducts(db: Executor, videoId: string, productIds: readonly string[]) {
  await db.deleteFrom('video_products').where('video_id', '=', videoId).execute();
  if (productIds.length) await db.insertInto('video_products').values(productIds.map((product_id, position) => ({ video_id: videoId, product_id, position }))).execute();
}

/** The products tagged on each clip, in the order the author gave. */
export async function videoProductIds(db: Executor, videoIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(videoIds.map((id) => [id, []]));
  if (!videoIds.length) return out;
  const rows = await db.selectFrom('video_products').select(['video_id', 'product_id']).where('video_id', 'in', videoIds).orderBy('video_id').orderBy('position').execute();
  for (const r of rows) out.get(String(r.video_id))?.push(String(r.product_id));
  return out;
}

// ---- reservations ----

/**
 * Reserves `quantity` units of each product so that no interleaving can oversell. One product
 * (the usual order) is ONE conditional statement:
 *   UPDATE products SET reserved = reserved + q WHERE id = $1 AND stock - reserved >= q AND price_minor = $p
 * PostgreSQL re-checks the WHERE on the newest row version after any concurrent reservation
 * commits, and the CHECK constraint `reserved <= stock` backs it. Several products are first
 * locked in id order (`SELECT … ORDER BY id FOR NO KEY UPDATE`, so two orders for the same products never
 * deadlock), then updated in one statement against rows nobody else can change meanwhile. (A
 * single UPDATE with a `FOR UPDATE` sub-select is NOT used: under READ COMMITTED its re-check can
 * skip a row that another reservation just changed, and a product with units left answers 409.)
 * A line for a variant works the same on `product_variants` (its own units; its own price, or the
 * product's). The price must still be the one the order was priced at; lines are one per product
 * or variant. Returns the lines that were reserved (`reservedLineKey`): fewer than asked means
 * too few units (or a new price), and the caller rolls back.
 *
 * Callers run it LAST before COMMIT: the row lock on a hot product is then held for one round
 * trip, not for the whole order's inserts.
 */
export async function reserveUnits(tx: Executor, lines: ReadonlyArray<ReserveLine>): Promise<Set<string>> {
  if (lines.length === 1) {
    const [l] = lines;
    const res = l!.variantId
      ? // A variant: the same one statement on its own row (its price, or the product's when it has none).
        await sql<{ id: string }>`
      UPDATE product_variants v SET reserved = v.reserved + ${l!.quantity}, updated_at = now()
       WHERE v.id = ${l!.variantId} AND v.product_id = ${l!.productId} AND v.stock - v.reserved >= ${l!.quantity}
         AND COALESCE(v.price_minor, (SELECT p.price_minor FROM products p WHERE p.id = v.product_id)) = ${l!.priceMinor}
      RETURNING v.id`.execute(tx)
      : await sql<{ id: string }>`
      UPDATE products SET reserved = reserved + ${l!.quantity}, updated_at = now()
       WHERE id = ${l!.productId} AND stock - reserved >= ${l!.quantity} AND price_minor = ${l!.priceMinor}
      RETURNING id`.execute(tx);
    return new Set(res.rows.length ? [reservedLineKey(l!)] : []);
  }
  const plain = lines.filter((l) => !l.variantId);
  const variants = lines.filter((l) => l.variantId);
  // Locks in one global order (products by id, then variants by id), so two orders never deadlock.
  // NO KEY UPDATE, the lock the UPDATE itself takes: FOR UPDATE would also wait on the KEY SHARE
  // locks that order_items' foreign key checks hold on these rows, in any order (a deadlock).
  const reserved = new Set<string>();
  if (plain.length) {
    const ids = plain.map((l) => l.productId);
    await sql`SELECT id FROM products WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR NO KEY UPDATE`.execute(tx);
  }
  if (variants.length) {
    await sql`SELECT id FROM product_variants WHERE id = ANY(${variants.map((l) => l.variantId)}::bigint[]) ORDER BY id FOR NO KEY UPDATE`.execute(tx);
  }
  if (plain.length) {
    const res = await sql<{ id: string }>`
    UPDATE products p
       SET reserved = p.reserved + w.quantity, updated_at = now()
      FROM unnest(${plain.map((l) => l.productId)}::bigint[], ${plain.map((l) => l.quantity)}::int[], ${plain.map((l) => l.priceMinor)}::bigint[]) AS w(id, quantity, price_minor)
     WHERE p.id = w.id AND p.stock - p.reserved >= w.quantity AND p.price_minor = w.price_minor
    RETURNING p.id`.execute(tx);
    for (const r of res.rows) reserved.add(reservedLineKey({ productId: String(r.id), variantId: null }));
  }
  if (variants.length) {
    const res = await sql<{ id: string; product_id: string }>`
    UPDATE product_variants v
       SET reserved = v.reserved + w.quantity, updated_at = now()
      FROM unnest(${variants.map((l) => l.variantId)}::bigint[], ${variants.map((l) => l.productId)}::bigint[], ${variants.map((l) => l.quantity)}::int[], ${variants.map((l) => l.priceMinor)}::bigint[])
           AS w(id, product_id, quantity, price_minor)
      JOIN products p ON p.id = w.product_id
     WHERE v.id = w.id AND v.product_id = w.product_id AND v.stock - v.reserved >= w.quantity AND COALESCE(v.price_minor, p.price_minor) = w.price_minor
    RETURNING v.id, v.product_id`.execute(tx);
    for (const r of res.rows) reserved.add(reservedLineKey({ productId: String(r.product_id), variantId: String(r.id) }));
  }
  return reserved;
}

/** How `reserveUnits` names a line it reserved (lines are one per product or variant). */
export const reservedLineKey = (l: Pick<ReserveLine, 'productId' | 'variantId'>) => (l.variantId ? `variant:${l.variantId}` : `product:${l.productId}`);

/** One line to reserve: a product's own units, or one variant's (then `variantId` is set). */
export interface ReserveLine {
  productId: string;
  variantId: string | null;
  quantity: number;
  priceMinor: string;
}

/** Gives an order's reserved units back (cancel, expiry, refund before shipping). Once only: conditional on `holds_stock`. */
export async function releaseUnits(tx: Executor, orderId: string): Promise<boolean> {
  const held = await tx.updateTable('orders').set({ holds_stock: false }).where('id', '=', orderId).where('holds_stock', '=', true).returning('id').executeTakeFirst();
  if (!held) return false;
  await sql`
    UPDATE products p SET reserved = p.reserved - oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND p.id = oi.product_id AND oi.variant_id IS NULL`.execute(tx);
  await sql`
    UPDATE product_variants v SET reserved = v.reserved - oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND v.id = oi.variant_id`.execute(tx);
  return true;
}

/** Shipping: the reserved units leave the shelf (stock and reserved both fall). Once only. */
export async function deductShippedUnits(tx: Executor, orderId: string): Promise<boolean> {
  const held = await tx.updateTable('orders').set({ holds_stock: false }).where('id', '=', orderId).where('holds_stock', '=', true).returning('id').executeTakeFirst();
  if (!held) return false;
  await sql`
    UPDATE products p SET reserved = p.reserved - oi.quantity, stock = p.stock - oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND p.id = oi.product_id AND oi.variant_id IS NULL`.execute(tx);
  await sql`
    UPDATE product_variants v SET reserved = v.reserved - oi.quantity, stock = v.stock - oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND v.id = oi.variant_id`.execute(tx);
  return true;
}

/** A refund after shipping: the units come back to the shelf. */
export async function restockUnits(tx: Executor, orderId: string) {
  await sql`
    UPDATE products p SET stock = p.stock + oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND p.id = oi.product_id AND oi.variant_id IS NULL`.execute(tx);
  await sql`
    UPDATE product_variants v SET stock = v.stock + oi.quantity, updated_at = now()
      FROM order_items oi WHERE oi.order_id = ${orderId} AND v.id = oi.variant_id`.execute(tx);
}

// ---- orders ----

export const findOrderByKey = (db: Executor, buyerId: string, key: string) =>
  db.selectFrom('orders').selectAll().where('buyer_id', '=', buyerId).where('idempotency_key', '=', key).executeTakeFirst();

/** Inserts the order, or returns null when this buyer already has one under this idempotency key. */
export async function insertOrderOnce(db: Executor, o: Parameters<typeof insertOrder>[1]): Promise<OrderRow | null> {
  const { reservationMs, ...row } = o;
  return (
    (await db
      .insertInto('orders')
      .values({ ...row, shipping_address: JSON.stringify(row.shipping_address), cancel_reason: null, paid_at: null, shipped_at: null, expires_at: sql<Date>`now() + ${`${reservationMs} milliseconds`}::interval` })
      .onConflict((oc) => oc.columns(['buyer_id', 'idempotency_key']).doNothing())
      .returningAll()
      .executeTakeFirst()) ?? null
  );
}

const insertOrder = (db: Executor, o: Omit<OrdersTable, 'id' | 'status' | 'holds_stock' | 'created_at' | 'updated_at' | 'paid_at' | 'shipped_at' | 'cancel_reason' | 'expires_at'> & { reservationMs: number }) => {
  const { reservationMs, ...row } = o;
  return db
    .insertInto('orders')
    .values({ ...row, shipping_address: JSON.stringify(row.shipping_address), cancel_reason: null, paid_at: null, shipped_at: null, expires_at: sql<Date>`now() + ${`${reservationMs} milliseconds`}::interval` })
    .returningAll()
    .executeTakeFirstOrThrow();
};

export async function insertOrderItems(db: Executor, rows: OrderItemRow[]) {
  await db.insertInto('order_items').values(rows).execute();
}

export const findOrder = (db: Executor, id: string) => db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();

export async function orderItems(db: Executor, orderIds: readonly string[]): Promise<Map<string, OrderItemRow[]>> {
  const out = new Map<string, OrderItemRow[]>(orderIds.map((id) => [id, []]));
  if (!orderIds.length) return out;
  const rows = await db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('product_id').orderBy('variant_id').execute();
  for (const r of rows) out.get(String(r.order_id))?.push(r);
  return out;
}

/** A page of orders, newest first, by buyer or by shop. */
export function listOrders(db: Executor, by: { buyerId: string } | { shopId: string }, beforeId: string | null, limit: number) {
  let q = db.selectFrom('orders').selectAll();
  q = 'buyerId' in by ? q.where('buyer_id', '=', by.buyerId) : q.where('shop_id', '=', by.shopId);
  if (beforeId) q = q.where('id', '<', beforeId);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Moves an order from one of `from` to `to`, in one conditional statement: the row is changed
 * only if its status is still one of `from` when PostgreSQL updates it. Null when it was not.
 */
export async function moveOrder(
  db: Executor,
  id: string,
  from: readonly OrderStatus[],
  to: OrderStatus,
  extra: { cancel_reason?: string; onlyIfExpired?: boolean; onlyIfNotExpired?: boolean } = {},
): Promise<OrderRow | null> {
  let q = db
    .updateTable('orders')
    .set({
      status: to,
      updated_at: sql`now()`,
      ...(extra.cancel_reason && { cancel_reason: extra.cancel_reason }),
      ...(to === 'paid' && { paid_at: sql`now()` }),
      ...(to === 'shipped' && { shipped_at: sql`now()` }),
    })
    .where('id', '=', id)
    .where('status', 'in', [...from]);
  if (extra.onlyIfExpired) q = q.where('expires_at', '<=', sql<Date>`now()`);
  if (extra.onlyIfNotExpired) q = q.where('expires_at', '>', sql<Date>`now()`);
  return (await q.returningAll().executeTakeFirst()) ?? null;
}

// ---- payments ----

export const insertPayment = (db: Executor, p: { order_id: string; provider: string; method: string; amount_minor: string; currency: string }) =>
  db.insertInto('payments').values({ ...p, provider_ref: null, failure_reason: null }).returningAll().executeTakeFirstOrThrow();

export const findPayment = (db: Executor, id: string) => db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();

export const findPaymentByRef = (db: Executor, provider: string, ref: string) =>
  db.selectFrom('payments').selectAll().where('provider', '=', provider).where('provider_ref', '=', ref).executeTakeFirst();

export async function setPaymentRef(db: Executor, id: string, ref: string) {
  await db.updateTable('payments').set({ provider_ref: ref, updated_at: sql`now()` }).where('id', '=', id).where('provider_ref', 'is', null).execute();
}

/** Moves a payment from one of `from` to `to` (conditional, like orders). */
export async function movePayment(db: Executor, id: string, from: readonly PaymentStatus[], to: PaymentStatus, failureReason?: string): Promise<PaymentRow | null> {
  return (
    (await db
      .updateTable('payments')
      .set({ status: to, updated_at: sql`now()`, ...(failureReason && { failure_reason: failureReason }) })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .returningAll()
      .executeTakeFirst()) ?? null
  );
}

/** Makes this caller the one that captures (or cancels) an authorised payment: true once per payment. */
export async function claimCapture(db: Executor, id: string): Promise<boolean> {
  const row = await db
    .updateTable('payments')
    .set({ capture_claimed: true, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('capture_claimed', '=', false)
    .where('status', 'in', ['created', 'processing', 'authorized'])
    .returning('id')
    .executeTakeFirst();
  return Boolean(row);
}

/** Captured payments of an order, marked for refund (the refund job gives them back). */
export async function markCapturedForRefund(db: Executor, orderId: string): Promise<string[]> {
  const rows = await db
    .updateTable('payments')
    .set({ status: 'refund_pending', updated_at: sql`now()` })
    .where('order_id', '=', orderId)
    .where('status', '=', 'captured')
    .returning('id')
    .execute();
  return rows.map((r) => String(r.id));
}

/** The latest payment of each order (the one the order view reports). */
export async function latestPayments(db: Executor, orderIds: readonly string[]): Promise<Map<string, PaymentRow>> {
  const out = new Map<string, PaymentRow>();
  if (!orderIds.length) return out;
  const rows = await db.selectFrom('payments').selectAll().where('order_id', 'in', orderIds).orderBy('id', 'desc').execute();
  for (const r of rows) if (!out.has(String(r.order_id))) out.set(String(r.order_id), r);
  return out;
}

/** Records a webhook event; false when it was seen before (a replay). */
export async function recordPaymentEvent(db: Executor, provider: string, eventId: string): Promise<boolean> {
  const row = await db.insertInto('payment_events').values({ provider, event_id: eventId }).onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing()).returning('event_id').executeTakeFirst();
  return Boolean(row);
}

export async function forgetPaymentEvent(db: Executor, provider: string, eventId: string) {
  await db.deleteFrom('payment_events').where('provider', '=', provider).where('event_id', '=', eventId).execute();
}

// ---- saved addresses ----

export async function findSavedAddress(db: Executor, userId: string): Promise<unknown | null> {
  return (await db.selectFrom('shipping_addresses').select('address').where('user_id', '=', userId).executeTakeFirst())?.address ?? null;
}

export async function saveAddress(db: Executor, userId: string, address: unknown) {
  const json = JSON.stringify(address);
  await db
    .insertInto('shipping_addresses')
    .values({ user_id: userId, address: json })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ address: json, updated_at: sql`now()` }))
    .execute();
}

// ---- shop conversations ----

export async function findShopConversation(db: Executor, shopId: string, buyerId: string): Promise<string | null> {
  const row = await db.selectFrom('shop_conversations').select('conversation_id').where('shop_id', '=', shopId).where('buyer_id', '=', buyerId).executeTakeFirst();
  return row ? String(row.conversation_id) : null;
}

export async function insertShopConversationLink(db: Executor, shopId: string, buyerId: string, conversationId: string) {
  await db.insertInto('shop_conversations').values({ shop_id: shopId, buyer_id: buyerId, conversation_id: conversationId }).execute();
}

export const findOrders = (db: Executor, ids: readonly string[]) =>
  ids.length ? db.selectFrom('orders').selectAll().where('id', 'in', ids).execute() : Promise.resolve([] as OrderRow[]);

// ---- search ----

/** A LIKE pattern matching `text` literally (backslash, % and _ escaped). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Products by title match tier (0 prefix, 1 contains, 2 a close word: trigram index), newest first within a tier. */
export async function searchProducts(db: Executor, q: { needle: string; hiddenOwnerIds: readonly string[]; after: { tier: number; id: string } | null; limit: number }) {
  const prefix = `${likeLiteral(q.needle)}%`;
  const contains = `%${likeLiteral(q.needle)}%`;
  const res = await sql<ProductRow & { tier: number }>`
    SELECT * FROM (
      SELECT p.*, CASE WHEN lower(p.title) LIKE ${prefix} THEN 0 WHEN lower(p.title) LIKE ${contains} THEN 1 ELSE 2 END AS tier
        FROM products p JOIN shops s ON s.id = p.shop_id
       WHERE (lower(p.title) LIKE ${contains} OR ${q.needle} <% lower(p.title))
         AND NOT (s.owner_id = ANY(${`{${q.hiddenOwnerIds.join(',')}}`}::bigint[]))
    ) m
    WHERE ${q.after ? sql`(m.tier, -m.id) > (${q.after.tier}, -${q.after.id}::bigint)` : sql`true`}
    ORDER BY m.tier, m.id DESC
    LIMIT ${q.limit}`.execute(db);
  return res.rows;
}
