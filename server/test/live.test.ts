import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block, follow } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer, uniqueName } from './harness.ts';
import { connectWs, type WsClient } from './ws-client.ts';
// Test set-up only: what the packager calls when a stream's first playlist exists (no ffmpeg here; live-rtmp.test.ts runs the real thing).
import { goOnAir } from '../src/modules/live/live.service.ts';

// Lives and the chat inside them (issue 14, acceptance 3), on PGlite and PostgreSQL alike: every
// chat rule is enforced on the server with API.md's error codes (slow_mode, rate_limited,
// banned, followers_only), deletes reach the room, a banned or timed-out viewer's socket gets
// nothing more from the room, lives hidden by their audience are 404s, moderators and pins.
let s: TestServer;
let host: MadeUser;
const sockets: WsClient[] = [];

async function makeLive(owner: MadeUser, visibility?: 'public' | 'followers' | 'friends') {
  const res = await s.api('POST', '/lives', { token: owner.token, body: { title: `live ${uniqueName()}`, ...(visibility && { visibility }) } });
  expect(res.status).toBe(201);
  return res.body as { live: any; ingest: { rtmpUrl: string; streamKey: string } };
}

async function socket(u: MadeUser) {
  const ws = await connectWs(s.url, { token: u.token });
  sockets.push(ws);
  return ws;
}

/** A socket of `u` in the live's room, with the snapshot it was sent. */
async function joined(u: MadeUser, liveId: string) {
  const ws = await socket(u);
  ws.send({ type: 'live.join', liveId });
  const snapshot = await ws.waitFor((f) => f.type === 'live.snapshot' || f.type === 'error');
  expect(snapshot.type).toBe('live.snapshot');
  return { ws, snapshot };
}

let n = 0;
/** Sends a chat message and resolves with its answer: the ack or the error naming it. */
async function chat(ws: WsClient, liveId: string, text = 'hello') {
  n += 1;
  const clientMsgId = `m-${n}-${Date.now()}`;
  ws.send({ type: 'live.chat', liveId, clientMsgId, text });
  return ws.waitFor((f) => f.clientMsgId === clientMsgId && (f.type === 'live.chat.ack' || f.type === 'error'));
}

const chatFrameWith = (text: string) => (f: any) => f.type === 'live.chat' && f.messages.some((m: any) => m.text === text);

beforeAll(async () => {
  s = await startTestServer();
  host = await s.make.user();
});
afterAll(async () => {
  for (const ws of sockets) ws.close();
  await s?.close();
});

describe(`lives over HTTP (${engine})`, () => {
  it('POST /lives answers the live and its ingest; the stream key is secret, random and shown only here', async () => {
    const a = await makeLive(host);
    const b = await makeLive(host, 'friends');
    expect(a.live).toMatchObject({ host: { id: host.id }, visibility: 'public', status: 'waiting', hlsUrl: null, viewerCount: 0, startedAt: null, endedAt: null, pinned: null, settings: { slowModeSec: 0, followersOnly: false } });
    expect(b.live.visibility).toBe('friends');
    expect(a.ingest.rtmpUrl).toMatch(/^rtmp:\/\/[^/]+:\d+\/live$/);
    expect(a.ingest.streamKey).toMatch(/^lk_[A-Za-z0-9_-]{32}$/);
    expect(a.ingest.streamKey).not.toBe(b.ingest.streamKey);
    const seen = await s.api('GET', `/lives/${a.live.id}`, { token: (await s.make.user()).token });
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).not.toContain(a.ingest.streamKey);
  });

  it('bad input is a 400 naming the field, and changes nothing; signed out is a 401', async () => {
    const empty = await s.api('POST', '/lives', { token: host.token, body: { title: '  ' } });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('title');
    const vis = await s.api('POST', '/lives', { token: host.token, body: { title: 'x', visibility: 'everyone' } });
    expect(vis.status).toBe(400);
    expect((await s.api('POST', '/lives', { body: { title: 'x' } })).status).toBe(401);
    const { live } = await makeLive(host);
    const slow = await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { slowModeSec: -1 } });
    expect(slow.status).toBe(400);
    expect((await s.api('GET', `/lives/${live.id}`, { token: host.token })).body.live.settings.slowModeSec).toBe(0);
  });

  it('followers and friends lives are 404 to everyone else, over HTTP and on the socket; a block hides any live', async () => {
    const [stranger, follower, friend, blocked] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await follow(s, follower, host);
    await befriend(s, friend, host);
    await follow(s, blocked, host);
    await block(s, host, blocked);
    const followersLive = (await makeLive(host, 'followers')).live.id;
    const friendsLive = (await makeLive(host, 'friends')).live.id;
    const publicLive = (await makeLive(host, 'public')).live.id;
    const status = async (u: MadeUser | null, id: string) => (await s.api('GET', `/lives/${id}`, u ? { token: u.token } : {})).status;
    expect(await status(stranger, followersLive)).toBe(404);
    expect(await status(null, followersLive)).toBe(404);
    expect(await status(follower, followersLive)).toBe(200);
    expect(await status(friend, followersLive)).toBe(200);
    expect(await status(follower, friendsLive)).toBe(404);
    expect(await status(friend, friendsLive)).toBe(200);
    expect(await status(null, publicLive)).toBe(200);
    expect(await status(blocked, publicLive)).toBe(404);
    expect((await s.api('GET', '/lives/999999999', { token: host.token })).status).toBe(404);
    // A hidden live is hidden for every call, not only reads.
    expect((await s.api('PATCH', `/lives/${friendsLive}`, { token: follower.token, body: { slowModeSec: 5 } })).status).toBe(404);
    expect((await s.api('POST', `/lives/${friendsLive}/end`, { token: follower.token })).status).toBe(404);
    const ws = await socket(stranger);
    ws.send({ type: 'live.join', liveId: followersLive });
    expect(await ws.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'live_not_found' });
    expect(await chat(ws, followersLive)).toMatchObject({ type: 'error', code: 'live_not_found' });
  });

  it('the host names moderators; a moderator may change settings, a viewer may not (403), and the host takes it back', async () => {
    const [mod, viewer] = await Promise.all([s.make.user(), s.make.user()]);
    const { live } = await makeLive(host);
    expect((await s.api('PUT', `/lives/${live.id}/moderators/${mod.id}`, { token: viewer.token })).status).toBe(403);
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: mod.token, body: { followersOnly: true } })).body.code).toBe('not_live_moderator');
    expect((await s.api('PUT', `/lives/${live.id}/moderators/${mod.id}`, { token: host.token })).status).toBe(200);
    expect((await s.api('PUT', `/lives/${live.id}/moderators/999999999`, { token: host.token })).status).toBe(404);
    const patched = await s.api('PATCH', `/lives/${live.id}`, { token: mod.token, body: { followersOnly: true, slowModeSec: 10 } });
    expect(patched.status).toBe(200);
    expect(patched.body.live.settings).toEqual({ slowModeSec: 10, followersOnly: true });
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: viewer.token, body: { followersOnly: false } })).status).toBe(403);
    // Moderators cannot name moderators, nor end the live.
    expect((await s.api('PUT', `/lives/${live.id}/moderators/${viewer.id}`, { token: mod.token })).body.code).toBe('not_live_host');
    expect((await s.api('POST', `/lives/${live.id}/end`, { token: mod.token })).status).toBe(403);
    expect((await s.api('DELETE', `/lives/${live.id}/moderators/${mod.id}`, { token: host.token })).status).toBe(200);
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: mod.token, body: { followersOnly: false } })).status).toBe(403);
  });

  it('pins a chat message or a product; the room gets live.state; unknown ones are 404; null unpins', async () => {
    const viewer = await s.make.user();
    const { live } = await makeLive(host);
    const { ws } = await joined(viewer, live.id);
    const ack = await chat(ws, live.id, 'pin me');
    expect(ack.type).toBe('live.chat.ack');
    const pinned = await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { pinned: { type: 'message', id: ack.id } } });
    expect(pinned.status).toBe(200);
    expect(pinned.body.live.pinned).toMatchObject({ type: 'message', id: ack.id, message: { text: 'pin me', user: { id: viewer.id } } });
    const state = await ws.waitFor((f) => f.type === 'live.state' && f.live.pinned?.id === ack.id);
    expect(state.live.pinned.message.text).toBe('pin me');
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { pinned: { type: 'message', id: '999999999' } } })).body.code).toBe('live_chat_message_not_found');
    // A product from a shop.
    const shop = await s.api('POST', '/shops', { token: host.token, body: { handle: uniqueName('shop').toLowerCase().replace(/[^a-z0-9]/g, ''), name: 'Host shop' } });
    expect(shop.status).toBe(201);
    const product = await s.api('POST', `/shops/${shop.body.shop.id}/products`, { token: host.token, body: { title: 'Mug', priceMinor: 1200, currency: 'EUR', stock: 5 } });
    expect(product.status).toBe(201);
    const withProduct = await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { pinned: { type: 'product', id: product.body.product.id } } });
    expect(withProduct.body.live.pinned).toMatchObject({ type: 'product', id: product.body.product.id, product: { title: 'Mug' } });
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { pinned: { type: 'product', id: '999999999' } } })).body.code).toBe('product_not_found');
    const cleared = await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { pinned: null } });
    expect(cleared.body.live.pinned).toBeNull();
  });
});

/** A shop of `owner` with one product; its id. */
async function productOf(owner: MadeUser, title = 'Mug') {
  const shop = await s.api('POST', '/shops', { token: owner.token, body: { handle: uniqueName('shop').toLowerCase().replace(/[^a-z0-9]/g, ''), name: `${title} shop` } });
  expect(shop.status).toBe(201);
  const product = await s.api('POST', `/shops/${shop.body.shop.id}/products`, { token: owner.token, body: { title, priceMinor: 1200, currency: 'EUR', stock: 5 } });
  expect(product.status).toBe(201);
  return product.body.product.id as string;
}

describe(`pinning a product (${engine})`, () => {
  it('host or moderator pin one of the host’s products; a viewer is 403, who cannot see the live 404, another shop’s product 403; viewers get it in live.state', async () => {
    const [mod, viewer, stranger, seller] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    const owner = await s.make.user();
    await befriend(s, viewer, owner);
    await befriend(s, mod, owner);
    const { live } = await makeLive(owner, 'friends');
    expect((await s.api('PUT', `/lives/${live.id}/moderators/${mod.id}`, { token: owner.token })).status).toBe(200);
    const mine = await productOf(owner, 'Scarf');
    const theirs = await productOf(seller, 'Lamp');
    const pin = (u: MadeUser, id: string) => s.api('PATCH', `/lives/${live.id}`, { token: u.token, body: { pinned: { type: 'product', id } } });

    const denied = await pin(viewer, mine);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not_live_moderator');
    expect((await pin(stranger, mine)).status).toBe(404);
    const foreign = await pin(owner, theirs);
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('not_host_product');
    expect((await pin(mod, theirs)).body.code).toBe('not_host_product');
    // Nothing was pinned by the refusals.
    expect((await s.api('GET', `/lives/${live.id}`, { token: viewer.token })).body.live.pinned).toBeNull();

    const { ws } = await joined(viewer, live.id);
    const pinned = await pin(owner, mine);
    expect(pinned.status).toBe(200);
    expect(pinned.body.live.pinned).toMatchObject({ type: 'product', id: mine, product: { title: 'Scarf', shop: { ownerId: owner.id } } });
    const state = await ws.waitFor((f) => f.type === 'live.state' && f.live.pinned?.id === mine);
    expect(state.live.pinned.product).toMatchObject({ title: 'Scarf', priceMinor: 1200, currency: 'EUR' });
    // A moderator may change it too (and clear it).
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: mod.token, body: { pinned: null } })).body.live.pinned).toBeNull();
    // An order from the live remembers it.
    const order = await s.api('POST', '/orders', {
      token: viewer.token,
      headers: { 'idempotency-key': `live-${live.id}` },
      body: { items: [{ productId: mine, quantity: 1 }], source: { type: 'live', id: live.id }, shippingAddress: { name: 'V', line1: '1 Rue', city: 'Paris', postalCode: '75001', country: 'FR' } },
    });
    expect(order.status).toBe(201);
    expect(order.body.order.source).toEqual({ type: 'live', id: live.id });
  });
});

describe(`who is live now: the LIVE ring's data (${engine})`, () => {
  it('GET /feed/live names on-air hosts only to their live’s audience; a follower is told in real time; ended lives leave it', async () => {
    const owner = await s.make.user();
    const [follower, friend, stranger, blocked] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await follow(s, follower, owner);
    await befriend(s, friend, owner);
    await follow(s, blocked, owner);
    await block(s, owner, blocked);
    const hostsFor = async (u: MadeUser | null) =>
      ((await s.api('GET', '/feed/live?limit=100', u ? { token: u.token } : {})).body.items as any[]).filter((l) => l.host.id === owner.id).map((l) => l.id);

    const { live } = await makeLive(owner, 'followers');
    // Waiting is not live: no ring yet.
    expect(await hostsFor(follower)).toEqual([]);
    const fan = await socket(follower);
    expect(await goOnAir(s.ctx, live.id)).toBe(true);
    // The follower's socket hears of it (the web app refreshes its rings on this frame).
    const told = await fan.waitFor((f) => f.type === 'notification' && f.notification.kind === 'live_started');
    expect(told.notification.subject).toEqual({ type: 'live', id: live.id });
    expect(await hostsFor(follower)).toEqual([live.id]);
    expect(await hostsFor(friend)).toEqual([live.id]);
    expect(await hostsFor(owner)).toEqual([live.id]);
    expect(await hostsFor(stranger)).toEqual([]);
    expect(await hostsFor(null)).toEqual([]);
    expect(await hostsFor(blocked)).toEqual([]);

    expect((await s.api('POST', `/lives/${live.id}/end`, { token: owner.token })).status).toBe(200);
    expect(await hostsFor(follower)).toEqual([]);
  });
});

describe(`lives that never go on air (${engine})`, () => {
  it('the worker’s sweep ends a live still waiting LIVE_WAITING_TIMEOUT_SEC after it was made; the room hears live.ended; on-air and newer lives stay', async () => {
    const owner = await s.make.user();
    const viewer = await s.make.user();
    const stale = (await makeLive(owner)).live;
    const fresh = (await makeLive(owner)).live;
    const onAir = (await makeLive(owner)).live;
    await goOnAir(s.ctx, onAir.id);
    const { ws } = await joined(viewer, stale.id);
    // Time passes for two of them (the timeout is counted from created_at).
    const past = new Date(Date.now() - s.ctx.config.live.waitingTimeoutMs - 60_000);
    await s.ctx.db.updateTable('lives').set({ created_at: past }).where('id', 'in', [stale.id, onAir.id]).execute();

    const sweep = s.ctx.modules.periodic.find((t) => t.name === 'live.end-unstarted')!;
    await sweep.run(s.ctx);
    await ws.waitFor((f) => f.type === 'live.ended' && f.liveId === stale.id);
    const statusOf = async (id: string) => (await s.api('GET', `/lives/${id}`, { token: owner.token })).body.live;
    expect(await statusOf(stale.id)).toMatchObject({ status: 'ended', endedAt: expect.any(String) });
    expect((await statusOf(fresh.id)).status).toBe('waiting');
    expect((await statusOf(onAir.id)).status).toBe('live');
    // Its room refuses chat now; a second sweep changes nothing.
    expect(await chat(ws, stale.id)).toMatchObject({ type: 'error', code: 'live_ended' });
    const endedAt = (await statusOf(stale.id)).endedAt;
    await sweep.run(s.ctx);
    expect((await statusOf(stale.id)).endedAt).toBe(endedAt);
    expect((await statusOf(fresh.id)).status).toBe('waiting');
  });
});

describe(`live chat (${engine})`, () => {
  it('live.join sends a snapshot with the recent chat; messages reach the room batched, each acked to its sender', async () => {
    const [a, b] = await Promise.all([s.make.user(), s.make.user()]);
    const { live } = await makeLive(host);
    const { ws: wa } = await joined(a, live.id);
    expect((await chat(wa, live.id, 'first')).type).toBe('live.chat.ack');
    const { ws: wb, snapshot } = await joined(b, live.id);
    expect(snapshot.live.id).toBe(live.id);
    expect(snapshot.recent.map((m: any) => m.text)).toContain('first');
    const ack = await chat(wa, live.id, 'second');
    expect(ack).toMatchObject({ type: 'live.chat.ack', id: expect.any(String) });
    const frame = await wb.waitFor(chatFrameWith('second'));
    expect(frame.liveId).toBe(live.id);
    expect(frame.messages.find((m: any) => m.text === 'second')).toMatchObject({ id: ack.id, user: { id: a.id }, text: 'second' });
    // Text is stored as text: markup is not interpreted, just carried.
    expect((await chat(wa, live.id, '<b>x</b>')).type).toBe('live.chat.ack');
    await wb.waitFor(chatFrameWith('<b>x</b>'));
    // Bad frames get invalid_frame naming the field.
    wa.send({ type: 'live.chat', liveId: live.id, clientMsgId: 'bad-1', text: '' });
    expect(await wa.waitFor((f) => f.type === 'error' && f.clientMsgId === 'bad-1')).toMatchObject({ code: 'invalid_frame', field: 'text' });
  });

  it('rate limit: a fourth message within 2 s is refused with rate_limited', async () => {
    const a = await s.make.user();
    const { live } = await makeLive(host);
    const { ws } = await joined(a, live.id);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await chat(ws, live.id, `r${i}`));
    expect(answers.slice(0, 3).map((x) => x.type)).toEqual(['live.chat.ack', 'live.chat.ack', 'live.chat.ack']);
    expect(answers[3]).toMatchObject({ type: 'error', code: 'rate_limited' });
  });

  it('slow mode: one message per slowModeSec for viewers (slow_mode), the host is exempt', async () => {
    const a = await s.make.user();
    const { live } = await makeLive(host);
    expect((await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { slowModeSec: 30 } })).status).toBe(200);
    const { ws } = await joined(a, live.id);
    expect((await chat(ws, live.id, 's1')).type).toBe('live.chat.ack');
    expect(await chat(ws, live.id, 's2')).toMatchObject({ type: 'error', code: 'slow_mode' });
    const { ws: wh } = await joined(host, live.id);
    expect((await chat(wh, live.id, 'h1')).type).toBe('live.chat.ack');
    expect((await chat(wh, live.id, 'h2')).type).toBe('live.chat.ack');
    // Turning it off lets the viewer talk again.
    await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { slowModeSec: 0 } });
    expect((await chat(ws, live.id, 's3')).type).toBe('live.chat.ack');
  });

  it('followers-only: people who do not follow the host are refused with followers_only; followers talk', async () => {
    const [stranger, fan] = await Promise.all([s.make.user(), s.make.user()]);
    await follow(s, fan, host);
    const { live } = await makeLive(host);
    await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { followersOnly: true } });
    const { ws: ws1 } = await joined(stranger, live.id);
    const { ws: ws2 } = await joined(fan, live.id);
    expect(await chat(ws1, live.id)).toMatchObject({ type: 'error', code: 'followers_only' });
    expect((await chat(ws2, live.id)).type).toBe('live.chat.ack');
  });

  for (const kind of ['timeout', 'ban'] as const) {
    it(`${kind}: the viewer's socket leaves the room at once and gets nothing more from it; they cannot chat or rejoin until lifted (banned)`, async () => {
      const [bad, other, mod] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
      const { live } = await makeLive(host);
      await s.api('PUT', `/lives/${live.id}/moderators/${mod.id}`, { token: host.token });
      const { ws: wBad } = await joined(bad, live.id);
      const { ws: wOther } = await joined(other, live.id);
      expect((await chat(wOther, live.id, 'before')).type).toBe('live.chat.ack');
      await wBad.waitFor(chatFrameWith('before'));
      // Viewers cannot ban; the moderator can.
      expect((await s.api('PUT', `/lives/${live.id}/bans/${bad.id}`, { token: other.token, body: {} })).status).toBe(403);
      expect((await s.api('PUT', `/lives/${live.id}/bans/${host.id}`, { token: mod.token, body: {} })).body.code).toBe('cannot_ban_host');
      const t0 = Date.now();
      const res = await s.api('PUT', `/lives/${live.id}/bans/${bad.id}`, { token: mod.token, body: kind === 'timeout' ? { durationSec: 60 } : {} });
      expect(res.status).toBe(200);
      const removed = await wBad.waitFor((f) => f.type === 'live.removed', 2_000);
      console.log(`[live] ${kind}: live.removed reached the socket ${Date.now() - t0} ms after the PUT answered (${engine})`);
      expect(removed).toMatchObject({ liveId: live.id, reason: kind === 'timeout' ? 'timeout' : 'banned' });
      expect(removed.until === null).toBe(kind === 'ban');
      const seen = wBad.frames.length;
      expect((await chat(wOther, live.id, 'after')).type).toBe('live.chat.ack');
      await wOther.waitFor(chatFrameWith('after'));
      await s.api('PATCH', `/lives/${live.id}`, { token: host.token, body: { slowModeSec: 1 } });
      await wOther.waitFor((f) => f.type === 'live.state' && f.live.settings.slowModeSec === 1);
      expect(wBad.frames.slice(seen).filter((f) => f.type?.startsWith('live.'))).toEqual([]);
      expect(await chat(wBad, live.id, 'let me in')).toMatchObject({ type: 'error', code: 'banned' });
      wBad.send({ type: 'live.join', liveId: live.id });
      expect(await wBad.waitFor((f) => f.type === 'error' && !f.clientMsgId)).toMatchObject({ code: 'banned' });
      // Lifted: they may chat again.
      expect((await s.api('DELETE', `/lives/${live.id}/bans/${bad.id}`, { token: mod.token })).status).toBe(200);
      expect((await chat(wBad, live.id, 'back')).type).toBe('live.chat.ack');
    });
  }

  it('delete: the host or a moderator deletes a message; the room gets live.chat.deleted and the snapshot leaves it out', async () => {
    const [a, b] = await Promise.all([s.make.user(), s.make.user()]);
    const { live } = await makeLive(host);
    const { ws: wa } = await joined(a, live.id);
    const { ws: wb } = await joined(b, live.id);
    const ack = await chat(wa, live.id, 'rude');
    await wb.waitFor(chatFrameWith('rude'));
    expect((await s.api('DELETE', `/lives/${live.id}/chat/${ack.id}`, { token: b.token })).status).toBe(403);
    expect((await s.api('DELETE', `/lives/${live.id}/chat/${ack.id}`, { token: host.token })).status).toBe(200);
    expect(await wb.waitFor((f) => f.type === 'live.chat.deleted')).toMatchObject({ liveId: live.id, ids: [ack.id] });
    expect((await s.api('DELETE', `/lives/${live.id}/chat/${ack.id}`, { token: host.token })).body.code).toBe('live_chat_message_not_found');
    const { snapshot } = await joined(b, live.id);
    expect(snapshot.recent.map((m: any) => m.id)).not.toContain(ack.id);
  });

  it('hearts are gathered and sent to the room; ending the live sends live.ended, and chat then answers live_ended', async () => {
    const a = await s.make.user();
    const { live } = await makeLive(host);
    const { ws } = await joined(a, live.id);
    ws.send({ type: 'live.heart', liveId: live.id, count: 3 });
    ws.send({ type: 'live.heart', liveId: live.id });
    const hearts = await ws.waitFor((f) => f.type === 'live.hearts');
    expect(hearts).toMatchObject({ liveId: live.id, count: 4 });
    expect((await s.api('POST', `/lives/${live.id}/end`, { token: a.token })).status).toBe(403);
    const ended = await s.api('POST', `/lives/${live.id}/end`, { token: host.token });
    expect(ended.body.live).toMatchObject({ status: 'ended', endedAt: expect.any(String), heartCount: 4 });
    await ws.waitFor((f) => f.type === 'live.ended' && f.liveId === live.id);
    expect(await chat(ws, live.id)).toMatchObject({ type: 'error', code: 'live_ended' });
  });
});
