import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../src/platform/db/tx.ts';
import { startAppWorker } from '../src/app/worker.ts';
import { enqueue, type JobHandlers, startWorker } from '../src/platform/jobs/queue.ts';
import { engine, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip } from './media-fixtures.ts';

// The durable job queue's worker and the order it transcodes in (docs/media.md "Jobs"), on both engines.
let s: TestServer;
beforeAll(async () => {
  // The app's own worker stays off: the test runs its own, with handlers that only watch.
  s = await startTestServer({ env: { WORKER: 'false' } });
});
afterAll(() => s?.close());

describe(`job worker (${engine})`, () => {
  it('never runs more jobs at once than its concurrency, however jobs arrive', async () => {
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const watch = async (id: string) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running -= 1;
      done.push(id);
    };
    // Only purge jobs are enqueued here, so only their handler is needed.
    const purge: JobHandlers<null>['video.purge'] = { run: (_ctx, p) => watch(p.videoId) };
    const handlers = { 'video.purge': purge } as JobHandlers<null>;
    const worker = startWorker({ db: s.ctx.db, log: s.ctx.log }, null, handlers, { concurrency: 1, leaseMs: 30_000, pollMs: 1000 });
    try {
      // Each commit and each finished job wakes the worker, often while it is still claiming.
      const ids = Array.from({ length: 40 }, (_, i) => `q${i}`);
      const add = (id: string) => inTransaction(s.ctx.db, (tx) => enqueue(tx, { kind: 'video.purge', videoId: id, prefix: `videos/${id}` }));
      for (let burst = 0; burst < ids.length; burst += 8) {
        await Promise.all(ids.slice(burst, burst + 8).map(add));
        await new Promise((r) => setTimeout(r, 15));
      }
      while (done.length < ids.length) await new Promise((r) => setTimeout(r, 20));
      expect(most).toBe(1);
      expect(done.sort()).toEqual([...ids].sort());
    } finally {
      await worker.stop();
    }
  });

  it('makes every waiting clip playable before any gets its sharper rungs', async () => {
    const uploader = await s.make.user();
    const frames: any[] = [];
    const unsubscribe = await s.ctx.pubsub.subscribe(`user:${uploader.id}`, (f) => frames.push(f));
    // Three clips wait in the queue (480×854: a 240p and a 480p rung each) before a worker starts.
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadClip(s, uploader.token, makeClip({ width: 480, height: 854 }), { caption: `c${i}` })).body.video.id);
    const worker = startAppWorker(s.ctx);
    try {
      await worker.idle();
    } finally {
      await worker.stop();
      await unsubscribe();
    }
    const moments = frames.filter((f) => f.type === 'video.progress' && f.status === 'ready').map((f) => `${ids.indexOf(f.videoId)}:${f.progress === 100 ? 'all' : 'plays'}`);
    const firstAll = moments.findIndex((m) => m.endsWith('all'));
    expect(new Set(moments.slice(0, firstAll))).toEqual(new Set(['0:plays', '1:plays', '2:plays']));
    for (const id of ids) expect((await s.api('GET', `/videos/${id}`, { token: uploader.token })).body.video).toMatchObject({ status: 'ready', progress: 100 });
  });
});
