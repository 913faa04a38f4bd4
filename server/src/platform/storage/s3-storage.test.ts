import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Storage, objectKey, s3ClientConfig } from './s3-storage.ts';

// No S3 server here: a recording client checks the commands the adapter sends and how it
// reads the answers. Run against a real bucket (MinIO, R2, AWS) before production.
const settings = { bucket: 'loop-media', region: 'eu-west-1', endpoint: 'http://minio:9000', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true, prefix: 'prod' };

function recordingClient(answer: (name: string, input: any) => unknown) {
  const sent: Array<{ name: string; input: any }> = [];
  const client = {
    async send(cmd: { constructor: { name: string }; input: any }) {
      sent.push({ name: cmd.constructor.name, input: cmd.input });
      return answer(cmd.constructor.name, cmd.input);
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe('S3 storage adapter', () => {
  it('maps keys under the prefix and refuses unsafe keys', () => {
    expect(objectKey('prod', 'videos/1/a/master.m3u8')).toBe('prod/videos/1/a/master.m3u8');
    expect(objectKey('', 'x/y')).toBe('x/y');
    expect(() => objectKey('prod', '../etc/passwd')).toThrow();
    expect(s3ClientConfig(settings)).toMatchObject({ region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: true, credentials: { accessKeyId: 'k' } });
  });

  it('puts with content type, reads ranges with the total size, and treats NoSuchKey as absent', async () => {
    const { client, sent } = recordingClient((name, input) => {
      if (name === 'GetObjectCommand' && input.Key.endsWith('missing')) throw Object.assign(new Error('nope'), { name: 'NoSuchKey' });
      if (name === 'GetObjectCommand') return { Body: Readable.from([Buffer.from('abc')]), ContentRange: 'bytes 0-2/1000', ContentLength: 3 };
      return {};
    });
    const s = createS3Storage(settings, client);
    await s.put('videos/1/t/master.m3u8', Buffer.from('#EXTM3U'), 'application/vnd.apple.mpegurl');
    expect(sent[0]).toMatchObject({ name: 'PutObjectCommand', input: { Bucket: 'loop-media', Key: 'prod/videos/1/t/master.m3u8', ContentType: 'application/vnd.apple.mpegurl' } });
    const got = await s.get('videos/1/t/seg_000.ts', { start: 0, end: 2 });
    expect(sent[1]!.input.Range).toBe('bytes=0-2');
    expect(got?.size).toBe(1000);
    expect(await s.get('videos/1/t/missing')).toBeNull();
    expect(s.localPath('videos/1/source')).toBeNull();
  });

  it('deletes a prefix page by page', async () => {
    let page = 0;
    const { client, sent } = recordingClient((name) => {
      if (name === 'ListObjectsV2Command') {
        page += 1;
        return page === 1
          ? { Contents: [{ Key: 'prod/videos/9/a' }, { Key: 'prod/videos/9/b' }], IsTruncated: true, NextContinuationToken: 'n' }
          : { Contents: [{ Key: 'prod/videos/9/c' }], IsTruncated: false };
      }
      return {};
    });
    await createS3Storage(settings, client).deletePrefix('videos/9');
    expect(sent.map((c) => c.name)).toEqual(['ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command', 'DeleteObjectsCommand']);
    expect(sent[0]!.input.Prefix).toBe('prod/videos/9/');
    expect(sent[2]!.input.ContinuationToken).toBe('n');
    expect(sent[3]!.input.Delete.Objects).toEqual([{ Key: 'prod/videos/9/c' }]);
  });
});
