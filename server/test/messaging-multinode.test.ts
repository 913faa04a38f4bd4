import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, engine, TEST_DATABASE_URL } from './harness.ts';
import { allMessages, apiAt, privateRedis, type ServerProcess, serverProcess, signupAt } from './process-harness.ts';
import { ResilientClient } from './resilient-client.ts';

// Acceptance 4: server processes sharing the database deliver to each other's users through
// Redis pub/sub; Redis is killed and restarted mid-conversation and nobody loses a message.
// On PostgreSQL: two processes. PGlite cannot be shared between processes, so the PGlite pass
// runs one process with Redis, which still exercises the reconnect-and-resync path.
const PER_PHASE = 40;

const stops: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const s of stops.reverse()) await s();
});

describe(`scale-out through Redis (${engine})`, () => {
  it('delivers across nodes and survives a Redis restart without losing or repeating a message', { timeout: 180_000 }, async () => {
    const redis = await privateRedis();
    await redis.start();
    stops.push(() => {
      redis.stop();
      fs.rmSync(redis.dir, { recursive: true, force: true });
    });
    const nodes: ServerProcess[] = [];
    if (TEST_DATABASE_URL) {
      const db = await createFreshDatabase();
      stops.push(() => db.drop());
      for (let i = 0; i < 2; i++) nodes.push(await serverProcess({ DATABASE_URL: db.url, REDIS_URL: redis.url, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'loop-node-')) }));
    } else {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-node-'));
      stops.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
      nodes.push(await serverProcess({ REDIS_URL: redis.url, DATA_DIR: dataDir }));
    }
    // The first node migrates; start the others once it is up.
    for (const n of nodes) {
      await n.start();
      stops.push(() => n.stop());
    }
    const [n1, n2] = [nodes[0]!, nodes[nodes.length - 1]!];

    const [a, b] = [await signupAt(n1.url), await signupAt(n2.url)];
    const id = (await apiAt(n1.url, 'POST', '/conversations', a.token, { memberIds: [b.id] })).body.conversation.id as string;
    // A on node 1; B on node 2 and also on node 1 (a second device).
    const clients = [new ResilientClient(() => n1.url, a.token, [id]), new ResilientClient(() => n2.url, b.token, [id]), new ResilientClient(() => n1.url, b.token, [id])];
    for (const c of clients) c.start();
    const [ca, cb] = clients as [ResilientClient, ResilientClient, ResilientClient];
    await Promise.all(clients.map((c) => c.until(() => c.connects > 0, 30_000, 'connected')));
    await new Promise((r) => setTimeout(r, 300));

    let n = 0;
    const phase = async (label: string) => {
      for (let i = 0; i < PER_PHASE; i++) {
        const sender = i % 2 ? cb : ca;
        sender.send(id, `${label}-${++n}`, `${label} ${n}`);
        await sender.until(() => sender.pending.size < 4, 60_000, 'room to send');
      }
      await Promise.all([ca, cb].map((c) => c.until(() => c.pending.size === 0, 60_000, `${label} acked`)));
    };

    await phase('live');
    // Live delivery across nodes: everyone has everything before Redis goes away.
    await Promise.all(clients.map((c) => c.until(() => (c.lastSeq.get(id) ?? 0) === PER_PHASE, 30_000, 'live delivery')));

    redis.stop();
    // Give both nodes time to notice: their sockets to Redis are gone.
    await new Promise((r) => setTimeout(r, 500));
    await phase('redis-down');
    await redis.start();
    await phase('redis-back');

    const stored = await allMessages(n1.url, a.token, id);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: PER_PHASE * 3 }, (_, i) => i + 1));
    for (const c of clients) {
      await c.until(() => (c.lastSeq.get(id) ?? 0) === PER_PHASE * 3, 60_000, 'caught up after the Redis restart');
      expect(c.received.get(id)).toEqual(stored.map((m) => m.seq));
      expect(c.outOfOrder).toEqual([]);
      // The sockets stayed up: the gateways themselves refilled what pub/sub dropped.
      expect(c.connects).toBe(1);
    }
    expect(clients.some((c) => c.resyncs > 0)).toBe(true);
    for (const c of clients) c.stop();

    // Node 1 checks A's sends from memory; a block made on node 2 reaches it at once through Redis.
    const post = (text: string) => apiAt(n1.url, 'POST', `/conversations/${id}/messages`, a.token, { clientMsgId: `after-${text.replaceAll(" ", "-")}`, text });
    expect((await post('before the block')).status).toBe(201);
    expect((await apiAt(n2.url, 'PUT', `/users/${a.id}/block`, b.token)).status).toBe(200);
    expect((await post('after the block')).status).toBe(404);
    expect((await apiAt(n2.url, 'DELETE', `/users/${a.id}/block`, b.token)).status).toBe(200);
    expect((await post('after the unblock')).status).toBe(201);
  });
});
