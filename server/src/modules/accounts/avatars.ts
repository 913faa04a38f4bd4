import sharp from 'sharp';
import { AppError } from '../../app/errors.ts';

export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
const AVATAR_SIZE = 320;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);

/**
 * Recognises an image by its bytes (never by name or declared type), then re-encodes it:
 * square, 320 px, WebP, metadata stripped. Anything else → 422.
 */
export async function processAvatar(bytes: Buffer): Promise<Buffer> {
  let format: string | undefined;
  try {
    // limitInputPixels guards against decompression bombs.
    format = (await sharp(bytes, { limitInputPixels: 40_000_000 }).metadata()).format;
  } catch {
    format = undefined;
  }
  if (!format || !ACCEPTED.has(format)) {
    throw new AppError('unsupported_media', 422, 'file: is not an image (JPEG, PNG, WebP, GIF, AVIF or HEIF)', { field: 'file' });
  }
  try {
    return await sharp(bytes, { limitInputPixels: 40_000_000, animated: false })
      .rotate()
      .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    throw new AppError('unsupported_media', 422, 'file: the image could not be decoded', { field: 'file' });
  }
}
