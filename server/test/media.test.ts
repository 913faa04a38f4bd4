import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateSignalCounters } from '../src/modules/media/index.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { graphEdges, leftoverFiles, makeClip, storedVideoFiles, uploadClip, waitForVideo } from './media-fixtures.ts';

// Upload → transcode → play, hostile files, media URLs, and engagement (issue 5, acceptance 1, 2, 4).
let s: TestServer;
let alice: MadeUser;
let bob: MadeUser;
beforeAll(async () => {
  // Small limits so "too large" and "too long" are cheap to hit.
  s = await startTestServer({ env: { VIDEO_MAX_BYTES: '400000', VIDEO_MAX_DURATION_SEC: '3' } });
  alice = await s.make.user();
  bob = await s.make.user();
});
afterAll(() => s?.close());

/** A raw tus PATCH (the harness's api() sends JSON bodies). */
const tusPatch = async (location: string, token: string, offset: number, chunk: Buffer) => {
  const res = await fetch(s.url + location, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    body: new Uint8Array(chunk),
  });
  await res.arrayBuffer();
  return { status: res.status, headers: res.headers };
};

const jobCount = async () => Number((await s.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
const videoCount = async () => Number((await s.ctx.db.selectFrom('videos').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

describe('upload → transcode → play', () => {
  it('publishes the low rendition first, pushes progress, and serves HLS with the right headers', async () => {
    const frames: any[] = [];
    const unsubscribe = await s.ctx.pubsub.subscribe(`user:${alice.id}`, (f) => frames.push(f));
    const res = await uploadClip(s, alice.token, makeClip({ width: 480, height: 854 }), { caption: 'First #loop with @' + bob.username, visibility: 'public' });
    expect(res.status).toBe(202);
    expect(res.body.video).toMatchObject({ status: 'processing', hlsUrl: null, width: 480, height: 854, visibility: 'public' });
    expect(res.body.video.entities).toEqual([
      { type: 'hashtag', start: 6, end: 11, tag: 'loop' },
      { type: 'mention', start: 17, end: 18 + bob.username.length, username: bob.username, userId: bob.id },
    ]);
    const video = await waitForVideo(s, alice.token, res.body.video.id);
    await unsubscribe();
    expect(video.status).toBe('ready');
    expect(video.progress).toBe(100);

    // Playable before the ladder finished: a `ready` frame with progress < 100 came first.
    const progressFrames = frames.filter((f) => f.type === 'video.progress' && f.videoId === video.id);
    const firstReady = progressFrames.find((f) => f.status === 'ready');
    expect(firstReady.progress).toBeLessThan(100);
    expect(progressFrames.at(-1)).toMatchObject({ status: 'ready', progress: 100 });

    const master = await fetch(s.url + video.hlsUrl);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await master.text();
    // 480×854 gets 240p and 480p — never upscaled to 720p.
    expect(text).toMatch(/RESOLUTION=240x42\d/);
    expect(text).toContain('RESOLUTION=480x854');
    expect(text).not.toContain('720p');

    const base = video.hlsUrl.replace(/master\.m3u8$/, '');
    const rendition = await (await fetch(`${s.url}${base}240p/index.m3u8`)).text();
    const segment = rendition.split('\n').find((l) => l.endsWith('.ts'))!;
    const whole = await fetch(`${s.url}${base}240p/${segment}`);
    expect(whole.headers.get('content-type')).toBe('video/mp2t');
    const size = (await whole.arrayBuffer()).byteLength;
    const part = await fetch(`${s.url}${base}240p/${segment}`, { headers: { range: 'bytes=0-187' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-187/${size}`);
    expect(new Uint8Array(await part.arrayBuffer())[0]).toBe(0x47); // MPEG-TS sync byte
    const poster = await fetch(s.url + video.posterUrl);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    // The poster is as wide as the clip, not upscaled to 720.
    expect(jpegSize(Buffer.from(await poster.arrayBuffer()))).toEqual({ width: 480, height: 854 });
    // The original is gone once every rendition is out; nothing stays in the work area.
    expect(storedVideoFiles(s).filter((f) => f.endsWith('source'))).toEqual([]);
    expect(leftoverFiles(s)).toEqual([]);
  });

  it('makes a poster for a clip whose picture ends long before its sound (a single frame over 2 s of audio)', async () => {
    const res = await uploadClip(s, alice.token, makeClip({ seconds: 2, videoFrames: 1 }), { visibility: 'public' });
    expect(res.status).toBe(202);
    await s.worker!.idle();
    const { video } = (await s.api('GET', `/videos/${res.body.video.id}`, { token: alice.token })).body;
    expect(video).toMatchObject({ status: 'ready', progress: 100 });
    const poster = await fetch(s.url + video.posterUrl);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/jpeg');
    expect((await fetch(s.url + video.hlsUrl)).status).toBe(200);
  });

  it('accepts a resumable tus upload in pieces, then POST /videos { uploadId }', async () => {
    const bytes = fs.readFileSync(makeClip({ format: 'webm' }));
    const opts = await s.api('OPTIONS', '/uploads');
    expect(opts.headers.get('tus-version')).toBe('1.0.0');
    const create = await s.api('POST', '/uploads', {
      token: alice.token,
      headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': `filename ${Buffer.from('a.webm').toString('base64')}` },
    });
    expect(create.status).toBe(201);
    const location = create.headers.get('location')!;
    const uploadId = location.split('/').pop()!;
    const patch = (token: string, offset: number, chunk: Buffer) => tusPatch(location, token, offset, chunk);
    const half = Math.floor(bytes.length / 2);
    expect((await patch(alice.token, 0, bytes.subarray(0, half))).headers.get('upload-offset')).toBe(String(half));
    // Someone else's upload does not exist for them; a wrong offset is a conflict.
    expect((await s.api('HEAD', location, { token: bob.token })).status).toBe(404);
    expect((await patch(alice.token, 0, bytes.subarray(0, 10))).status).toBe(409);
    const early = await s.api('POST', '/videos', { token: alice.token, body: { uploadId } });
    expect(early.status).toBe(409);
    const head = await s.api('HEAD', location, { token: alice.token });
    expect(head.headers.get('upload-offset')).toBe(String(half));
    expect((await patch(alice.token, half, bytes.subarray(half))).headers.get('upload-offset')).toBe(String(bytes.length));

    const created = await s.api('POST', '/videos', { token: alice.token, body: { uploadId, caption: 'via tus', visibility: 'public' } });
    expect(created.status).toBe(202);
    const video = await waitForVideo(s, alice.token, created.body.video.id);
    expect(video.status).toBe('ready');
    expect((await s.api('HEAD', location, { token: alice.token })).status).toBe(404);

    // Termination removes an unfinished upload.
    const other = await s.api('POST', '/uploads', { token: alice.token, headers: { 'tus-resumable': '1.0.0', 'upload-length': '1000' } });
    expect((await s.api('DELETE', other.headers.get('location')!, { token: alice.token, headers: { 'tus-resumable': '1.0.0' } })).status).toBe(204);
    expect(leftoverFiles(s)).toEqual([]);
  });
});

describe('hostile media', () => {
  const mp4 = () => fs.readFileSync(makeClip());
  const cases: Array<[string, () => Buffer, number, RegExp]> = [
    ['a text file named .mp4', () => Buffer.from('hello, I am definitely a video\n'.repeat(20)), 422, /not a supported video/],
    ['an HLS playlist pointing at a local file', () => Buffer.from('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n'), 422, /playlist/],
    ['a concat list', () => Buffer.from("ffconcat version 1.0\nfile '/etc/passwd'\n"), 422, /concat/],
    ['a concat list without header', () => Buffer.from("file '/etc/hostname'\nfile '/etc/passwd'\n"), 422, /concat/],
    ['a truncated MP4 (moov first)', () => mp4().subarray(0, Math.floor(mp4().length / 2)), 422, /truncated/],
    ['a truncated MP4 (moov last)', () => fs.readFileSync(makeClip({ faststart: false })).subarray(0, 3000), 422, /truncated|movie header/],
    ['a 0-byte file', () => Buffer.alloc(0), 422, /empty/],
    ['an MP4 header glued to garbage', () => Buffer.concat([mp4().subarray(0, 32), Buffer.alloc(2000, 7)]), 422, /./],
    ['a clip longer than the limit', () => fs.readFileSync(makeClip({ seconds: 5, audio: false })), 422, /at most 3 seconds/],
    ['a file larger than the limit', () => Buffer.alloc(500_000, 1), 413, /at most/],
  ];
  it.each(cases)('refuses %s with a reason and keeps nothing', async (_name, bytes, status, reason) => {
    const [jobsBefore, videosBefore] = [await jobCount(), await videoCount()];
    const res = await uploadClip(s, bob.token, bytes());
    expect(res.status).toBe(status);
    expect(res.body.code).toMatch(/^(not_a_video|video_too_long|file_too_large)$/);
    expect(res.body.detail).toMatch(reason);
    expect(res.body.errors[0].field).toBe('file');
    expect(await jobCount()).toBe(jobsBefore);
    expect(await videoCount()).toBe(videosBefore);
    expect(leftoverFiles(s)).toEqual([]);
  });

  it('refuses an oversized tus upload at creation and a hostile one at POST /videos', async () => {
    const big = await s.api('POST', '/uploads', { token: bob.token, headers: { 'tus-resumable': '1.0.0', 'upload-length': '400001' } });
    expect(big.status).toBe(413);
    const body = Buffer.from('#EXTM3U\n#EXTINF:1,\n/etc/passwd\n');
    const create = await s.api('POST', '/uploads', { token: bob.token, headers: { 'tus-resumable': '1.0.0', 'upload-length': String(body.length) } });
    const location = create.headers.get('location')!;
    expect((await tusPatch(location, bob.token, 0, body)).status).toBe(204);
    const res = await s.api('POST', '/videos', { token: bob.token, body: { uploadId: location.split('/').pop() } });
    expect(res.status).toBe(422);
    expect(leftoverFiles(s)).toEqual([]);
  });
});

describe('visibility and media URLs', () => {
  it('hides friends-only and private clips and their files from those who may not see them', async () => {
    const friend = await s.make.user();
    const stranger = await s.make.user();
    const g = graphEdges(s);
    await g.befriend(alice, friend);
    await g.follow(stranger, alice); // a follower is not a friend
    const clip = makeClip();
    const ids: Record<string, string> = {};
    for (const visibility of ['public', 'friends', 'private'])
      ids[visibility] = (await uploadClip(s, alice.token, clip, { visibility, caption: visibility })).body.video.id;
    await s.worker!.idle();
    const videos: Record<string, any> = {};
    for (const [k, id] of Object.entries(ids)) videos[k] = await waitForVideo(s, alice.token, id);

    const sees = async (viewer: MadeUser | null, which: string) => {
      const token = viewer?.token;
      const byId = await s.api('GET', `/videos/${ids[which]}`, { token });
      const v = videos[which];
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const mediaStatuses = await Promise.all([v.hlsUrl, v.posterUrl, v.hlsUrl.replace('master.m3u8', 'source/index.m3u8')].map(async (u: string) => (await fetch(s.url + u, { headers })).status));
      const grid = await s.api('GET', `/users/${alice.id}/videos`, { token });
      const inGrid = grid.status === 200 && grid.body.items.some((x: any) => x.id === ids[which]);
      const comments = await s.api('GET', `/videos/${ids[which]}/comments`, { token });
      const all = [byId.status === 200, ...mediaStatuses.map((st) => st === 200), inGrid, comments.status === 200];
      // Either everything is visible or nothing is: no partial leaks.
      expect(new Set(all).size, `${which} for ${viewer?.username ?? 'anonymous'}: ${all}`).toBe(1);
      if (!all[0]) expect([byId.status, ...mediaStatuses, comments.status].every((st) => st === 404)).toBe(true);
      return all[0];
    };
    expect(await sees(alice, 'private')).toBe(true);
    expect(await sees(alice, 'friends')).toBe(true);
    expect(await sees(friend, 'friends')).toBe(true);
    expect(await sees(friend, 'private')).toBe(false);
    expect(await sees(stranger, 'friends')).toBe(false);
    expect(await sees(stranger, 'private')).toBe(false);
    expect(await sees(null, 'friends')).toBe(false);
    expect(await sees(null, 'public')).toBe(true);
    expect(await sees(stranger, 'public')).toBe(true);

    // Cache headers: public media may be cached by anyone, the rest never.
    expect((await fetch(s.url + videos.public.posterUrl)).headers.get('cache-control')).toMatch(/^public/);
    const priv = await fetch(s.url + videos.private.posterUrl, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(priv.headers.get('cache-control')).toBe('private, no-store');
    // The path token cannot be guessed: a wrong one is 404 even for a public clip.
    expect((await fetch(s.url + videos.public.hlsUrl.replace(/\/[A-Za-z0-9_-]{22}\//, '/AAAAAAAAAAAAAAAAAAAAAA/'))).status).toBe(404);

    // The profile count follows the same rules.
    const profile = async (viewer: MadeUser) => (await s.api('GET', `/users/${alice.username}`, { token: viewer.token })).body.counts.videos;
    const own = await profile(alice);
    expect(await profile(friend)).toBe(own - 1);
    expect(await profile(stranger)).toBe(own - 2);

    // A block hides even public clips, both ways.
    await g.block(alice, stranger);
    expect(await sees(stranger, 'public')).toBe(false);
  });
});

describe('private accounts', () => {
  it('shows a private account’s public clips only to its approved followers, everywhere', async () => {
    const carol = await s.make.user();
    const follower = await s.make.user();
    const pending = await s.make.user(); // asked to follow, not (yet) approved
    const stranger = await s.make.user();
    const clip = makeClip();
    // One clip from before the account went private, one from after: both must be hidden.
    const before = (await uploadClip(s, carol.token, clip, { visibility: 'public', caption: 'before' })).body.video.id;
    // Someone else's clip between carol's two (newest first), so For You can alternate authors.
    await uploadClip(s, pending.token, clip, { visibility: 'public', caption: 'other' });
    expect((await s.api('PATCH', '/me/settings', { token: carol.token, body: { privateAccount: true } })).status).toBe(200);
    const after = (await uploadClip(s, carol.token, clip, { visibility: 'public', caption: 'after' })).body.video.id;
    await s.worker!.idle();
    const videos = { before: await waitForVideo(s, carol.token, before), after: await waitForVideo(s, carol.token, after) };

    expect((await s.api('PUT', `/users/${carol.id}/follow`, { token: follower.token })).body.relationship.requested).toBe(true);
    expect((await s.api('PUT', `/users/${carol.id}/follow`, { token: pending.token })).body.relationship.requested).toBe(true);
    expect((await s.api('POST', `/me/follow-requests/${follower.id}/accept`, { token: carol.token })).status).toBe(200);

    const forYou = async (token: string | undefined) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 30; i++) {
        const res: { body: any } = await s.api('GET', `/feed/for-you?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
        ids.push(...res.body.items.map((v: any) => v.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      return ids;
    };
    const sees = async (viewer: MadeUser | null, which: 'before' | 'after') => {
      const token = viewer?.token;
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const v = videos[which];
      const byId = await s.api('GET', `/videos/${v.id}`, { token });
      const media = await Promise.all([v.hlsUrl, v.posterUrl].map(async (u: string) => (await fetch(s.url + u, { headers })).status));
      const page = await fetch(`${s.url}/v/${v.id}`, { headers });
      await page.arrayBuffer();
      const grid = await s.api('GET', `/users/${carol.id}/videos`, { token });
      const all = [byId.status === 200, ...media.map((st) => st === 200), page.status === 200, grid.body.items.some((x: any) => x.id === v.id)];
      expect(new Set(all).size, `${which} for ${viewer?.username ?? 'anonymous'}: ${all}`).toBe(1);
      if (!all[0]) expect([byId.status, ...media, page.status]).toEqual([404, 404, 404, 404]);
      return all[0];
    };

    for (const which of ['before', 'after'] as const) {
      expect(await sees(carol, which)).toBe(true);
      expect(await sees(follower, which)).toBe(true);
      expect(await sees(pending, which)).toBe(false);
      expect(await sees(stranger, which)).toBe(false);
      expect(await sees(null, which)).toBe(false);
    }
    // For You recommends clips anyone may see: never a private account's, not even to its followers.
    for (const viewer of [stranger, pending, follower, null]) {
      const ids = await forYou(viewer?.token);
      expect(ids).not.toContain(before);
      expect(ids).not.toContain(after);
    }
    // The follower finds them where followers look: the Following feed.
    const following = (await s.api('GET', '/feed/following', { token: follower.token })).body.items.map((v: any) => v.id);
    expect(following).toEqual([after, before]);
    expect((await s.api('GET', '/feed/following', { token: pending.token })).body.items).toEqual([]);
    // The profile stays visible, its clip count follows the same rule.
    const count = async (viewer: MadeUser | null) => (await s.api('GET', `/users/${carol.username}`, { token: viewer?.token })).body.counts.videos;
    expect(await count(stranger)).toBe(0);
    expect(await count(null)).toBe(0);
    expect(await count(follower)).toBe(2);
    // …and says the account is private, so the app can say so instead of showing an empty grid.
    expect((await s.api('GET', `/users/${carol.username}`, { token: stranger.token })).body.privateAccount).toBe(true);
    // What followers fetch is theirs alone: no shared cache may keep it.
    const poster = await fetch(s.url + videos.after.posterUrl, { headers: { authorization: `Bearer ${follower.token}` } });
    expect(poster.headers.get('cache-control')).toBe('private, no-store');

    // Public again: everyone sees them, For You included.
    expect((await s.api('PATCH', '/me/settings', { token: carol.token, body: { privateAccount: false } })).status).toBe(200);
    expect(await sees(stranger, 'before')).toBe(true);
    expect(await sees(null, 'after')).toBe(true);
    expect(await forYou(stranger.token)).toEqual(expect.arrayContaining([before, after]));
    expect((await s.api('GET', `/users/${carol.username}`, { token: stranger.token })).body.privateAccount).toBe(false);
  });
});

describe('engagement', () => {
  let videoId: string;
  beforeAll(async () => {
    const res = await uploadClip(s, alice.token, makeClip(), { caption: 'engage' });
    videoId = (await waitForVideo(s, alice.token, res.body.video.id)).id;
  });

  it('counts likes exactly under concurrent requests', async () => {
    const fans = await Promise.all(Array.from({ length: 12 }, () => s.make.user()));
    const results = await Promise.all([
      ...fans.map((f) => s.api('PUT', `/videos/${videoId}/like`, { token: f.token })),
      // The same person liking many times at once still counts once.
      ...Array.from({ length: 8 }, () => s.api('PUT', `/videos/${videoId}/like`, { token: bob.token })),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    let v = (await s.api('GET', `/videos/${videoId}`, { token: bob.token })).body.video;
    expect(v.counts.likes).toBe(13);
    expect(v.viewer.liked).toBe(true);
    await Promise.all([...fans.slice(0, 5), bob, bob].map((f) => s.api('DELETE', `/videos/${videoId}/like`, { token: f.token })));
    v = (await s.api('GET', `/videos/${videoId}`, { token: bob.token })).body.video;
    expect(v.counts.likes).toBe(7);
    expect(v.viewer.liked).toBe(false);

    const saved = await s.api('PUT', `/videos/${videoId}/save`, { token: bob.token });
    expect(saved.body.video).toMatchObject({ viewer: { saved: true }, counts: { saves: 1 } });
  });

  it('threads comments one level deep, lets the video author delete any comment, and honours comments off', async () => {
    const top = await s.api('POST', `/videos/${videoId}/comments`, { token: bob.token, body: { text: 'love it' } });
    expect(top.status).toBe(201);
    const reply = await s.api('POST', `/videos/${videoId}/comments`, { token: alice.token, body: { text: 'thanks!', replyToId: top.body.comment.id } });
    // A reply to a reply joins the same thread.
    const deeper = await s.api('POST', `/videos/${videoId}/comments`, { token: bob.token, body: { text: '🙌', replyToId: reply.body.comment.id } });
    expect(deeper.body.comment.replyToId).toBe(top.body.comment.id);
    const liked = await s.api('PUT', `/videos/${videoId}/comments/${top.body.comment.id}/like`, { token: alice.token });
    expect(liked.body.comment).toMatchObject({ likes: 1, viewer: { liked: true } });

    const list = await s.api('GET', `/videos/${videoId}/comments`, { token: bob.token });
    expect(list.body.items.map((c: any) => [c.text, c.replies])).toEqual([['love it', 2]]);
    const replies = await s.api('GET', `/videos/${videoId}/comments?replyToId=${top.body.comment.id}`, { token: bob.token });
    expect(replies.body.items.map((c: any) => c.text)).toEqual(['thanks!', '🙌']);
    expect((await s.api('GET', `/videos/${videoId}`, { token: bob.token })).body.video.counts.comments).toBe(3);

    // Bob cannot delete Alice's reply; Alice (the video's author) can delete Bob's thread.
    expect((await s.api('DELETE', `/videos/${videoId}/comments/${reply.body.comment.id}`, { token: bob.token })).status).toBe(403);
    expect((await s.api('DELETE', `/videos/${videoId}/comments/${top.body.comment.id}`, { token: alice.token })).status).toBe(204);
    expect((await s.api('GET', `/videos/${videoId}`, { token: bob.token })).body.video.counts.comments).toBe(0);

    expect((await s.api('POST', `/videos/${videoId}/comments`, { token: bob.token, body: { text: '' } })).body.errors[0].field).toBe('text');
    await s.api('PATCH', `/videos/${videoId}`, { token: alice.token, body: { commentsEnabled: false } });
    expect((await s.api('POST', `/videos/${videoId}/comments`, { token: bob.token, body: { text: 'hi' } })).status).toBe(403);
    await s.api('PATCH', `/videos/${videoId}`, { token: alice.token, body: { commentsEnabled: true } });
  });

  it('counts a view once per viewer per day from batched events', async () => {
    const viewer = await s.make.user();
    const events = [
      { type: 'impression', videoId },
      { type: 'watch', videoId, watchedMs: 300 }, // a glance is not a view
      { type: 'watch', videoId, watchedMs: 1500 },
      { type: 'completion', videoId },
    ];
    expect((await s.api('POST', '/events', { token: viewer.token, body: { events } })).status).toBe(202);
    await s.api('POST', '/events', { token: viewer.token, body: { events: [{ type: 'watch', videoId, watchedMs: 5000 }] } });
    // Views are folded in from the event log by the worker's job (every 10 s); run it now.
    await aggregateSignalCounters(s.ctx);
    const v = (await s.api('GET', `/videos/${videoId}`, { token: viewer.token })).body.video;
    expect(v.counts.views).toBe(1);
    const bad = await s.api('POST', '/events', { token: viewer.token, body: { events: [{ type: 'teleport', videoId }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('events.0.type');
  });

  it('lets only the author delete a clip, and its files go too', async () => {
    const res = await uploadClip(s, bob.token, makeClip(), { caption: 'short-lived' });
    const v = await waitForVideo(s, bob.token, res.body.video.id);
    expect(storedVideoFiles(s).some((f) => f.startsWith(`${v.id}/`))).toBe(true);
    expect((await s.api('DELETE', `/videos/${v.id}`, { token: alice.token })).status).toBe(403);
    expect((await s.api('DELETE', `/videos/${v.id}`, { token: bob.token })).status).toBe(204);
    expect((await s.api('GET', `/videos/${v.id}`, { token: bob.token })).status).toBe(404);
    await s.worker!.idle();
    expect(storedVideoFiles(s).filter((f) => f.startsWith(`${v.id}/`))).toEqual([]);
    expect((await fetch(s.url + v.hlsUrl)).status).toBe(404);
  });
});

/** A JPEG's size, from its start-of-frame segment. */
function jpegSize(jpeg: Buffer): { width: number; height: number } {
  let at = 2;
  while (at + 9 < jpeg.length) {
    const marker = jpeg[at + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { height: jpeg.readUInt16BE(at + 5), width: jpeg.readUInt16BE(at + 7) };
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  throw new Error('no start-of-frame segment');
}
