import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip } from './media-fixtures.ts';

// For You's "You're caught up with friends" marker (API.md: `caughtUpWithFriends: true` on the
// first item after the viewer has seen everything new from friends).
let s: TestServer;
let pal: MadeUser;
const palClips: string[] = [];
let secret = '';

async function post(u: MadeUser, caption: string, visibility = 'public') {
  const res = await uploadClip(s, u.token, makeClip(), { caption, visibility });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.video.id as string;
}

beforeAll(async () => {
  s = await startTestServer({ env: { FFMPEG_PRESET: 'ultrafast' } });
  pal = await s.make.user();
  const others = [await s.make.user(), await s.make.user(), await s.make.user()];
  for (const o of others) await post(o, 'someone else');
  for (let i = 0; i < 2; i++) palClips.push(await post(pal, `pal ${i}`));
  await post(others[0]!, 'someone else again');
  await s.worker!.idle();
}, 600_000);
afterAll(() => s?.close());

/** Walks For You in pages of `limit` until `n` items. */
async function walk(token: string, n: number, limit = 2) {
  const items: any[] = [];
  let cursor: string | null = null;
  while (items.length < n) {
    const res: any = await s.api('GET', `/feed/for-you?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  }
  return items;
}

const markers = (items: any[]) => items.flatMap((v, i) => (v.caughtUpWithFriends ? [i] : []));

describe(`caught up with friends (${engine})`, () => {
  it('marks the first clip after the last new one from friends, once', async () => {
    const me = await s.make.user();
    await befriend(s, me, pal);
    const items = await walk(me.token, 6);
    const lastPal = Math.max(...palClips.map((id) => items.findIndex((v) => v.id === id)));
    expect(lastPal).toBeGreaterThanOrEqual(0);
    expect(lastPal).toBeLessThan(5);
    expect(markers(items)).toEqual([lastPal + 1]);
  });

  it('marks nothing for someone whose friends posted nothing new, or who has no friends', async () => {
    const quiet = await s.make.user();
    const loner = await s.make.user();
    await befriend(s, quiet, loner);
    expect(markers(await walk(quiet.token, 6))).toEqual([]);
    expect(markers(await walk((await s.make.user()).token, 6))).toEqual([]);
  });

  it('waits for a friends-only clip seen elsewhere, then marks the first clip', async () => {
    const me = await s.make.user();
    await befriend(s, me, pal);
    // Seen both public ones already (impressions), but not a new friends-only clip, which For You never shows.
    const ev = await s.api('POST', '/events', { token: me.token, body: { events: palClips.map((videoId) => ({ type: 'impression', videoId })) } });
    expect(ev.status).toBe(202);
    secret ||= await post(pal, 'for friends', 'friends');
    await s.worker!.idle();
    expect(markers(await walk(me.token, 6))).toEqual([]);
    // Seen in the Friends feed: now For You says so at once.
    const friendsFeed = await s.api('GET', '/feed/friends', { token: me.token });
    expect(friendsFeed.body.items.map((v: any) => v.id)).toContain(secret);
    await s.api('POST', '/events', { token: me.token, body: { events: [{ type: 'impression', videoId: secret }] } });
    expect(markers(await walk(me.token, 4))).toEqual([0]);
  });
});
