import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { connectWs } from './ws-client.ts';

// The real-time core's promise to every module (docs/realtime.md): a frame object published on
// `user:<id>` reaches every socket of that person, and only theirs.
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe('real-time core', () => {
  it('delivers a frame published on user:<id> to each of that person’s sockets, none of anyone else’s, also when published before hello', async () => {
    const [a, b] = await Promise.all([s.make.user(), s.make.user()]);
    const [phone, laptop, other] = await Promise.all([connectWs(s.url, { token: a.token }), connectWs(s.url, { token: a.token }), connectWs(s.url, { token: b.token })]);
    const early = await connectWs(s.url, { token: a.token, hello: false });
    // `early` joined its channel when the upgrade was accepted but has not said hello: held until `ready`.
    const notice = { type: 'notification', notification: { id: '1', kind: 'follow', text: 'maya followed you' } };
    // Frames are text frames (a browser would get a Blob for a binary one), however the core encodes them.
    const kinds: boolean[] = [];
    phone.ws.on('message', (_data, isBinary) => kinds.push(isBinary));
    laptop.ws.on('message', (_data, isBinary) => kinds.push(isBinary));
    await s.ctx.pubsub.publish(`user:${a.id}`, notice);
    for (const ws of [phone, laptop]) expect(await ws.waitFor((f) => f.type === 'notification')).toEqual(notice);
    expect(kinds).toEqual([false, false]);
    expect(early.frames).toEqual([]);
    early.send({ type: 'hello' });
    await early.waitFor((f) => f.type === 'notification');
    expect(early.frames.map((f) => f.type)).toEqual(['ready', 'notification']);
    // b's socket got nothing of it.
    other.send({ type: 'ping' });
    await other.waitFor((f) => f.type === 'pong');
    expect(other.frames.some((f) => f.type === 'notification')).toBe(false);
    for (const ws of [phone, laptop, other, early]) ws.close();
  });

  it('answers a type no module registered with the registered types', async () => {
    const a = await s.make.user();
    const ws = await connectWs(s.url, { token: a.token });
    ws.send({ type: 'party.join', partyId: '1' });
    const err = await ws.waitFor((f) => f.type === 'error');
    expect(err).toMatchObject({ code: 'unknown_frame_type', field: 'type' });
    for (const t of ['hello', 'send', 'read', 'typing', 'ping', 'live.join', 'watch.join', 'time']) expect(err.detail).toContain(t);
    ws.close();
  });
});
