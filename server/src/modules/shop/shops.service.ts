import type { z } from 'zod';
import {
  type CreateProductBody,
  type CreateShopBody,
  type CreateVariantBody,
  Id,
  MAX_VARIANTS,
  type PatchProductBody,
  type PatchShopBody,
  type PatchVariantBody,
  ShippingAddress,
} from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, forbidden, notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { getVideo, loadVisibleVideo } from '../media/index.ts';
import { isOnWishlist } from './friends-shopping.repo.ts';
import { ownsShop } from './shop.policy.ts';
import { toProductViews, toShopViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';
import { unitsMayBeBack } from './sold-out.ts';

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

async function productView(ctx: AppContext, viewerId: string | null, row: repo.ProductRow, variants?: repo.VariantRow[]) {
  const [product] = await toProductViews(ctx, viewerId, [row], variants && new Map([[String(row.id), variants]]));
  if (!product) throw notFound('product');
  return { product };
}

const duplicateOptions = () => new AppError('variant_exists', 409, 'variants: two variants of one product cannot have the same options', { field: 'variants' });
const variantFields = (v: z.infer<typeof CreateVariantBody>) => ({ options: v.options, price_minor: v.priceMinor ?? null, stock: v.stock });

/** A new product, with its variants if any, in one transaction (variants with the same options: 409, nothing written). */
export async function createProduct(ctx: AppContext, userId: string, shopId: string, body: z.infer<typeof CreateProductBody>) {
  await requireOwnShop(ctx, userId, shopId);
  const fields = { shop_id: shopId, title: body.title, description: body.description ?? '', price_minor: body.priceMinor, currency: body.currency, stock: body.stock };
  // Without variants it is one INSERT, as it always was (bench:checkout's baseline is this call).
  const made = body.variants?.length
    ? await inTransaction(ctx.db, async (tx) => {
        const product = await repo.insertProduct(tx, fields);
        const variants = await repo.insertVariants(tx, String(product.id), body.variants!.map(variantFields));
        if (variants === null) throw duplicateOptions();
        return { product, variants };
      })
    : { product: await repo.insertProduct(ctx.db, fields), variants: [] };
  return productView(ctx, userId, made.product, made.variants);
}

async function requireOwnProduct(ctx: AppContext, userId: string, productId: string) {
  const product = await requireProduct(ctx, productId);
  await requireOwnShop(ctx, userId, String(product.shop_id));
  return product;
}

/** The owner adds a variant (its own units, optionally its own price) → the product. */
export async function addVariant(ctx: AppContext, userId: string, productId: string, body: z.infer<typeof CreateVariantBody>) {
  const product = await requireOwnProduct(ctx, userId, productId);
  // The cap is a guard against runaway forms, not a race to win: a count just before is enough.
  const existing = (await repo.variantsOf(ctx.db, [productId])).get(productId) ?? [];
  if (existing.length >= MAX_VARIANTS) throw new AppError('too_many_variants', 409, `A product has at most ${MAX_VARIANTS} variants`);
  const added = await repo.insertVariants(ctx.db, productId, [variantFields(body)]);
  if (added === null) throw duplicateOptions();
  unitsMayBeBack(ctx, [productId]);
  // Adding a variant leaves the product's own row as it was: the row in hand, and the variants too.
  return productView(ctx, userId, product, [...existing, ...added]);
}

/** The owner changes a variant: options, own price (null: the product's), units on hand (not below those reserved). */
export async function updateVariant(ctx: AppContext, userId: string, productId: string, variantId: string, body: z.infer<typeof PatchVariantBody>) {
  const product = await requireOwnProduct(ctx, userId, productId);
  const result = isId(variantId)
    ? await repo.updateVariant(ctx.db, productId, variantId, { options: body.options, price_minor: body.priceMinor, stock: body.stock })
    : null;
  if (result === null) throw notFound('variant');
  if (result === 'duplicate') throw duplicateOptions();
  if (result === 'below_reserved') throw new AppError('stock_below_reserved', 409, 'stock: open orders hold more units than that; ship or cancel them first', { field: 'stock' });
  unitsMayBeBack(ctx, [productId]);
  // A variant's change leaves the product's own row as it was: the row in hand.
  return productView(ctx, userId, product);
}

export async function updateProduct(ctx: AppContext, userId: string, id: string, body: z.infer<typeof PatchProductBody>) {
  await requireOwnProduct(ctx, userId, id);
  const row = await repo.updateProduct(ctx.db, id, {
    title: body.title,
    description: body.description,
    price_minor: body.priceMinor,
    currency: body.currency,
    stock: body.stock,
  });
  if (!row) throw new AppError('stock_below_reserved', 409, 'stock: open orders hold more units than that; ship or cancel them first', { field: 'stock' });
  // A restock (or a new price, or anything else an order checks) may make it buyable again on every node.
  unitsMayBeBack(ctx, [id]);
  return productView(ctx, userId, row);
}

/** A product; a signed-in viewer also learns whether it is on their wishlist (`saved`). */
export async function getProduct(ctx: AppContext, viewerId: string | null, id: string) {
  const row = await requireProduct(ctx, id);
  const [view, saved] = await Promise.all([productView(ctx, viewerId, row), viewerId ? isOnWishlist(ctx.db, viewerId, id) : undefined]);
  return saved === undefined ? view : { product: { ...view.product, saved } };
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
