import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block, follow } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip } from './media-fixtures.ts';
import { makeProduct, makeShop } from './shop-fixtures.ts';

// Discovery (issue 13): GET /search (users, videos, hashtags, products) and GET /hashtags/:tag/videos,
// with the feeds' visibility rules: private accounts, blocks, friends-only and private clips.
let s: TestServer;
let ana: MadeUser; // public author
let pia: MadeUser; // private account
let bo: MadeUser; // blocks `me`
let friend: MadeUser; // ana's friend
let pFollower: MadeUser; // approved follower of pia
let stranger: MadeUser;
const clip: Record<string, string> = {};

async function post(u: MadeUser, name: string, caption: string, visibility = 'public') {
  const res = await uploadClip(s, u.token, makeClip(), { caption, visibility });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  clip[name] = res.body.video.id;
}

beforeAll(async () => {
  s = await startTestServer({ env: { FFMPEG_PRESET: 'ultrafast' } });
  ana = await s.make.user({ username: `anasearch${process.pid % 1000}`, displayName: 'Ana Lisboa' });
  pia = await s.make.user();
  bo = await s.make.user();
  friend = await s.make.user();
  pFollower = await s.make.user();
  stranger = await s.make.user();
  await befriend(s, ana, friend);
  await follow(s, pFollower, pia); // before pia goes private: an approved follower
  await s.api('PATCH', '/me/settings', { token: pia.token, body: { privateAccount: true } });
  await block(s, bo, stranger);

  await post(ana, 'sunset', 'Sunset over #Lisbon, golden hour');
  await post(ana, 'cats1', 'Two cats, 100% real #Cats');
  await post(ana, 'cats2', 'more #cats and a #catsofinstagram moment');
  await post(ana, 'catsFriends', 'friends only #cats', 'friends');
  await post(ana, 'catsPrivate', 'just me #cats #secretcats', 'private');
  await post(pia, 'catsPia', 'from a private account #cats');
  await post(bo, 'catsBo', 'blocked author #cats');
  await post(ana, 'under', 'snake_case and a plain caption');
  await s.worker!.idle();
  // Popularity: one like puts cats2 ahead of cats1 among equally relevant clips.
  expect((await s.api('PUT', `/videos/${clip.cats2}/like`, { token: friend.token })).status).toBe(200);
}, 600_000);
afterAll(() => s?.close());

const ids = (res: any) => {
  const body = res.body && 'status' in res ? res.body : res;
  if (!Array.isArray(body.items)) throw new Error(JSON.stringify(body));
  return (body.items as any[]).map((v) => v.id);
};

async function all(path: string, token?: string) {
  const out: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const res: any = await s.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

describe(`hashtag pages (${engine})`, () => {
  it('show each person exactly the clips they may see, newest first, case-insensitively', async () => {
    const open = [clip.cats2, clip.cats1];
    expect(ids(await s.api('GET', '/hashtags/cats/videos'))).toEqual([clip.catsBo, ...open]); // signed out
    expect(ids(await s.api('GET', '/hashtags/CATS/videos', { token: stranger.token }))).toEqual(open);
    expect(ids(await s.api('GET', '/hashtags/%23cats/videos', { token: stranger.token }))).toEqual(open);
    // A friend sees friends-only clips; an approved follower sees the private account's; nobody else sees the private clip.
    expect(ids(await s.api('GET', '/hashtags/cats/videos', { token: friend.token }))).toEqual([clip.catsBo, clip.catsFriends, clip.cats2, clip.cats1]);
    expect(ids(await s.api('GET', '/hashtags/cats/videos', { token: pFollower.token }))).toEqual([clip.catsBo, clip.catsPia, clip.cats2, clip.cats1]);
    // The author sees their own clips, the private one too.
    expect(ids(await s.api('GET', '/hashtags/cats/videos', { token: ana.token }))).toEqual([clip.catsBo, clip.catsPrivate, clip.catsFriends, clip.cats2, clip.cats1]);
    // Someone blocked by bo never sees bo's clip; bo's is there for others.
    expect(ids(await s.api('GET', '/hashtags/cats/videos', { token: bo.token }))).not.toContain(clip.catsPia);
    expect(ids(await s.api('GET', '/hashtags/secretcats/videos', { token: stranger.token }))).toEqual([]);
    expect(ids(await s.api('GET', '/hashtags/nobodyusesthis/videos'))).toEqual([]);
  });

  it('page with cursors tied to the tag and the viewer', async () => {
    const walked = await all('/hashtags/cats/videos', friend.token);
    expect(walked.map((v) => v.id)).toEqual([clip.catsBo, clip.catsFriends, clip.cats2, clip.cats1]);
    const first = await s.api('GET', '/hashtags/cats/videos?limit=1', { token: friend.token });
    const cursor = encodeURIComponent(first.body.nextCursor);
    expect((await s.api('GET', `/hashtags/lisbon/videos?cursor=${cursor}`, { token: friend.token })).status).toBe(400);
    expect((await s.api('GET', `/hashtags/cats/videos?cursor=${cursor}`, { token: stranger.token })).status).toBe(400);
  });

  it('refuse a tag that is not a tag', async () => {
    // Longer than the router takes: 414 before any handler runs.
    expect((await s.api('GET', `/hashtags/${'x'.repeat(101)}/videos`)).status).toBe(414);
    for (const bad of ['a%20b', '%25', 'a-b', '%00']) {
      const res = await s.api('GET', `/hashtags/${bad}/videos`);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});

describe(`search (${engine})`, () => {
  const search = (q: string, type: string, token?: string) => s.api('GET', `/search?type=${type}&q=${encodeURIComponent(q)}`, { token });

  it('finds clips by hashtag first, then by caption text, then by close words; popular first within each', async () => {
    const cats = ids((await search('cats', 'videos', stranger.token)).body);
    // #cats exactly (cats2 has a like), then the caption "Two cats" clip carries #cats too.
    expect(cats).toEqual([clip.cats2, clip.cats1]);
    expect(ids((await search('#Lisbon', 'videos')).body)).toEqual([clip.sunset]);
    expect(ids((await search('golden hour', 'videos')).body)).toEqual([clip.sunset]);
    // A typo still finds it.
    expect(ids((await search('lisbn', 'videos')).body)).toEqual([clip.sunset]);
    // A friend finds the friends-only clip; strangers never do, nor anyone the private one.
    expect(ids((await search('friends only', 'videos', friend.token)).body)).toEqual([clip.catsFriends]);
    expect(ids((await search('friends only', 'videos', stranger.token)).body)).toEqual([]);
    expect(ids((await search('just me', 'videos', friend.token)).body)).toEqual([]);
    expect(ids((await search('private account', 'videos', stranger.token)).body)).toEqual([]);
    expect(ids((await search('private account', 'videos', pFollower.token)).body)).toEqual([clip.catsPia]);
    expect(ids((await search('blocked author', 'videos', stranger.token)).body)).toEqual([]);
  });

  it('takes % _ and backslashes literally', async () => {
    expect(ids((await search('100%', 'videos')).body)).toEqual([clip.cats1]);
    expect(ids((await search('%', 'videos')).body)).toEqual([clip.cats1]);
    expect(ids((await search('_', 'videos')).body)).toEqual([clip.under]);
    expect(ids((await search('\\', 'videos')).body)).toEqual([]);
    expect((await search('%', 'hashtags')).body.items).toEqual([]);
    expect((await search('%', 'users')).body.items).toEqual([]);
    expect((await search('%', 'products')).body.items).toEqual([]);
  });

  it('refuses NUL and other control characters, an unknown type and an empty query with a 400 naming the field', async () => {
    for (const [q, type, field] of [
      ['a\u0000b', 'videos', 'q'],
      ['\u0000', 'users', 'q'],
      ['a\nb', 'hashtags', 'q'],
      ['   ', 'videos', 'q'],
      ['cats', 'lives', 'type'],
    ] as const) {
      const res = await search(q, type);
      expect(res.status, JSON.stringify([q, type])).toBe(400);
      expect(res.body.detail).toContain(field);
    }
  });

  it('finds hashtags by prefix and typo, counting only clips the caller may see', async () => {
    const tags = (await search('cat', 'hashtags', stranger.token)).body.items;
    expect(tags).toEqual([
      { tag: 'cats', videos: 2 },
      { tag: 'catsofinstagram', videos: 1 },
    ]);
    expect((await search('#CATS', 'hashtags', friend.token)).body.items[0]).toEqual({ tag: 'cats', videos: 4 });
    expect((await search('catss', 'hashtags')).body.items.map((t: any) => t.tag)).toContain('cats');
    // A tag only on a private clip does not exist for others.
    expect((await search('secretcats', 'hashtags', stranger.token)).body.items).toEqual([]);
    const walked = await all(`/search?type=hashtags&q=cat`, stranger.token);
    expect(walked.map((t) => t.tag)).toEqual(['cats', 'catsofinstagram']);
  });

  it('finds people by prefix, display name and typo; never someone who blocked you', async () => {
    const prefix = ana.username.slice(0, 6);
    expect((await search(prefix, 'users', stranger.token)).body.items.map((u: any) => u.id)).toContain(ana.id);
    expect((await search('Lisboa', 'users', stranger.token)).body.items.map((u: any) => u.id)).toContain(ana.id);
    expect((await search(`@${ana.username}`, 'users')).body.items[0].id).toBe(ana.id);
    const typo = `${ana.username.slice(0, 3)}x${ana.username.slice(4)}`;
    expect((await search(typo, 'users')).body.items.map((u: any) => u.id)).toContain(ana.id);
    expect((await search(bo.username, 'users', stranger.token)).body.items.map((u: any) => u.id)).not.toContain(bo.id);
    expect((await search(bo.username, 'users', friend.token)).body.items.map((u: any) => u.id)).toContain(bo.id);
  });

  it('finds products by title, prefix first, with typos; not a blocking owner’s', async () => {
    const shop = await makeShop(s, ana);
    const tripod = await makeProduct(s, ana, shop.id, { title: 'Golden Hour Tripod' });
    const mini = await makeProduct(s, ana, shop.id, { title: 'Tripod mini' });
    const boShop = await makeShop(s, bo);
    const boTripod = await makeProduct(s, bo, boShop.id, { title: 'Tripod by bo' });
    expect(ids((await search('tripod', 'products', stranger.token)).body)).toEqual([mini.id, tripod.id]);
    expect(ids((await search('tripod', 'products', friend.token)).body)).toEqual([boTripod.id, mini.id, tripod.id]);
    expect(ids((await search('tripd', 'products', stranger.token)).body)).toEqual(expect.arrayContaining([mini.id, tripod.id]));
    const walked = await all('/search?type=products&q=tripod', friend.token);
    expect(walked.map((p) => p.id)).toEqual([boTripod.id, mini.id, tripod.id]);
  });

  it('gives cursors that work only for the same query, type and person', async () => {
    const first = await s.api('GET', '/search?type=videos&q=cats&limit=1', { token: stranger.token });
    expect(first.body.nextCursor).toBeTruthy();
    const c = encodeURIComponent(first.body.nextCursor);
    const next = await s.api('GET', `/search?type=videos&q=cats&limit=1&cursor=${c}`, { token: stranger.token });
    expect(ids(next.body)).toEqual([clip.cats1]);
    expect((await s.api('GET', `/search?type=videos&q=dogs&cursor=${c}`, { token: stranger.token })).status).toBe(400);
    expect((await s.api('GET', `/search?type=hashtags&q=cats&cursor=${c}`, { token: stranger.token })).status).toBe(400);
    expect((await s.api('GET', `/search?type=videos&q=cats&cursor=${c}`, { token: friend.token })).status).toBe(400);
  });
});
