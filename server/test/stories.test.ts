import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block, follow } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { leftoverFiles, makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';

// Stories (issue 15, acceptance 1 and 2): audiences, tray order, views, viewers, replies as
// messages with the story card, expiry and the archive, hostile media, metadata stripped.
let s: TestServer;

/** A small JPEG carrying EXIF with a GPS position and a camera model. */
async function jpegWithGps(): Promise<Buffer> {
  const out = await sharp({ create: { width: 64, height: 96, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'LoopCam', Model: 'Spy 3000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2916/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4032/100' },
    })
    .toBuffer();
  return out;
}
let picture: Buffer;

/** The tags of an EXIF block's first IFD (0x8825 is the pointer to the GPS IFD). */
function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0') === 0 ? 6 : 0);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd = u32(4);
  return Array.from({ length: u16(ifd) }, (_, i) => u16(ifd + 2 + i * 12));
}

async function post(u: MadeUser, fields: Record<string, string> = {}, bytes: Buffer = picture, type = 'image/jpeg', filename = 'moment.jpg') {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename);
  return s.api('POST', '/stories', { token: u.token, form });
}
async function story(u: MadeUser, audience = 'friends', caption = '') {
  const res = await post(u, { audience, caption });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.story;
}
const fetchMedia = (url: string, viewer: MadeUser | null) => fetch(s.url + url, { headers: viewer ? { authorization: `Bearer ${viewer.token}` } : {} });
const fetchStatus = async (url: string, viewer: MadeUser | null) => {
  const r = await fetchMedia(url, viewer);
  await r.arrayBuffer();
  return r.status;
};
/** Whether the viewer sees the story: by id, in the author's list, and its media — all agree or the test fails. */
async function sees(viewer: MadeUser | null, st: any): Promise<boolean> {
  const byId = await s.api('GET', `/stories/${st.id}`, { token: viewer?.token });
  const list = await s.api('GET', `/users/${st.author.id}/stories`, { token: viewer?.token });
  const media = await fetchStatus(st.mediaUrl, viewer);
  const all = [byId.status === 200, list.body.items.some((x: any) => x.id === st.id), media === 200];
  expect(new Set(all).size, `${viewer?.username ?? 'signed out'}: ${all}`).toBe(1);
  if (!all[0]) expect([byId.status, media]).toEqual([404, 404]);
  return all[0]!;
}

beforeAll(async () => {
  s = await startTestServer();
  picture = await jpegWithGps();
});
afterAll(() => s?.close());

describe('audiences (acceptance 1)', () => {
  let author: MadeUser, friend: MadeUser, close: MadeUser, follower: MadeUser, blocked: MadeUser, stranger: MadeUser;
  beforeAll(async () => {
    [author, friend, close, follower, blocked, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await befriend(s, author, friend);
    await befriend(s, author, close);
    await follow(s, follower, author);
    await befriend(s, author, blocked);
    expect((await s.api('PUT', `/me/close-friends/${close.id}`, { token: author.token })).status).toBe(204);
    expect((await s.api('PUT', `/me/close-friends/${blocked.id}`, { token: author.token })).status).toBe(204);
    await block(s, author, blocked);
  });

  it('friends: friends only', async () => {
    const st = await story(author, 'friends');
    expect(st).toMatchObject({ audience: 'friends', mediaType: 'image', status: 'ready', viewer: { seen: true }, viewCount: 0 });
    expect(await sees(author, st)).toBe(true);
    expect(await sees(friend, st)).toBe(true);
    expect(await sees(close, st)).toBe(true);
    expect(await sees(follower, st)).toBe(false);
    expect(await sees(blocked, st)).toBe(false);
    expect(await sees(stranger, st)).toBe(false);
    expect(await sees(null, st)).toBe(false);
  });

  it('close friends: only the people on the list, never across a block', async () => {
    const st = await story(author, 'close_friends');
    expect(await sees(close, st)).toBe(true);
    expect(await sees(friend, st)).toBe(false);
    expect(await sees(follower, st)).toBe(false);
    expect(await sees(blocked, st)).toBe(false);
    expect(await sees(stranger, st)).toBe(false);
    expect(await sees(null, st)).toBe(false);
    // Taken off the list: gone at once.
    expect((await s.api('DELETE', `/me/close-friends/${close.id}`, { token: author.token })).status).toBe(204);
    expect(await sees(close, st)).toBe(false);
    await s.api('PUT', `/me/close-friends/${close.id}`, { token: author.token });
    const list = await s.api('GET', '/me/close-friends', { token: author.token });
    expect(list.body.items.map((u: any) => u.id).sort()).toEqual([blocked.id, close.id].sort());
  });

  it('followers: followers and friends, not strangers or the blocked', async () => {
    const st = await story(author, 'followers');
    expect(await sees(follower, st)).toBe(true);
    expect(await sees(friend, st)).toBe(true);
    expect(await sees(blocked, st)).toBe(false);
    expect(await sees(stranger, st)).toBe(false);
    expect(await sees(null, st)).toBe(false);
  });

  it('refuses bad input and other people’s stories without changing anything', async () => {
    expect((await post(author, { audience: 'everyone' })).status).toBe(400);
    expect((await s.api('POST', '/stories', { token: author.token, body: { videoId: 'x' } })).status).toBe(400);
    expect((await s.api('PUT', `/me/close-friends/${author.id}`, { token: author.token })).status).toBe(400);
    expect((await s.api('PUT', '/me/close-friends/999999999', { token: author.token })).status).toBe(404);
    expect((await post(stranger, {}, picture)).status).toBe(201);
    const st = await story(author, 'friends');
    expect((await s.api('DELETE', `/stories/${st.id}`, { token: stranger.token })).status).toBe(404);
    expect((await s.api('DELETE', `/stories/${st.id}`, { token: friend.token })).status).toBe(403);
    expect((await s.api('POST', `/stories/${st.id}/views`, { token: stranger.token })).status).toBe(404);
    expect((await s.api('POST', `/stories/${st.id}/replies`, { token: friend.token, body: {} })).status).toBe(400);
    expect((await s.api('GET', `/stories/${st.id}`, { token: author.token })).status).toBe(200);
    expect((await s.api('DELETE', `/stories/${st.id}`, { token: author.token })).status).toBe(204);
    expect((await s.api('GET', `/stories/${st.id}`, { token: author.token })).status).toBe(404);
    expect(await fetchStatus(st.mediaUrl, author)).toBe(404);
  });
});

describe('the tray, views and viewers (acceptance 1)', () => {
  it('puts people with unseen stories first, then the closest; views count once; only the author lists viewers', async () => {
    const [me, carol, dave, eve, mallory] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    for (const f of [carol, dave, eve, mallory]) await befriend(s, me, f);
    const c1 = await story(carol);
    const c2 = await story(carol);
    const d1 = await story(dave);
    await story(eve, 'friends');
    await story(mallory, 'close_friends'); // me is not on mallory's list: not in my tray
    // I talk with dave: he is closer than eve, who posted later.
    const dm = (await s.api('POST', '/conversations', { token: me.token, body: { memberIds: [dave.id] } })).body.conversation;
    for (let i = 0; i < 3; i++) await s.api('POST', `/conversations/${dm.id}/messages`, { token: me.token, body: { clientMsgId: `m${i}`, text: 'hey' } });

    let tray = (await s.api('GET', '/stories/feed', { token: me.token })).body.items;
    // All unseen: dave (closest) first, then by the latest story (eve posted after carol); mallory's is not for me.
    expect(tray.map((e: any) => e.user.id)).toEqual([dave.id, eve.id, carol.id]);
    expect(tray.find((e: any) => e.user.id === carol.id).stories.map((x: any) => x.id)).toEqual([c1.id, c2.id]);

    // Seeing all of dave's and carol's: they move behind eve (unseen first).
    for (const id of [c1.id, c2.id, d1.id, c1.id, c1.id]) expect((await s.api('POST', `/stories/${id}/views`, { token: me.token })).status).toBe(204);
    tray = (await s.api('GET', '/stories/feed', { token: me.token })).body.items;
    expect(tray.map((e: any) => [e.user.id, e.allSeen])).toEqual([
      [eve.id, false],
      [dave.id, true],
      [carol.id, true],
    ]);

    const viewers = await s.api('GET', `/stories/${c1.id}/viewers`, { token: carol.token });
    expect(viewers.status).toBe(200);
    expect(viewers.body.items).toHaveLength(1);
    expect(viewers.body.items[0]).toMatchObject({ user: { id: me.id }, reaction: null, viewedAt: expect.any(String) });
    expect((await s.api('GET', `/stories/${c1.id}`, { token: carol.token })).body.story.viewCount).toBe(1);
    expect((await s.api('GET', `/stories/${c1.id}`, { token: me.token })).body.story).toMatchObject({ viewCount: null, viewer: { seen: true } });
    // The author's own looks are not views; nobody else sees the list.
    await s.api('POST', `/stories/${c1.id}/views`, { token: carol.token });
    expect((await s.api('GET', `/stories/${c1.id}/viewers`, { token: carol.token })).body.items).toHaveLength(1);
    expect((await s.api('GET', `/stories/${c1.id}/viewers`, { token: me.token })).status).toBe(404);
    expect((await s.api('GET', `/stories/${c1.id}/viewers`, { token: dave.token })).status).toBe(404);
    expect((await s.api('GET', `/stories/${c1.id}/viewers`)).status).toBe(401);
    expect((await s.api('GET', '/stories/feed')).status).toBe(401);
  });
});

describe('replies (acceptance 1)', () => {
  it('a friend’s reply is a message with the story card in their direct conversation; a non-friend’s is a request; the author is notified', async () => {
    const [author, friend, follower, blocked] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await befriend(s, author, friend);
    await follow(s, follower, author);
    await befriend(s, author, blocked);
    const st = await story(author, 'followers', 'sunset');

    const res = await s.api('POST', `/stories/${st.id}/replies`, { token: friend.token, body: { text: 'so pretty', reaction: '🔥' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.message).toMatchObject({ senderId: friend.id, text: '🔥 so pretty', share: { type: 'story', id: st.id, status: 'available' } });
    expect(res.body.message.share.card.story).toMatchObject({ id: st.id, author: { id: author.id }, caption: 'sunset' });
    const inbox = (await s.api('GET', '/conversations?folder=inbox', { token: author.token })).body.items;
    const direct = inbox.find((c: any) => c.id === res.body.message.conversationId);
    expect(direct).toMatchObject({ kind: 'direct' });
    const history = (await s.api('GET', `/conversations/${direct.id}/messages`, { token: author.token })).body.items;
    expect(history.at(-1)).toMatchObject({ text: '🔥 so pretty', share: { type: 'story', id: st.id, status: 'available' } });
    // The reaction is on the viewers list.
    const viewers = (await s.api('GET', `/stories/${st.id}/viewers`, { token: author.token })).body.items;
    expect(viewers).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: friend.id }), reaction: '🔥' })]);

    // A follower who is not a friend: the reply lands in the author's Requests.
    const req = await s.api('POST', `/stories/${st.id}/replies`, { token: follower.token, body: { reaction: '❤️' } });
    expect(req.status).toBe(201);
    const requests = (await s.api('GET', '/conversations?folder=requests', { token: author.token })).body.items;
    expect(requests.map((c: any) => c.id)).toContain(req.body.message.conversationId);

    // "Who may message me": nobody → refused, and nothing is recorded.
    await s.api('PATCH', '/me/settings', { token: author.token, body: { dmPolicy: 'nobody' } });
    const refused = await s.api('POST', `/stories/${st.id}/replies`, { token: friend.token, body: { text: 'again' } });
    expect(refused.status).toBe(403);
    await s.api('PATCH', '/me/settings', { token: author.token, body: { dmPolicy: 'everyone' } });
    // Blocked: the story is not there for them at all.
    await block(s, author, blocked);
    expect((await s.api('POST', `/stories/${st.id}/replies`, { token: blocked.token, body: { text: 'hi' } })).status).toBe(404);
    expect((await s.api('POST', `/stories/${st.id}/replies`, { token: author.token, body: { text: 'me' } })).status).toBe(400);

    await s.worker!.idle();
    const notes = (await s.api('GET', '/notifications', { token: author.token })).body.items.filter((n: any) => n.kind === 'story_reply');
    expect(notes.map((n: any) => n.actor.id).sort()).toEqual([friend.id, follower.id].sort());
    expect(notes.find((n: any) => n.actor.id === friend.id).text).toMatch(/replied to your story: 🔥 so pretty/);
    const settings = (await s.api('GET', '/me/notification-settings', { token: author.token })).body;
    expect(settings.story_reply).toEqual({ inApp: true, push: false });
  });
});

describe('expiry and the archive (acceptance 1)', () => {
  it('after expiry: 404 for everyone but the author, media URLs dead and the old file gone, the chat card unavailable', async () => {
    const [author, friend] = await Promise.all([s.make.user(), s.make.user()]);
    await befriend(s, author, friend);
    const st = await story(author, 'friends', 'fleeting');
    const reply = await s.api('POST', `/stories/${st.id}/replies`, { token: friend.token, body: { text: 'nice' } });
    const conversationId = reply.body.message.conversationId;
    const [row] = await s.ctx.db.selectFrom('stories').select(['image_key']).where('id', '=', st.id).execute();
    const oldFile = path.join(s.ctx.config.dataDir, 'media', row!.image_key!);
    expect(fs.existsSync(oldFile)).toBe(true);

    // Time passes (STORY_TTL_SEC is read when a story is made: move its end into the past).
    await s.ctx.db.updateTable('stories').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', st.id).execute();
    expect(await sees(friend, st)).toBe(false);
    expect((await s.api('GET', '/stories/feed', { token: friend.token })).body.items).toEqual([]);
    const mine = await s.api('GET', `/stories/${st.id}`, { token: author.token });
    expect(mine.status).toBe(200);
    expect(mine.body.story.status).toBe('expired');

    const sweep = s.ctx.modules.periodic.find((t) => t.name === 'stories.expire')!;
    await sweep.run(s.ctx);
    // The file the old URL served is gone from storage; the old URL fails for everyone, the author too.
    expect(fs.existsSync(oldFile)).toBe(false);
    expect(await fetchStatus(st.mediaUrl, author)).toBe(404);
    expect(await fetchStatus(st.mediaUrl, friend)).toBe(404);
    // The author keeps their copy in the archive, under a new URL only they can open.
    const archive = (await s.api('GET', '/me/stories/archive', { token: author.token })).body.items;
    expect(archive.map((x: any) => x.id)).toEqual([st.id]);
    expect(archive[0].mediaUrl).not.toBe(st.mediaUrl);
    const copy = await fetchMedia(archive[0].mediaUrl, author);
    expect(copy.status).toBe(200);
    expect((await sharp(Buffer.from(await copy.arrayBuffer())).metadata()).format).toBe('webp');
    expect(await fetchStatus(archive[0].mediaUrl, friend)).toBe(404);
    expect((await s.api('GET', '/me/stories/archive', { token: friend.token })).body.items).toEqual([]);
    // A second sweep changes nothing.
    await sweep.run(s.ctx);
    expect(await fetchStatus(archive[0].mediaUrl, author)).toBe(200);

    for (const u of [friend, author]) {
      const history = (await s.api('GET', `/conversations/${conversationId}/messages`, { token: u.token })).body.items;
      expect(history.at(-1)).toMatchObject({ text: 'nice', share: { type: 'story', id: st.id, status: 'unavailable', card: null } });
    }
    // Replies to an expired story are refused like any unseen story.
    expect((await s.api('POST', `/stories/${st.id}/replies`, { token: friend.token, body: { text: 'late' } })).status).toBe(404);
  });
});

describe('media (acceptance 2)', () => {
  it('re-encodes a JPEG with GPS EXIF into a picture with no metadata at all', async () => {
    const before = await sharp(picture).metadata();
    expect(ifd0Tags(before.exif!)).toContain(0x8825);
    expect(before.exif?.includes(Buffer.from('Spy 3000'))).toBe(true);
    const [author, friend] = await Promise.all([s.make.user(), s.make.user()]);
    await befriend(s, author, friend);
    const st = await story(author);
    const res = await fetchMedia(st.mediaUrl, friend);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    const after = await sharp(bytes).metadata();
    expect(after.format).toBe('webp');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(bytes.includes(Buffer.from('Spy 3000'))).toBe(false);
    expect([after.width, after.height]).toEqual([64, 96]);
  });

  const mp4 = () => fs.readFileSync(makeClip());
  const hostile: Array<[string, () => Buffer, number, RegExp]> = [
    ['a text file named .mp4', () => Buffer.from('hello, I am definitely a video\n'.repeat(20)), 422, /not a supported video/],
    ['an HLS playlist pointing at a local file', () => Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n'), 422, /playlist/],
    ['a concat list', () => Buffer.from("ffconcat version 1.0\nfile '/etc/passwd'\n"), 422, /concat/],
    ['a truncated MP4 (moov first)', () => mp4().subarray(0, Math.floor(mp4().length / 2)), 422, /truncated/],
    ['an MP4 header glued to garbage', () => Buffer.concat([mp4().subarray(0, 32), Buffer.alloc(2000, 7)]), 422, /./],
    ['a 0-byte file', () => Buffer.alloc(0), 422, /empty/],
    ['a JPEG header glued to garbage', () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3000, 9)]), 422, /./],
    ['a clip longer than 60 s', () => fs.readFileSync(makeClip({ seconds: 61, audio: false, width: 32, height: 32 })), 422, /at most 60 seconds/],
  ];
  it.each(hostile)('refuses %s for a story and keeps nothing', async (_name, bytes, status, reason) => {
    const author = await s.make.user();
    const videosBefore = Number((await s.ctx.db.selectFrom('videos').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const res = await post(author, {}, bytes(), 'video/mp4', 'clip.mp4');
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.detail).toMatch(reason);
    expect(res.body.errors[0].field).toBe('file');
    expect((await s.api('GET', `/users/${author.id}/stories`, { token: author.token })).body.items).toEqual([]);
    expect(Number((await s.ctx.db.selectFrom('videos').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)).toBe(videosBefore);
    expect(leftoverFiles(s)).toEqual([]);
  });

  it('plays a short clip through the media pipeline, only for its audience; and one of one’s own clips', async () => {
    const [author, friend, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
    await befriend(s, author, friend);
    const res = await post(author, { audience: 'friends' }, fs.readFileSync(makeClip()), 'video/mp4', 'clip.mp4');
    expect(res.status).toBe(202);
    expect(res.body.story).toMatchObject({ mediaType: 'video', status: 'processing', hlsUrl: null });
    // Not in anyone's tray while it is processing.
    expect((await s.api('GET', '/stories/feed', { token: friend.token })).body.items).toEqual([]);
    await s.worker!.idle();
    let st: any;
    for (let i = 0; i < 400; i++) {
      st = (await s.api('GET', `/stories/${res.body.story.id}`, { token: author.token })).body.story;
      if (st.status !== 'processing') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(st.status).toBe('ready');
    expect(await sees(friend, st)).toBe(true);
    expect(await sees(stranger, st)).toBe(false);
    expect(await fetchStatus(st.posterUrl, friend)).toBe(200);
    const playlist = await fetchMedia(st.hlsUrl, friend);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const rendition = (await playlist.text()).split('\n').find((l) => l.endsWith('.m3u8'))!;
    expect(await fetchStatus(st.hlsUrl.replace('master.m3u8', rendition), friend)).toBe(200);
    expect(await fetchStatus(st.hlsUrl.replace('master.m3u8', rendition), stranger)).toBe(404);
    // Deleting the story deletes the clip made for it.
    expect((await s.api('DELETE', `/stories/${st.id}`, { token: author.token })).status).toBe(204);
    expect(await fetchStatus(st.hlsUrl, friend)).toBe(404);

    // One of the author's own clips (never someone else's).
    const clip = await waitForVideo(s, author.token, (await uploadClip(s, author.token, makeClip(), { visibility: 'public' })).body.video.id);
    expect((await s.api('POST', '/stories', { token: friend.token, body: { videoId: clip.id } })).status).toBe(404);
    const fromClip = await s.api('POST', '/stories', { token: author.token, body: { videoId: clip.id, audience: 'friends' } });
    expect(fromClip.status).toBe(201);
    expect(fromClip.body.story).toMatchObject({ mediaType: 'video', status: 'ready' });
    expect(await sees(friend, fromClip.body.story)).toBe(true);
    await s.api('DELETE', `/stories/${fromClip.body.story.id}`, { token: author.token });
    expect((await s.api('GET', `/videos/${clip.id}`, { token: author.token })).status).toBe(200);
  });
});
