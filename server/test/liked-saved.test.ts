import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend, block, follow } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';

// GET /me/liked and /me/saved: one's own profile's Liked and Saved tabs (issue 11).
let s: TestServer;
let viewer: MadeUser;
let author: MadeUser;
let friend: MadeUser;
let locked: MadeUser;

async function clip(owner: MadeUser, visibility: 'public' | 'friends' | 'private' = 'public', caption = 'a clip') {
  const res = await uploadClip(s, owner.token, makeClip(), { caption, visibility });
  expect(res.status).toBe(202);
  return (await waitForVideo(s, owner.token, res.body.video.id, (v) => v.status !== 'processing')) as { id: string };
}

const put = async (u: MadeUser, path: string) => expect((await s.api('PUT', path, { token: u.token })).status).toBe(200);
const ids = (body: { items: Array<{ id: string }> }) => body.items.map((v) => v.id);

beforeAll(async () => {
  // Many tiny clips: the fastest encoder preset keeps the file quick.
  s = await startTestServer({ env: { FFMPEG_PRESET: 'ultrafast' } });
  [viewer, author, friend, locked] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
  await befriend(s, viewer, friend);
});
afterAll(() => s?.close());

describe('GET /me/liked and /me/saved', () => {
  it('list what the caller liked or saved, most recent first, keyset-paged, each list its own', async () => {
    const clips = await Promise.all([0, 1, 2, 3].map((i) => clip(author, 'public', `liked ${i}`)));
    // Liked in an order other than the clips' age: the list follows when they were liked.
    for (const i of [2, 0, 3, 1]) await put(viewer, `/videos/${clips[i]!.id}/like`);
    await put(viewer, `/videos/${clips[1]!.id}/save`);
    const expected = [1, 3, 0, 2].map((i) => clips[i]!.id);

    const all = await s.api('GET', '/me/liked?limit=10', { token: viewer.token });
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(expected);
    expect(all.body.items.map((v: { viewer: unknown }) => v.viewer)).toEqual([{ liked: true, saved: true }, ...Array(3).fill({ liked: true, saved: false })]);
    expect(all.body.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await s.api('GET', `/me/liked?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: viewer.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const saved = await s.api('GET', '/me/saved', { token: viewer.token });
    expect(ids(saved.body)).toEqual([clips[1]!.id]);
    expect(saved.body.items[0].viewer).toEqual({ liked: true, saved: true });
    // Someone else's lists are their own.
    expect((await s.api('GET', '/me/liked', { token: author.token })).body.items).toEqual([]);

    await s.api('DELETE', `/videos/${clips[1]!.id}/like`, { token: viewer.token });
    expect(ids((await s.api('GET', '/me/liked?limit=10', { token: viewer.token })).body)).toEqual(expected.slice(1));
  });

  it('show only clips the caller may still see', async () => {
    const me = await s.make.user();
    await befriend(s, me, friend);
    const madePrivate = await clip(author, 'public', 'goes private');
    const deleted = await clip(author, 'public', 'deleted');
    const friendsOnly = await clip(friend, 'friends', 'friends only');
    const blocker = await s.make.user();
    const blocked = await clip(blocker, 'public', 'then a block');
    await follow(s, me, locked);
    const ofLocked = await clip(locked, 'public', 'private account');
    const own = await clip(me, 'private', 'my own private clip');
    const all = [madePrivate, deleted, friendsOnly, blocked, ofLocked, own];
    for (const v of all) await put(me, `/videos/${v.id}/save`);
    const list = async () => ids((await s.api('GET', '/me/saved?limit=50', { token: me.token })).body);
    expect(new Set(await list())).toEqual(new Set(all.map((v) => v.id)));

    expect((await s.api('PATCH', `/videos/${madePrivate.id}`, { token: author.token, body: { visibility: 'private' } })).status).toBe(200);
    expect((await s.api('DELETE', `/videos/${deleted.id}`, { token: author.token })).status).toBe(204);
    await block(s, blocker, me);
    // A private account: its clips are for approved followers, and this person stops following.
    expect((await s.api('PATCH', '/me/settings', { token: locked.token, body: { privateAccount: true } })).status).toBe(200);
    expect(await list()).toContain(ofLocked.id);
    expect((await s.api('DELETE', `/users/${locked.id}/follow`, { token: me.token })).status).toBe(200);
    expect(new Set(await list())).toEqual(new Set([friendsOnly.id, own.id]));
    // Friends-only clips go when the friendship does.
    expect((await s.api('DELETE', `/users/${friend.id}/follow`, { token: me.token })).status).toBe(200);
    expect(await list()).toEqual([own.id]);
  });

  it('page past a stretch of clips the caller may no longer see', async () => {
    const hider = await s.make.user();
    const visible = await clip(author, 'public', 'still visible');
    await put(viewer, `/videos/${visible.id}/like`);
    // More hidden likes than one request scans (3 rounds of limit + 1 rows).
    const hidden = await Promise.all(Array.from({ length: 7 }, (_, i) => clip(hider, 'public', `hidden ${i}`)));
    for (const v of hidden) await put(viewer, `/videos/${v.id}/like`);
    await block(s, hider, viewer);
    const seen: string[] = [];
    let cursor: string | null = null;
    let requests = 0;
    do {
      const res: { status: number; body: any } = await s.api('GET', `/me/liked?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: viewer.token });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
      requests += 1;
    } while (cursor && requests < 20);
    expect(seen[0]).toBe(visible.id);
    expect(seen).not.toEqual(expect.arrayContaining([hidden[0]!.id]));
    expect(cursor).toBeNull();
    expect(requests).toBeGreaterThan(1);
  });

  it('need a signed-in caller, and refuse a cursor they did not get', async () => {
    expect((await s.api('GET', '/me/liked')).status).toBe(401);
    expect((await s.api('GET', '/me/saved')).status).toBe(401);
    const bad = await s.api('GET', '/me/saved?cursor=bm90LWEtY3Vyc29y.abc', { token: viewer.token });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });
});
