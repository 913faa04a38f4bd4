import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { assertSafeKey, type Storage } from './storage.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint: string | null;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
  prefix: string;
}

/** The client options for an S3-compatible endpoint (AWS, MinIO, R2, Ceph…). */
export function s3ClientConfig(s: S3Settings): S3ClientConfig {
  return {
    region: s.region,
    ...(s.endpoint && { endpoint: s.endpoint }),
    forcePathStyle: s.forcePathStyle,
    ...(s.accessKeyId && s.secretAccessKey && { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }),
  };
}

/** Maps a storage key to the object key in the bucket (under the optional prefix). */
export function objectKey(prefix: string, key: string): string {
  assertSafeKey(key);
  return prefix ? `${prefix}/${key}` : key;
}

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Media objects in an S3-compatible bucket. The bucket stays private: Loop serves every
 * object through its own media routes, which check who may see the video first.
 */
export function createS3Storage(s: S3Settings, client: S3Client = new S3Client(s3ClientConfig(s))): Storage {
  const Bucket = s.bucket;
  const k = (key: string) => objectKey(s.prefix, key);
  return {
    async put(key, body, contentType) {
      await client.send(new PutObjectCommand({ Bucket, Key: k(key), Body: body, ContentType: contentType }));
    },
    async putFile(key, file, contentType, opts) {
      const { size } = await fs.stat(file);
      await client.send(new PutObjectCommand({ Bucket, Key: k(key), Body: createReadStream(file), ContentLength: size, ContentType: contentType }));
      if (opts?.move) await fs.rm(file, { force: true });
    },
    async get(key, range) {
      try {
        const out = await client.send(
          new GetObjectCommand({ Bucket, Key: k(key), ...(range && { Range: `bytes=${range.start}-${range.end}` }) }),
        );
        // ContentRange is "bytes a-b/total" for ranged reads.
        const total = out.ContentRange ? Number(out.ContentRange.split('/')[1]) : Number(out.ContentLength ?? 0);
        return { body: out.Body as Readable, size: total };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async size(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: k(key) }));
        return Number(out.ContentLength ?? 0);
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    localPath() {
      return null;
    },
    async download(key, file) {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: k(key) }));
      await pipeline(out.Body as Readable, createWriteStream(file));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: k(key) }));
    },
    async deletePrefix(prefix) {
      const Prefix = `${k(prefix)}/`;
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
        const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
        if (keys.length) await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
