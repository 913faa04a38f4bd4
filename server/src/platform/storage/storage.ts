import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An inclusive byte range, as in an HTTP `Range: bytes=start-end` header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where media objects live. Keys are relative paths like `avatars/12/ab34.webp`.
 * Local disk under DATA_DIR/media by default; S3-compatible buckets via s3-storage.ts.
 */
export interface Storage {
  put(key: string, body: Buffer | Readable, contentType: string): Promise<void>;
  /** Stores a local file under `key`; with `move` the local file is consumed (renamed when it can be). */
  putFile(key: string, file: string, contentType: string, opts?: { move?: boolean }): Promise<void>;
  /** The object (or the asked-for range of it); `size` is always the whole object's size. */
  get(key: string, range?: ByteRange): Promise<{ body: Readable; size: number } | null>;
  /** Its size, or null when absent (for Range answers before the body is opened). */
  size(key: string): Promise<number | null>;
  /**
   * A local file path for `key` when the adapter keeps objects on this machine's disk, so
   * ffmpeg reads the original without a copy. Null for remote adapters (they download).
   */
  localPath(key: string): string | null;
  /** Copies the object to a local file (used when localPath is null). */
  download(key: string, file: string): Promise<void>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<void>;
}

const SAFE_KEY = /^[a-zA-Z0-9][a-zA-Z0-9/_.-]*$/;

/** Throws on keys that could leave the storage root or confuse an object store. */
export function assertSafeKey(key: string) {
  if (!SAFE_KEY.test(key) || key.includes('..') || key.includes('//')) throw new Error(`unsafe storage key: ${key}`);
}

export function createLocalStorage(root: string): Storage {
  const full = (key: string) => {
    assertSafeKey(key);
    return path.join(root, key);
  };
  const writeAtomically = async (key: string, write: (tmp: string) => Promise<void>) => {
    const file = full(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    // Write beside, then rename: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await write(tmp);
      await fs.rename(tmp, file);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  };
  return {
    async put(key, body) {
      await writeAtomically(key, async (tmp) => {
        if (Buffer.isBuffer(body)) await fs.writeFile(tmp, body);
        else await pipeline(body, createWriteStream(tmp));
      });
    },
    async putFile(key, file, _type, opts) {
      await writeAtomically(key, async (tmp) => {
        if (opts?.move) {
          // Same filesystem: a rename is free (a 500 MB upload is not copied); otherwise copy.
          try {
            await fs.rename(file, tmp);
            return;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
          }
        }
        await fs.copyFile(file, tmp);
        if (opts?.move) await fs.rm(file, { force: true });
      });
    },
    async get(key, range) {
      const file = full(key);
      try {
        const stat = await fs.stat(file);
        if (!stat.isFile()) return null;
        return { body: createReadStream(file, range ? { start: range.start, end: range.end } : {}), size: stat.size };
      } catch {
        return null;
      }
    },
    async size(key) {
      try {
        const stat = await fs.stat(full(key));
        return stat.isFile() ? stat.size : null;
      } catch {
        return null;
      }
    },
    localPath(key) {
      return full(key);
    },
    async download(key, file) {
      await fs.copyFile(full(key), file);
    },
    async delete(key) {
      await fs.rm(full(key), { force: true });
    },
    async deletePrefix(prefix) {
      await fs.rm(full(prefix), { recursive: true, force: true });
    },
  };
}
