import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Keyed hashing and encryption derived from the one APP_SECRET. Personal identifiers
 * (emails, phone numbers) are stored only as a keyed hash for matching, and — where the
 * owner's own copy is needed — as AES-256-GCM ciphertext. Neither reads back as text.
 */
export interface SecretBox {
  /** HMAC-SHA256 of a normalised identifier, for equality lookups. */
  keyedHash(purpose: string, value: string): Buffer;
  seal(plaintext: string): Buffer;
  open(sealed: Buffer): string;
}

export function createSecretBox(appSecret: string): SecretBox {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', appSecret, 'loop', info, 32));
  const hashKeys = new Map<string, Buffer>();
  const encKey = derive('encryption-v1');
  return {
    keyedHash(purpose, value) {
      let key = hashKeys.get(purpose);
      if (!key) {
        key = derive(`hash-${purpose}-v1`);
        hashKeys.set(purpose, key);
      }
      return createHmac('sha256', key).update(value).digest();
    },
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', encKey, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/** SHA-256 of a session token: the database only ever holds this, never the token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
