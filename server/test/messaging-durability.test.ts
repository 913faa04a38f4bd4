import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, engine, TEST_DATABASE_URL } from './harness.ts';
import { allMessages, apiAt, type ServerProcess, serverProcess, signupAt } from './process-harness.ts';
import { ResilientClient } from './resilient-client.ts';

// Acceptance 3: thousands of messages with clientMsgIds while the server is killed with
// SIGKILL at random moments and restarted. Afterwards every acknowledged message exists exactly
// once, seqs are gap-free, and every member received every message exactly once after resuming.
const TOTAL_MESSAGES = 1_500;
const KILLS = 4;
const IN_FLIGHT = 8;

let server: ServerProcess | null = null;
const cleanup: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  await server?.stop();
  for (const c of cleanup.reverse()) await c();
});

describe(`durability under kill -9 (${engine})`, () => {
  it('loses no acknowledged message and duplicates none', { timeout: 420_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-durability-'));
    cleanup.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = { DATA_DIR: dataDir };
    if (TEST_DATABASE_URL) {
      const db = await createFreshDatabase();
      cleanup.push(() => db.drop());
      env.DATABASE_URL = db.url;
    }
    server = await serverProcess(env);
    await server.start();
    const url = server.url;

    const [a, b, c] = [await signupAt(url), await signupAt(url), await signupAt(url)];
    const ab = (await apiAt(url, 'POST', '/conversations', a.token, { memberIds: [b.id] })).body.conversation.id as string;
    const ac = (await apiAt(url, 'POST', '/conversations', a.token, { memberIds: [c.id] })).body.conversation.id as string;
    const clients = {
      a: new ResilientClient(() => url, a.token, [ab, ac]),
      b: new ResilientClient(() => url, b.token, [ab]),
      c: new ResilientClient(() => url, c.token, [ac]),
    };
    for (const cl of Object.values(clients)) cl.start();

    // Three senders, each keeping a few messages in flight and retrying until acked.
    const plan: Array<[ResilientClient, string, string]> = [];
    for (let i = 0; i < TOTAL_MESSAGES; i++) {
      const r = i % 4;
      if (r === 0) plan.push([clients.a, ab, `a-ab-${i}`]);
      else if (r === 1) plan.push([clients.a, ac, `a-ac-${i}`]);
      else if (r === 2) plan.push([clients.b, ab, `b-ab-${i}`]);
      else plan.push([clients.c, ac, `c-ac-${i}`]);
    }
    const senders = [clients.a, clients.b, clients.c].map(async (cl) => {
      const mine = plan.filter(([who]) => who === cl);
      for (const [, conv, id] of mine) {
        await cl.until(() => cl.pending.size < IN_FLIGHT, 120_000, 'room to send');
        cl.send(conv, id, `message ${id}`);
      }
      await cl.until(() => cl.pending.size === 0, 120_000, 'every message acked');
    });

    // Kills at random points of the stream, by how much is acked, so they land mid-stream
    // however fast this machine sends.
    const acked = () => Object.values(clients).reduce((n, cl) => n + cl.acked.size, 0);
    const killAt = Array.from({ length: KILLS }, () => Math.floor(TOTAL_MESSAGES * (0.05 + Math.random() * 0.85))).sort((x, y) => x - y);
    let kills = 0;
    const killer = (async () => {
      for (const at of killAt) {
        while (acked() < at) await new Promise((r) => setTimeout(r, 2 + Math.random() * 10));
        server!.kill9();
        kills += 1;
        await new Promise((r) => setTimeout(r, Math.random() * 300));
        await server!.start();
      }
    })();
    await Promise.all([...senders, killer]);
    expect(kills).toBe(KILLS);

    // What the database holds, read through the public API.
    const byConv = new Map<string, any[]>();
    for (const conv of [ab, ac]) {
      const items = await allMessages(url, a.token, conv);
      byConv.set(conv, items);
      expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
      const ids = items.map((m) => `${m.senderId}/${m.clientMsgId}`);
      expect(new Set(ids).size).toBe(ids.length);
    }
    const expected = plan.length;
    expect(byConv.get(ab)!.length + byConv.get(ac)!.length).toBe(expected);
    for (const cl of Object.values(clients)) {
      for (const [clientMsgId, ack] of cl.acked) {
        const stored = byConv.get(ack.conversationId)!.filter((m) => m.clientMsgId === clientMsgId);
        expect(stored).toHaveLength(1);
        expect(stored[0]).toMatchObject({ seq: ack.seq, id: ack.messageId, text: `message ${clientMsgId}` });
      }
    }

    // Every member, after resuming, has each message exactly once and in order.
    const members: Array<[ResilientClient, string]> = [
      [clients.a, ab],
      [clients.a, ac],
      [clients.b, ab],
      [clients.c, ac],
    ];
    for (const [cl, conv] of members) {
      const last = byConv.get(conv)!.length;
      await cl.until(() => (cl.lastSeq.get(conv) ?? 0) >= last, 60_000, `member caught up on ${conv}`);
      expect(cl.received.get(conv)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
    for (const cl of Object.values(clients)) {
      expect(cl.outOfOrder).toEqual([]);
      expect(cl.errors).toEqual([]);
      cl.stop();
    }
  });
});
