import type { Order, Product, Shop, ShippingAddress } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import * as repo from './shop.repo.ts';

/** Turns shop, product and order rows into API objects (API.md "Shops, products, orders"). */

export const imageUrl = (key: string) => `/api/v1/media/${key}`;
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

type ShopRef = Product['shop'];
const shopRef = (s: repo.ShopRow): ShopRef => ({ id: String(s.id), handle: s.handle, name: s.name, logoUrl: s.logo_key ? imageUrl(s.logo_key) : null, ownerId: String(s.owner_id) });

export async function toShopViews(ctx: AppContext, rows: readonly repo.ShopRow[]): Promise<Shop[]> {
  const owners = await getUserViews(ctx, [...new Set(rows.map((r) => String(r.owner_id)))]);
  return rows.flatMap((s) => {
    const owner = owners.get(String(s.owner_id));
    if (!owner) return [];
    const { ownerId: _, ...ref } = shopRef(s);
    return [{ ...ref, description: s.description, owner, createdAt: iso(s.created_at)! }];
  });
}

/**
 * Product views; the owner of a product's shop also sees units on hand and reserved (of the
 * product and of each variant). A product with variants sells only its variants' units.
 */
export async function toProductViews(
  ctx: AppContext,
  viewerId: string | null,
  rows: readonly repo.ProductRow[],
  /** The variants when the caller already knows them (a product just made). */
  known?: ReadonlyMap<string, repo.VariantRow[]>,
): Promise<Product[]> {
  const [shopRows, variants] = await Promise.all([
    repo.findShops(ctx.db, [...new Set(rows.map((r) => String(r.shop_id)))]),
    known ??
      repo.variantsOf(
        ctx.db,
        rows.map((r) => String(r.id)),
      ),
  ]);
  const shops = new Map(shopRows.map((s) => [String(s.id), s]));
  return rows.flatMap((p) => {
    const shop = shops.get(String(p.shop_id));
    if (!shop) return [];
    const owner = viewerId !== null && String(shop.owner_id) === viewerId;
    const vs = (variants.get(String(p.id)) ?? []).map((v) => ({
      id: String(v.id),
      options: v.options,
      priceMinor: Number(v.price_minor ?? p.price_minor),
      ownPrice: v.price_minor !== null,
      available: v.stock - v.reserved,
      ...(owner && { stock: v.stock, reserved: v.reserved }),
    }));
    const view: Product = {
      id: String(p.id),
      shop: shopRef(shop),
      title: p.title,
      description: p.description,
      priceMinor: Number(p.price_minor),
      currency: p.currency,
      available: vs.length ? vs.reduce((sum, v) => sum + v.available, 0) : p.stock - p.reserved,
      imageUrls: p.image_keys.map(imageUrl),
      variants: vs,
      createdAt: iso(p.created_at)!,
    };
    if (owner) Object.assign(view, { stock: p.stock, reserved: p.reserved });
    return [view];
  });
}

const orderView = (
  o: repo.OrderRow,
  buyer: Order['buyer'],
  shop: repo.ShopRow,
  lines: readonly repo.OrderItemRow[],
  products: ReadonlyMap<string, repo.ProductRow>,
  paymentStatus: string | null,
): Order => ({
  id: String(o.id),
  buyer,
  shop: shopRef(shop),
  items: lines.map((i) => ({
    // The title as bought: a product renamed later does not rewrite old orders.
    product: { id: String(i.product_id), title: i.title, imageUrls: (products.get(String(i.product_id))?.image_keys ?? []).map(imageUrl) },
    variant: i.variant_id ? { id: String(i.variant_id), label: i.variant_label ?? '' } : null,
    quantity: i.quantity,
    priceMinor: Number(i.price_minor),
  })),
  totalMinor: Number(o.total_minor),
  currency: o.currency,
  status: o.status,
  source: o.source_type && o.source_id ? { type: o.source_type, id: String(o.source_id) } : null,
  shippingAddress: o.shipping_address as ShippingAddress,
  cancelReason: o.cancel_reason,
  paymentStatus,
  expiresAt: iso(o.expires_at)!,
  createdAt: iso(o.created_at)!,
  paidAt: iso(o.paid_at),
  shippedAt: iso(o.shipped_at),
});

/** The view of an order just placed, from what the caller already holds (no reads). */
export const presentNewOrder = (
  o: repo.OrderRow,
  buyer: Order['buyer'],
  shop: repo.ShopRow,
  lines: readonly repo.OrderItemRow[],
  products: ReadonlyMap<string, repo.ProductRow>,
): Order => orderView(o, buyer, shop, lines, products, null);

export async function toOrderViews(ctx: AppContext, rows: readonly repo.OrderRow[]): Promise<Order[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => String(r.id));
  const [buyers, shops, items, payments] = await Promise.all([
    getUserViews(ctx, [...new Set(rows.map((r) => String(r.buyer_id)))]),
    repo.findShops(ctx.db, [...new Set(rows.map((r) => String(r.shop_id)))]),
    repo.orderItems(ctx.db, ids),
    repo.latestPayments(ctx.db, ids),
  ]);
  const shopById = new Map(shops.map((s) => [String(s.id), s]));
  const products = new Map(
    (await repo.findProducts(ctx.db, [...new Set([...items.values()].flat().map((i) => String(i.product_id)))])).map((p) => [String(p.id), p]),
  );
  return rows.flatMap((o) => {
    const buyer = buyers.get(String(o.buyer_id));
    const shop = shopById.get(String(o.shop_id));
    if (!buyer || !shop) return [];
    return [orderView(o, buyer, shop, items.get(String(o.id)) ?? [], products, payments.get(String(o.id))?.status ?? null)];
  });
}

export async function toOrderView(ctx: AppContext, row: repo.OrderRow): Promise<Order> {
  const [order] = await toOrderViews(ctx, [row]);
  if (!order) throw new Error(`order ${row.id} has no buyer or shop`);
  return order;
}
