import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { connectWs, type WsClient } from './ws-client.ts';

// Acceptance 5: whatever one socket sends, the server stays up and everyone else keeps chatting.
let s: TestServer;
const sockets: WsClient[] = [];
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of sockets) c.close();
  await s?.close();
});

async function ws(server: TestServer, u: MadeUser) {
  const c = await connectWs(server.url, { token: u.token });
  sockets.push(c);
  return c;
}

/** Two people chatting: proves the server still serves others after each attack. */
async function assertOthersStillChat(server: TestServer, pair: { a: MadeUser; b: MadeUser; id: string; wa: WsClient; wb: WsClient }, tag: string) {
  pair.wa.send({ type: 'send', conversationId: pair.id, clientMsgId: `check-${tag}`, text: `still here ${tag}` });
  await pair.wa.waitFor((f) => f.type === 'ack' && f.clientMsgId === `check-${tag}`);
  await pair.wb.waitFor((f) => f.type === 'message' && f.message.text === `still here ${tag}`);
  expect((await server.api('GET', '/healthz')).status).toBe(200);
}

async function makePair(server: TestServer) {
  const [a, b] = [await server.make.user(), await server.make.user()];
  const id = (await server.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } })).body.conversation.id as string;
  return { a, b, id, wa: await ws(server, a), wb: await ws(server, b) };
}

describe(`hostile WebSocket input (${engine})`, () => {
  it('answers non-JSON, unknown types, invalid fields and binary frames with error frames and keeps the socket open', async () => {
    const pair = await makePair(s);
    const attacker = await ws(s, await s.make.user());
    const cases: Array<[string | Buffer, string]> = [
      ['not json at all', 'malformed_frame'],
      ['{"type":', 'malformed_frame'],
      ['[1,2,3]', 'unknown_frame_type'],
      ['42', 'unknown_frame_type'],
      ['{"type":"launch_missiles"}', 'unknown_frame_type'],
      ['{"no":"type"}', 'unknown_frame_type'],
      ['{"type":"send","conversationId":"abc","clientMsgId":"x","text":"hi"}', 'invalid_frame'],
      [JSON.stringify({ type: 'send', conversationId: pair.id, clientMsgId: 'big', text: 'x'.repeat(4001) }), 'invalid_frame'],
      ['{"type":"read","conversationId":"1","seq":-1}', 'invalid_frame'],
      ['{"type":"hello","resume":{"1":"lots"}}', 'invalid_frame'],
      [Buffer.from([0xde, 0xad, 0xbe, 0xef]), 'malformed_frame'],
    ];
    for (const [data, code] of cases) {
      attacker.frames.length = 0;
      attacker.sendRaw(data);
      const err = await attacker.waitFor((f) => f.type === 'error');
      expect(err.code, String(data)).toBe(code);
    }
    attacker.frames.length = 0;
    attacker.send({ type: 'send', conversationId: pair.id, clientMsgId: 'bad-reply', text: 'hi', replyToSeq: 'one' });
    expect(await attacker.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'invalid_frame', field: 'replyToSeq', clientMsgId: 'bad-reply' });
    attacker.send({ type: 'ping' });
    await attacker.waitFor((f) => f.type === 'pong');
    await assertOthersStillChat(s, pair, 'junk');
  });

  it('closes a socket that sends more than maxPayload (64 KiB) with 1009', async () => {
    const pair = await makePair(s);
    const attacker = await ws(s, await s.make.user());
    attacker.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
    expect((await attacker.closed).code).toBe(1009);
    await assertOthersStillChat(s, pair, 'oversized');
  });

  it('a 10,000-frames-a-second flood gets error frames, then the socket is closed; others are unaffected', async () => {
    const pair = await makePair(s);
    const flooder = await ws(s, await s.make.user());
    const started = Date.now();
    let sent = 0;
    // 10,000 frames inside one second, in bursts so the client's own loop keeps up.
    while (sent < 10_000 && flooder.ws.readyState === flooder.ws.OPEN) {
      for (let i = 0; i < 500 && sent < 10_000; i++, sent++) flooder.send({ type: 'ping' });
      await new Promise((r) => setTimeout(r, Math.max(0, (sent / 10_000) * 1000 - (Date.now() - started))));
    }
    const closed = await flooder.closed;
    expect(closed.code).toBe(1008);
    const errors = flooder.frames.filter((f) => f.type === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].code).toBe('rate_limited');
    // Frames within the budget were still answered before the cut-off.
    expect(flooder.frames.some((f) => f.type === 'pong')).toBe(true);
    await assertOthersStillChat(s, pair, 'flood');
  });

  it('every send refused for the budget or the in-flight cap gets an error naming its clientMsgId', async () => {
    const pair = await makePair(s);
    // 250 at once: past the burst (100) and the in-flight cap (64), short of the flood cut-off.
    const ids = Array.from({ length: 250 }, (_, i) => `burst-${i}`);
    for (const clientMsgId of ids) pair.wa.send({ type: 'send', conversationId: pair.id, clientMsgId, text: clientMsgId });
    const answered = (f: any) => (f.type === 'ack' || f.type === 'error') && typeof f.clientMsgId === 'string' && f.clientMsgId.startsWith('burst-');
    const answers = await pair.wa.waitForCount(answered, ids.length, 30_000);
    const byId = new Map<string, string[]>();
    for (const f of answers) byId.set(f.clientMsgId, [...(byId.get(f.clientMsgId) ?? []), f.type]);
    // Exactly one answer each: an ack, or an error the client can retry on.
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    for (const types of byId.values()) expect(types).toHaveLength(1);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) expect(f.code).toBe('rate_limited');
    // What was acked is exactly what was written.
    const acked = answers.filter((f) => f.type === 'ack').length;
    const seq = (await s.api('GET', `/conversations/${pair.id}`, { token: pair.b.token })).body.conversation.lastSeq;
    expect(seq).toBe(acked);
  });

  it('a flood of sends is refused without writing more than the budget allows', async () => {
    const pair = await makePair(s);
    for (let i = 0; i < 400; i++) pair.wa.send({ type: 'send', conversationId: pair.id, clientMsgId: `flood-${i}`, text: `spam ${i}` });
    await pair.wa.closed;
    const seq = (await s.api('GET', `/conversations/${pair.id}`, { token: pair.b.token })).body.conversation.lastSeq;
    // The burst (100) at most, never all 400.
    expect(seq).toBeLessThanOrEqual(100);
    const b2 = await ws(s, pair.b);
    const wa2 = await ws(s, pair.a);
    await assertOthersStillChat(s, { ...pair, wa: wa2, wb: b2 }, 'after-send-flood');
  });
});

describe(`slow readers (${engine})`, () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ env: { WS_MAX_BUFFERED_BYTES: '65536', WS_FRAMES_PER_SEC: '100000', WS_FRAME_BURST: '100000' } });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('disconnects a client that never reads instead of buffering for it', { timeout: 180_000 }, async () => {
    const pair = await makePair(small);
    const sleeper = await small.make.user();
    const sender = await small.make.user();
    const id = (await small.api('POST', '/conversations', { token: sender.token, body: { memberIds: [sleeper.id] } })).body.conversation.id;
    const slow = await ws(small, sleeper);
    // Stop reading from the TCP socket: the kernel buffers fill, then the server's would.
    (slow.ws as any)._socket.pause();
    const ws2 = await ws(small, sender);
    // 4,000 characters of three UTF-8 bytes each: 12 KB frames, so fewer sends fill the buffers.
    const big = '字'.repeat(4000);
    let acked = 0;
    // ~14 MB of frames for a socket that reads nothing: far past the kernel's buffers and the 64 KiB bound.
    for (let batch = 0; batch < 24; batch++) {
      for (let i = 0; i < 50; i++) ws2.send({ type: 'send', conversationId: id, clientMsgId: `big-${batch}-${i}`, text: big });
      acked += 50;
      await ws2.waitForCount((f) => f.type === 'ack', acked, 30_000);
    }
    (slow.ws as any)._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).not.toBe(1000);
    // Everything was committed all the same: the sleeper can resume later.
    const last = (await small.api('GET', `/conversations/${id}`, { token: sleeper.token })).body.conversation.lastSeq;
    expect(last).toBe(acked);
    await assertOthersStillChat(small, pair, 'slow-reader');
  });
});
