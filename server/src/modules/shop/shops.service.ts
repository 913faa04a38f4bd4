import type { z } from 'zod';
import { type CreateProductBody, type CreateShopBody, Id, type PatchProductBody, type PatchShopBody, ShippingAddress } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, forbidden, notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { getVideo, loadVisibleVideo } from '../media/index.ts';
import { ownsShop } from './shop.policy.ts';
import { toProductViews, toShopViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';

/** Shops, their products, and the products tagged on clips (docs/shop.md). */

/** A string that names a row (in the bigint range): anything else is a 404 without a query. */
const isId = (id: string) => Id.safeParse(id).success;

export async function requireShop(ctx: AppContext, id: string): Promise<repo.ShopRow> {
  const shop = isId(id) ? await repo.findShop(ctx.db, id) : undefined;
  if (!shop) throw notFound('shop');
  return shop;
}

async function requireOwnShop(ctx: AppContext, userId: string, id: string) {
  const shop = await requireShop(ctx, id);
  if (!ownsShop(shop, userId)) throw forbidden('not_shop_owner', 'Only the shop’s owner may do this');
  return shop;
}

async function shopView(ctx: AppContext, row: repo.ShopRow) {
  const [shop] = await toShopViews(ctx, [row]);
  if (!shop) throw notFound('shop');
  return { shop };
}

export async function createShop(ctx: AppContext, userId: string, body: z.infer<typeof CreateShopBody>) {
  const row = await repo.insertShop(ctx.db, { owner_id: userId, handle: body.handle, name: body.name, description: body.description ?? '' });
  if (!row) throw new AppError('handle_taken', 409, 'handle: another shop has this handle', { field: 'handle' });
  return shopView(ctx, row);
}

export async function getShop(ctx: AppContext, idOrHandle: string) {
  const row = isId(idOrHandle) ? await repo.findShop(ctx.db, idOrHandle) : await repo.findShopByHandle(ctx.db, idOrHandle);
  if (!row) throw notFound('shop');
  return shopView(ctx, row);
}

export async function updateShop(ctx: AppContext, userId: string, id: string, body: z.infer<typeof PatchShopBody>) {
  await requireOwnShop(ctx, userId, id);
  const row = await repo.updateShop(ctx.db, id, body);
  if (!row) throw notFound('shop');
  return shopView(ctx, row);
}

export async function myShops(ctx: AppContext, userId: string) {
  return { items: await toShopViews(ctx, await repo.listShopsOwnedBy(ctx.db, userId)), nextCursor: null };
}

// ---- products ----

export async function requireProduct(ctx: AppContext, id: string): Promise<repo.ProductRow> {
  const p = isId(id) ? await repo.findProduct(ctx.db, id) : undefined;
  if (!p) throw notFound('product');
  return p;
}

async function productView(ctx: AppContext, viewerId: string | null, row: repo.ProductRow) {
  const [product] = await toProductViews(ctx, viewerId, [row]);
  if (!product) throw notFound('product');
  return { product };
}

export async function createProduct(ctx: AppContext, userId: string, shopId: string, body: z.infer<typeof CreateProductBody>) {
  await requireOwnShop(ctx, userId, shopId);
  const row = await repo.insertProduct(ctx.db, { shop_id: shopId, title: body.title, description: body.description ?? '', price_minor: body.priceMinor, currency: body.currency, stock: body.stock });
  return productView(ctx, userId, row);
}

export async function updateProduct(ctx: AppContext, userId: string, id: string, body: z.infer<typeof PatchProductBody>) {
  const product = await requireProduct(ctx, id);
  await requireOwnShop(ctx, userId, String(product.shop_id));
  const row = await repo.updateProduct(ctx.db, id, {
    title: body.title,
    description: body.description,
    price_minor: body.priceMinor,
    currency: body.currency,
    stock: body.stock,
  });
  if (!row) throw new AppError('stock_below_reserved', 409, 'stock: open orders hold more units than that; ship or cancel them first', { field: 'stock' });
  return productView(ctx, userId, row);
}

export async function getProduct(ctx: AppContext, viewerId: string | null, id: string) {
  return productView(ctx, viewerId, await requireProduct(ctx, id));
}

export async function listShopProducts(ctx: AppContext, viewerId: string | null, shopId: string, q: { cursor?: string; limit: number }) {
  await requireShop(ctx, shopId);
  const scope = { list: `shop-products:${shopId}`, viewer: viewerId };
  const after = decodeCursor(scope, q.cursor, 1);
  const rows = await repo.listShopProducts(ctx.db, shopId, after ? String(after[0]) : null, q.limit + 1);
  const views = new Map((await toProductViews(ctx, viewerId, rows)).map((p) => [p.id, p]));
  const page = toPage(scope, rows, q.limit, (r) => views.get(String(r.id)), (r) => [String(r.id)]);
  return { items: page.items.filter((p) => p !== undefined), nextCursor: page.nextCursor };
}

// ---- products in clips ----

/** The author tags up to five products on their clip (replacing the previous tags). */
export async function tagVideoProducts(ctx: AppContext, userId: string, videoId: string, productIds: readonly string[]) {
  const video = await loadVisibleVideo(ctx, userId, videoId);
  if (String(video.author_id) !== userId) throw forbidden('not_author', 'Only the clip’s author may tag products on it');
  const unique = [...new Set(productIds)];
  const found = await repo.findProducts(ctx.db, unique);
  const missing = unique.find((id) => !found.some((p) => String(p.id) === id));
  if (missing) throw new AppError('product_not_found', 404, `productIds: no such product ${missing}`, { field: 'productIds' });
  await repo.replaceVideoProducts(ctx.db, videoId, unique);
  return { ...(await getVideo(ctx, userId, videoId)), products: await videoProducts(ctx, userId, videoId) };
}

async function videoProducts(ctx: AppContext, viewerId: string | null, videoId: string) {
  const ids = (await repo.videoProductIds(ctx.db, [videoId])).get(videoId) ?? [];
  const rows = await repo.findProducts(ctx.db, ids);
  const byId = new Map((await toProductViews(ctx, viewerId, rows)).map((p) => [p.id, p]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The products on a clip the viewer may see (the product bar), in the author's order. */
export async function listVideoProducts(ctx: AppContext, viewerId: string | null, videoId: string) {
  await loadVisibleVideo(ctx, viewerId, videoId);
  return { items: await videoProducts(ctx, viewerId, videoId), nextCursor: null };
}

// ---- the buyer's saved address ----

/** The address the buyer saved for two-tap checkout, or null. */
export async function savedAddress(ctx: AppContext, userId: string): Promise<ShippingAddress | null> {
  const parsed = ShippingAddress.safeParse(await repo.findSavedAddress(ctx.db, userId));
  return parsed.success ? parsed.data : null;
}

export async function saveAddress(ctx: AppContext, userId: string, address: ShippingAddress) {
  await repo.saveAddress(ctx.db, userId, address);
  return address;
}
