import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { AppContext } from '../../app/context.ts';
import { AppError, forbidden } from '../../app/errors.ts';
import { ownsShop } from './shop.policy.ts';
import * as repo from './shop.repo.ts';
import { requireProduct, requireShop } from './shops.service.ts';
import { toProductViews, toShopViews } from './shop.presenter.ts';

/** Product pictures and shop logos: recognised by their bytes, re-encoded to WebP without metadata (as avatars are). */

export const IMAGE_MAX_BYTES = 8 * 1024 * 1024;
/** Most pictures one product carries. */
export const MAX_PRODUCT_IMAGES = 8;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);

async function reencode(bytes: Buffer, shape: { width: number; height: number; fit: 'inside' | 'cover' }): Promise<Buffer> {
  let format: string | undefined;
  try {
    format = (await sharp(bytes, { limitInputPixels: 40_000_000 }).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !ACCEPTED.has(format)) throw new AppError('unsupported_media', 422, 'file: is not an image (JPEG, PNG, WebP, GIF, AVIF or HEIF)', { field: 'file' });
  try {
    return await sharp(bytes, { limitInputPixels: 40_000_000, animated: false })
      .rotate()
      .resize(shape.width, shape.height, { fit: shape.fit, withoutEnlargement: shape.fit === 'inside' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw new AppError('unsupported_media', 422, 'file: the image could not be decoded', { field: 'file' });
  }
}

const newKey = (prefix: string) => `${prefix}/${randomBytes(12).toString('base64url')}.webp`;

/** Adds a picture to a product (the shop's owner only). */
export async function addProductImage(ctx: AppContext, userId: string, productId: string, bytes: Buffer) {
  const product = await requireProduct(ctx, productId);
  const shop = await requireShop(ctx, String(product.shop_id));
  if (!ownsShop(shop, userId)) throw forbidden('not_shop_owner', 'Only the shop’s owner may do this');
  if (product.image_keys.length >= MAX_PRODUCT_IMAGES) throw new AppError('too_many_images', 409, `A product has at most ${MAX_PRODUCT_IMAGES} pictures`);
  const image = await reencode(bytes, { width: 1080, height: 1080, fit: 'inside' });
  const key = newKey(`products/${productId}`);
  await ctx.storage.put(key, image, 'image/webp');
  const row = await repo.updateProduct(ctx.db, productId, { image_keys: [...product.image_keys, key] });
  const [view] = await toProductViews(ctx, userId, row ? [row] : []);
  return { product: view! };
}

/** Sets a shop's logo (its owner only). */
export async function setShopLogo(ctx: AppContext, userId: string, shopId: string, bytes: Buffer) {
  const shop = await requireShop(ctx, shopId);
  if (!ownsShop(shop, userId)) throw forbidden('not_shop_owner', 'Only the shop’s owner may do this');
  const image = await reencode(bytes, { width: 320, height: 320, fit: 'cover' });
  const key = newKey(`shops/${shopId}`);
  await ctx.storage.put(key, image, 'image/webp');
  const row = await repo.updateShop(ctx.db, shopId, { logo_key: key });
  if (shop.logo_key) await ctx.storage.delete(shop.logo_key).catch(() => {});
  const [view] = await toShopViews(ctx, row ? [row] : []);
  return { shop: view! };
}

/** Serves a stored product picture or logo (public: anyone may see a product). */
export async function readShopImage(ctx: AppContext, kind: 'products' | 'shops', ownerId: string, file: string) {
  if (!/^\d{1,19}$/.test(ownerId) || !/^[A-Za-z0-9_-]{16}\.webp$/.test(file)) return null;
  return ctx.storage.get(`${kind}/${ownerId}/${file}`);
}
