import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, type MadeUser, startTestServer, type TestServer } from '../harness.ts';
import { connectWs, type WsClient } from '../ws-client.ts';

// A live room shared by two nodes with PostgreSQL and Redis (issue 14, acceptance 3): chat said
// on either node reaches viewers on both, the per-person rate limit counts across nodes, a ban
// made on one node takes the viewer's socket on the other out of the room within 2 s, and the
// viewer count adds up both nodes.
const PG = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

let db: Awaited<ReturnType<typeof createFreshDatabase>>;
let a: TestServer;
let b: TestServer;
const sockets: WsClient[] = [];

beforeAll(async () => {
  db = await createFreshDatabase(PG);
  const env = { DATABASE_URL: db.url, REDIS_URL: REDIS, REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`, LIVE_STATE_INTERVAL_MS: '500' };
  a = await startTestServer({ env, postgresUrl: '' });
  b = await startTestServer({ env, postgresUrl: '' });
});
afterAll(async () => {
  for (const ws of sockets) ws.close();
  await a?.close();
  await b?.close();
  await db?.drop();
});

async function joined(node: TestServer, u: MadeUser, liveId: string) {
  const ws = await connectWs(node.url, { token: u.token });
  sockets.push(ws);
  ws.send({ type: 'live.join', liveId });
  expect((await ws.waitFor((f) => f.type === 'live.snapshot' || f.type === 'error')).type).toBe('live.snapshot');
  return ws;
}

let n = 0;
async function chat(ws: WsClient, liveId: string, text: string) {
  const clientMsgId = `n-${++n}`;
  ws.send({ type: 'live.chat', liveId, clientMsgId, text });
  return ws.waitFor((f) => f.clientMsgId === clientMsgId && (f.type === 'live.chat.ack' || f.type === 'error'));
}
const chatWith = (text: string) => (f: any) => f.type === 'live.chat' && f.messages.some((m: any) => m.text === text);

describe('a live room across two nodes (PostgreSQL + Redis)', () => {
  it('chat crosses nodes both ways, rate limits count across nodes, viewer counts add up, a ban on one node empties the room for a socket on the other within 2 s', async () => {
    const [host, onA, onB] = await Promise.all([a.make.user(), a.make.user(), b.make.user()]);
    const live = (await a.api('POST', '/lives', { token: host.token, body: { title: 'two nodes' } })).body.live;
    const wa = await joined(a, onA, live.id);
    const wb = await joined(b, onB, live.id);

    expect((await chat(wb, live.id, 'from B')).type).toBe('live.chat.ack');
    await wa.waitFor(chatWith('from B'));
    expect((await chat(wa, live.id, 'from A')).type).toBe('live.chat.ack');
    await wb.waitFor(chatWith('from A'));

    // Both nodes' viewers in one count (each node writes its own; live.state carries the sum).
    const state = await wa.waitFor((f) => f.type === 'live.state' && f.live.viewerCount === 2, 10_000);
    expect(state.live.id).toBe(live.id);

    // One person's messages on two nodes share one budget (3 per 2 s): of 7 sent at once, alternating nodes, some are refused
    // (however the fixed windows fall, one of at most two windows holds 4 or more).
    const wa2 = await joined(b, onA, live.id);
    const answers = await Promise.all([0, 1, 2, 3, 4, 5, 6].map((i) => chat(i % 2 ? wa : wa2, live.id, `x${i}`)));
    expect(answers.map((x) => x.type)).toContain('error');
    expect(answers.find((x) => x.type === 'error')).toMatchObject({ code: 'rate_limited' });

    const t0 = Date.now();
    expect((await a.api('PUT', `/lives/${live.id}/bans/${onB.id}`, { token: host.token, body: {} })).status).toBe(200);
    await wb.waitFor((f) => f.type === 'live.removed', 2_000);
    console.log(`[live-nodes] ban on node A → socket on node B out of the room: ${Date.now() - t0} ms`);
    const seen = wb.frames.length;
    await new Promise((r) => setTimeout(r, 2_100));
    expect((await chat(wa, live.id, 'after the ban')).type).toBe('live.chat.ack');
    await wa.waitFor(chatWith('after the ban'));
    await wa2.waitFor(chatWith('after the ban'));
    expect(wb.frames.slice(seen).filter((f) => f.type?.startsWith('live.'))).toEqual([]);
    expect(await chat(wb, live.id, 'me again')).toMatchObject({ type: 'error', code: 'banned' });
  });
});
