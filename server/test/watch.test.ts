import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';
import { connectWs, settle, type WsClient } from './ws-client.ts';

// Watching together in a conversation (issue 14, API.md "Watching together in a conversation"):
// membership, one session per conversation, control frames that reach every joined member,
// the clock-sync `time` frame, and bad frames.
let s: TestServer;
let a: MadeUser;
let b: MadeUser;
let c: MadeUser;
let stranger: MadeUser;
let group: { id: string };
let clip1: string;
let clip2: string;
let privateClip: string;
const sockets: WsClient[] = [];

async function clip(owner: MadeUser, visibility: 'public' | 'friends' | 'private') {
  const res = await uploadClip(s, owner.token, makeClip(), { caption: 'watch me', visibility });
  expect(res.status).toBe(202);
  return (await waitForVideo(s, owner.token, res.body.video.id)).id as string;
}
const ws = async (u: MadeUser) => {
  const w = await connectWs(s.url, { token: u.token });
  sockets.push(w);
  return w;
};
const state = (conversationId: string, pred: (session: any) => boolean = () => true) => (f: any) =>
  f.type === 'watch.state' && f.conversationId === conversationId && pred(f.session);

beforeAll(async () => {
  s = await startTestServer();
  [a, b, c, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
  await befriend(s, a, b);
  await befriend(s, a, c);
  group = (await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id, c.id], title: 'Movie night' } })).body.conversation;
  [clip1, clip2, privateClip] = [await clip(a, 'public'), await clip(b, 'public'), await clip(stranger, 'private')];
}, 120_000);
afterAll(async () => {
  for (const w of sockets) w.close();
  await s?.close();
});

describe('HTTP', () => {
  it('is 404 for people outside the conversation, and refuses clips the caller cannot see', async () => {
    for (const [method, body] of [['GET'], ['POST', { videoId: clip1 }], ['DELETE']] as const) {
      const res = await s.api(method, `/conversations/${group.id}/watch`, { token: stranger.token, body });
      expect(res.status, method).toBe(404);
      expect(res.body.code).toBe('conversation_not_found');
    }
    const none = await s.api('GET', `/conversations/${group.id}/watch`, { token: b.token });
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('watch_session_not_found');
    const hidden = await s.api('POST', `/conversations/${group.id}/watch`, { token: a.token, body: { videoId: privateClip } });
    expect(hidden.status).toBe(404);
    expect(hidden.body.code).toBe('video_not_found');
    const bad = await s.api('POST', `/conversations/${group.id}/watch`, { token: a.token, body: { videoId: 'nope' } });
    expect(bad.status).toBe(400);
    expect((await s.api('GET', `/conversations/${group.id}/watch`, { token: a.token })).status).toBe(404);
  });

  it('starts one session per conversation: a second start is 409 while someone watches; DELETE ends it', async () => {
    const started = await s.api('POST', `/conversations/${group.id}/watch`, { token: a.token, body: { videoId: clip1 } });
    expect(started.status).toBe(201);
    expect(started.body.session).toMatchObject({ conversationId: group.id, videoId: clip1, playing: false, positionMs: 0, participants: [{ id: a.id }] });
    const again = await s.api('POST', `/conversations/${group.id}/watch`, { token: b.token, body: { videoId: clip2 } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('watch_session_exists');
    const got = await s.api('GET', `/conversations/${group.id}/watch`, { token: c.token });
    expect(got.body.session).toMatchObject({ id: started.body.session.id, videoId: clip1 });

    expect((await s.api('DELETE', `/conversations/${group.id}/watch`, { token: b.token })).status).toBe(204);
    expect((await s.api('GET', `/conversations/${group.id}/watch`, { token: a.token })).status).toBe(404);
    expect((await s.api('DELETE', `/conversations/${group.id}/watch`, { token: b.token })).status).toBe(404);
  });
});

describe('WebSocket', () => {
  it('answers time frames with the server receive and send times', async () => {
    const w = await ws(a);
    const t0 = Date.now();
    w.send({ type: 'time', t0 });
    const f = await w.waitFor((x) => x.type === 'time');
    expect(f.t0).toBe(t0);
    expect(f.t1).toBeGreaterThanOrEqual(t0 - 1_000);
    expect(f.t2).toBeGreaterThanOrEqual(f.t1);
    w.close();
  });

  it('control frames change the state for every joined member, and nobody else', async () => {
    const direct = (await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id] } })).body.conversation;
    const [wa, wb, wc] = [await ws(a), await ws(b), await ws(c)];
    // C watches the group, not this conversation.
    wc.send({ type: 'watch.join', conversationId: group.id });
    await wc.waitFor(state(group.id));
    const started = await s.api('POST', `/conversations/${direct.id}/watch`, { token: a.token, body: { videoId: clip1 } });
    expect(started.status).toBe(201);
    for (const w of [wa, wb]) w.send({ type: 'watch.join', conversationId: direct.id });
    for (const w of [wa, wb]) await w.waitFor(state(direct.id, (x) => x?.participants.length === 2));
    const mark = wa.frames.length;
    const markB = wb.frames.length;

    const before = Date.now();
    wb.send({ type: 'watch.control', conversationId: direct.id, action: 'play' });
    for (const w of [wa, wb]) {
      const f = await w.waitFor(state(direct.id, (x) => x?.playing === true));
      // Play is scheduled at a shared instant ahead of now, from where it was.
      expect(f.session.positionMs).toBe(0);
      expect(f.session.at).toBeGreaterThan(before);
      expect(f.session.memberIds).toBeUndefined();
    }
    wa.send({ type: 'watch.control', conversationId: direct.id, action: 'pause', positionMs: 1_500 });
    wa.send({ type: 'watch.control', conversationId: direct.id, action: 'seek', positionMs: 4_000 });
    wa.send({ type: 'watch.control', conversationId: direct.id, action: 'video', videoId: clip2 });
    for (const w of [wa, wb]) {
      await w.waitFor(state(direct.id, (x) => x?.playing === false && x.positionMs === 1_500));
      await w.waitFor(state(direct.id, (x) => x?.playing === false && x.positionMs === 4_000));
      const last = await w.waitFor(state(direct.id, (x) => x?.videoId === clip2));
      expect(last.session).toMatchObject({ playing: false, positionMs: 0 });
    }
    const revs = wb.frames.slice(markB).filter(state(direct.id)).map((f) => f.session.rev);
    expect(revs).toEqual([...revs].sort((x, y) => x - y));
    const got = await s.api('GET', `/conversations/${direct.id}/watch`, { token: b.token });
    expect(got.body.session).toMatchObject({ videoId: clip2, playing: false, positionMs: 0 });
    await settle();
    expect(wc.frames.filter(state(direct.id))).toHaveLength(0);
    expect(wa.frames.slice(mark).filter(state(direct.id)).length).toBeGreaterThanOrEqual(4);

    // Leaving the view: out of the participants, and no more frames.
    wb.send({ type: 'watch.leave', conversationId: direct.id });
    await wa.waitFor(state(direct.id, (x) => x?.participants.length === 1));
    const bCount = wb.frames.filter(state(direct.id)).length;
    wa.send({ type: 'watch.control', conversationId: direct.id, action: 'play' });
    await wa.waitFor(state(direct.id, (x) => x?.playing === true));
    await settle();
    expect(wb.frames.filter(state(direct.id))).toHaveLength(bCount);
  });

  it('a member removed from the group gets nothing more; outsiders cannot join or steer', async () => {
    const trio = (await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [b.id, c.id], title: 'Trio' } })).body.conversation;
    const [wa, wc, ws2] = [await ws(a), await ws(c), await ws(stranger)];
    expect((await s.api('POST', `/conversations/${trio.id}/watch`, { token: a.token, body: { videoId: clip1 } })).status).toBe(201);
    wa.send({ type: 'watch.join', conversationId: trio.id });
    wc.send({ type: 'watch.join', conversationId: trio.id });
    await wa.waitFor(state(trio.id, (x) => x?.participants.length === 2));
    await wc.waitFor(state(trio.id, (x) => x?.participants.length === 2));

    ws2.send({ type: 'watch.join', conversationId: trio.id });
    expect(await ws2.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'conversation_not_found' });
    ws2.send({ type: 'watch.control', conversationId: trio.id, action: 'play' });
    await ws2.waitForCount((f) => f.type === 'error' && f.code === 'conversation_not_found', 2);

    const removed = await s.api('DELETE', `/conversations/${trio.id}/members/${c.id}`, { token: a.token });
    expect(removed.status).toBe(200);
    const cCount = wc.frames.filter(state(trio.id)).length;
    wa.send({ type: 'watch.control', conversationId: trio.id, action: 'play' });
    const after = await wa.waitFor(state(trio.id, (x) => x?.playing === true));
    expect(after.session.participants.map((u: any) => u.id)).toEqual([a.id]);
    await settle();
    expect(wc.frames.filter(state(trio.id))).toHaveLength(cCount);
    wc.send({ type: 'watch.control', conversationId: trio.id, action: 'pause' });
    expect(await wc.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'conversation_not_found' });
    expect((await s.api('GET', `/conversations/${trio.id}/watch`, { token: a.token })).body.session.playing).toBe(true);
    expect(ws2.frames.filter(state(trio.id))).toHaveLength(0);
  });

  it('bad frames get an error and change nothing', async () => {
    const w = await ws(a);
    const direct = (await s.api('POST', '/conversations', { token: a.token, body: { memberIds: [c.id] } })).body.conversation;
    const cases: Array<[unknown, string, string?]> = [
      [{ type: 'watch.control', conversationId: direct.id, action: 'seek' }, 'invalid_frame', 'positionMs'],
      [{ type: 'watch.control', conversationId: direct.id, action: 'video' }, 'invalid_frame', 'videoId'],
      [{ type: 'watch.control', conversationId: direct.id, action: 'rewind' }, 'invalid_frame', 'action'],
      [{ type: 'watch.control', conversationId: direct.id, action: 'seek', positionMs: -5 }, 'invalid_frame', 'positionMs'],
      [{ type: 'watch.join', conversationId: 'abc' }, 'invalid_frame', 'conversationId'],
      [{ type: 'time' }, 'invalid_frame', 't0'],
      [{ type: 'time', t0: 'now' }, 'invalid_frame', 't0'],
      [{ type: 'watch.control', conversationId: direct.id, action: 'play' }, 'watch_session_not_found'],
    ];
    for (const [frame, code, field] of cases) {
      const n = w.frames.filter((f) => f.type === 'error').length;
      w.send(frame);
      const [, err] = [n, (await w.waitForCount((f) => f.type === 'error', n + 1)).at(-1)];
      expect(err.code, JSON.stringify(frame)).toBe(code);
      if (field) expect(err.field).toBe(field);
    }
    expect((await s.api('POST', `/conversations/${direct.id}/watch`, { token: a.token, body: { videoId: clip1 } })).status).toBe(201);
    const n = w.frames.filter((f) => f.type === 'error').length;
    w.send({ type: 'watch.control', conversationId: direct.id, action: 'video', videoId: privateClip });
    expect((await w.waitForCount((f) => f.type === 'error', n + 1)).at(-1)).toMatchObject({ code: 'video_not_found' });
    expect((await s.api('GET', `/conversations/${direct.id}/watch`, { token: a.token })).body.session.videoId).toBe(clip1);
  });
});
