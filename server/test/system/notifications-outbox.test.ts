import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, startTestServer, type TestServer } from '../harness.ts';
import { makeClip } from '../media-fixtures.ts';
import { apiAt, type ServerProcess, serverProcess, signupAt } from '../process-harness.ts';
import { connectWs } from '../ws-client.ts';

// Issue 12, acceptance 3. The outbox under kill -9: about a thousand follows and likes are made
// while the server is killed at random moments and restarted; afterwards every change that
// committed has produced its notification exactly once (both engines: PGlite in a data dir, and
// PostgreSQL). Then two nodes sharing PostgreSQL and Redis: a notification reaches a person
// connected to the other node, whichever node committed the change.
const PG = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** 32 people following each other (992 follows) and liking one clip (31 likes): 1,023 changes. */
const PEOPLE = 32;
const KILLS = 4;
const IN_FLIGHT = 8;

const cleanup: Array<() => Promise<void> | void> = [];
let server: ServerProcess | null = null;
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** Calls until the server answers (it may be dead or starting); any answer but success fails the test. */
async function until2xx(url: () => string, method: string, p: string, token: string): Promise<void> {
  for (;;) {
    try {
      const res = await apiAt(url(), method, p, token);
      if (res.status < 300) return;
      if (res.status !== 503) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(method)) throw err;
    }
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
}

async function uploadReadyClip(url: string, token: string): Promise<string> {
  const form = new FormData();
  form.append('caption', 'the clip everyone likes');
  form.append('file', new Blob([new Uint8Array(fs.readFileSync(makeClip()))], { type: 'video/mp4' }), 'clip.mp4');
  const res = await fetch(`${url}/api/v1/videos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(res.status).toBe(202);
  const id = ((await res.json()) as any).video.id as string;
  for (;;) {
    const v = await apiAt(url, 'GET', `/videos/${id}`, token);
    if (v.body.video.status === 'ready') return id;
    if (v.body.video.status === 'failed') throw new Error('clip failed');
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`outbox under kill -9 (${engine})`, () => {
    it('every committed follow and like notifies exactly once after restarts', { timeout: 600_000 }, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-outbox-'));
      cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      const env: Record<string, string> = { DATA_DIR: dataDir, EVENT_RELAY_POLL_MS: '200' };
      if (engine === 'postgres') {
        const db = await createFreshDatabase(PG);
        cleanup.push(() => db.drop());
        env.DATABASE_URL = db.url;
      }
      server = await serverProcess(env);
      // Each engine's server is stopped after the run (the PGlite one was left running before).
      const own = server;
      cleanup.push(() => own.stop());
      await server.start();
      const url = () => server!.url;
      const people: Array<Awaited<ReturnType<typeof signupAt>>> = [];
      for (let i = 0; i < PEOPLE; i++) people.push(await signupAt(url()));
      const clip = await uploadReadyClip(url(), people[0]!.token);

      // Every change, shuffled: follows both ways between everyone, and everyone else's like.
      const changes: Array<{ by: number; method: string; path: string }> = [];
      for (let i = 0; i < PEOPLE; i++) {
        for (let j = 0; j < PEOPLE; j++) if (i !== j) changes.push({ by: i, method: 'PUT', path: `/users/${people[j]!.id}/follow` });
        if (i !== 0) changes.push({ by: i, method: 'PUT', path: `/videos/${clip}/like` });
      }
      for (let i = changes.length - 1; i > 0; i--) {
        const k = Math.floor(Math.random() * (i + 1));
        [changes[i], changes[k]] = [changes[k]!, changes[i]!];
      }

      let done = 0;
      let next = 0;
      const workers = Array.from({ length: IN_FLIGHT }, async () => {
        while (next < changes.length) {
          const c = changes[next++]!;
          await until2xx(url, c.method, c.path, people[c.by]!.token);
          done += 1;
        }
      });
      // Kills at random points of the stream, by how much is done, so they land mid-stream.
      const killAt = Array.from({ length: KILLS }, () => Math.floor(changes.length * (0.05 + Math.random() * 0.85))).sort((x, y) => x - y);
      let kills = 0;
      const killer = (async () => {
        for (const at of killAt) {
          while (done < at) await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
          server!.kill9();
          kills += 1;
          await new Promise((r) => setTimeout(r, Math.random() * 300));
          await server!.start();
        }
      })();
      await Promise.all([...workers, killer]);
      expect(kills).toBe(KILLS);
      expect(done).toBe(changes.length);

      // Every change committed (each request succeeded at last). Per person: each follower is
      // either a `friend` row of their own (followed back) or counted in the one `follow` group;
      // the clip's author has one `like` group counting every liker. Events left claimed by a
      // killed relay are taken over when their lease runs out, so this waits for that.
      const expected = (i: number) => ({ followers: PEOPLE - 1, likers: i === 0 ? PEOPLE - 1 : 0 });
      const seen = async (i: number) => {
        const res = await apiAt(url(), 'GET', '/notifications?limit=100', people[i]!.token);
        const items = res.body.items as any[];
        const friends = items.filter((n) => n.kind === 'friend');
        const follows = items.filter((n) => n.kind === 'follow');
        const likes = items.filter((n) => n.kind === 'like');
        return {
          followers: friends.length + follows.reduce((s, n) => s + n.actorCount, 0),
          likers: likes.reduce((s, n) => s + n.actorCount, 0),
          friendActors: friends.map((n) => n.actor.id),
          groups: { follow: follows.length, like: likes.length },
          total: items.length,
        };
      };
      const deadline = Date.now() + 150_000;
      for (;;) {
        const all = await Promise.all(people.map((_, i) => seen(i)));
        if (all.every((s, i) => s.followers === expected(i).followers && s.likers === expected(i).likers) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      for (let i = 0; i < PEOPLE; i++) {
        const s = await seen(i);
        expect({ followers: s.followers, likers: s.likers }, `person ${i}`).toEqual(expected(i));
        // Exactly once: no one is a friend row twice, at most one open group of each kind.
        expect(new Set(s.friendActors).size).toBe(s.friendActors.length);
        expect(s.groups.follow).toBeLessThanOrEqual(1);
        expect(s.groups.like).toBe(i === 0 ? 1 : 0);
        expect(s.total).toBe(s.friendActors.length + s.groups.follow + s.groups.like);
      }
      // No handler gave up on an event (the server logs it when one does).
      expect(server.logs()).not.toMatch(/event handler failed for good/);
    });
  });
}

describe('two nodes with PostgreSQL and Redis', () => {
  let db: Awaited<ReturnType<typeof createFreshDatabase>>;
  let nodeA: TestServer;
  let nodeB: TestServer;
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await db?.drop();
  });

  it('a notification reaches the person on the other node, whichever node made the change', async () => {
    db = await createFreshDatabase(PG);
    const env = { DATABASE_URL: db.url, REDIS_URL: REDIS, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`, EVENT_RELAY_POLL_MS: '200' };
    // Only A runs the worker (and so the relay): a change committed on B is found by A's relay.
    nodeA = await startTestServer({ env, postgresUrl: '' });
    nodeB = await startTestServer({ env: { ...env, WORKER: 'false' }, postgresUrl: '' });
    const [r, x, y] = [await nodeA.make.user(), await nodeA.make.user(), await nodeA.make.user()];
    const onB = await connectWs(nodeB.url, { token: r.token });
    const onA = await connectWs(nodeA.url, { token: r.token });
    try {
      // Committed on A, relayed on A, delivered to the socket on B through Redis.
      expect((await nodeA.api('PUT', `/users/${r.id}/follow`, { token: x.token })).status).toBe(200);
      const first = await onB.waitFor((f) => f.type === 'notification' && f.notification.actor?.id === x.id);
      expect(first.notification).toMatchObject({ kind: 'follow', actor: { id: x.id } });
      // Committed on B (no relay there), relayed by A's poll, delivered on both nodes.
      expect((await nodeB.api('PUT', `/users/${r.id}/follow`, { token: y.token })).status).toBe(200);
      const second = await onB.waitFor((f) => f.type === 'notification' && f.notification.actor?.id === y.id);
      expect(second.notification).toMatchObject({ kind: 'follow', actorCount: 2 });
      await onA.waitFor((f) => f.type === 'notification' && f.notification.actor?.id === y.id);
      // One frame each, however many nodes hear Redis.
      expect(onB.frames.filter((f) => f.type === 'notification')).toHaveLength(2);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
