import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateSignalCounters } from '../src/modules/media/index.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { graphEdges, makeClip, uploadClip } from './media-fixtures.ts';

// For You learns from swipes (issue 13, acceptance 3): a new person who watches clips of one
// kind to the end and skips the rest gets a next page where that kind dominates; "not
// interested" on an author removes them from the next page. Both at once after the events.
let s: TestServer;
const kindOf = new Map<string, 'cats' | 'cars'>();
const authors: Record<string, MadeUser> = {};

beforeAll(async () => {
  s = await startTestServer({ env: { FFMPEG_PRESET: 'ultrafast' } });
  for (const a of ['c1', 'c2', 'd1', 'd2']) authors[a] = await s.make.user();
  const file = makeClip();
  // Kinds interleaved in upload order, so a person's first page (newest first) holds both.
  for (let round = 0; round < 3; round++) {
    for (const a of ['c1', 'd1', 'c2', 'd2']) {
      const kind = a.startsWith('c') ? 'cats' : 'cars';
      const res = await uploadClip(s, authors[a]!.token, file, { caption: `clip ${round} #${kind}` });
      if (res.status !== 202) throw new Error(JSON.stringify(res.body));
      kindOf.set(res.body.video.id, kind);
    }
  }
  await s.worker!.idle();
}, 600_000);
afterAll(() => s?.close());

async function page(token: string, limit: number, cursor: string | null, ahead: string[] = []) {
  const res = await s.api('GET', `/feed/for-you?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}${ahead.length ? `&ahead=${ahead.join(',')}` : ''}`, { token });
  expect(res.status).toBe(200);
  return { items: res.body.items as any[], cursor: res.body.nextCursor as string | null };
}

/** Swipes through a page: clips of `liked` watched to the end, the others skipped after 300 ms. */
async function swipe(token: string, items: any[], liked: 'cats' | 'cars') {
  const events = items.flatMap((v) =>
    kindOf.get(v.id) === liked
      ? [
          { type: 'impression', videoId: v.id },
          { type: 'watch', videoId: v.id, watchedMs: v.durationMs },
          { type: 'completion', videoId: v.id },
        ]
      : [
          { type: 'impression', videoId: v.id },
          { type: 'skip', videoId: v.id, watchedMs: 300 },
        ],
  );
  const res = await s.api('POST', '/events', { token, body: { events } });
  expect(res.status).toBe(202);
}

describe(`For You learns from swipes (${engine})`, () => {
  for (const liked of ['cats', 'cars'] as const) {
    it(`a new person who watches only ${liked} gets mostly ${liked} on the next page`, async () => {
      const me = await s.make.user();
      const first = await page(me.token, 4, null);
      expect(first.items).toHaveLength(4);
      // The first page is not personal yet: both kinds are on it.
      expect(new Set(first.items.map((v) => kindOf.get(v.id)))).toEqual(new Set(['cats', 'cars']));
      await swipe(me.token, first.items, liked);
      const next = await page(me.token, 4, first.cursor);
      const kinds = next.items.map((v) => kindOf.get(v.id));
      expect(kinds.filter((k) => k === liked).length).toBeGreaterThanOrEqual(3);
      // Still never two in a row from one author.
      for (let i = 1; i < next.items.length; i++) expect(next.items[i].author.id).not.toBe(next.items[i - 1].author.id);
      // "Why this video" says so in words.
      const shown = next.items.find((v) => kindOf.get(v.id) === liked)!;
      const why = await s.api('GET', `/videos/${shown.id}/why`, { token: me.token });
      expect(why.status).toBe(200);
      expect(why.body.reasons.join(' ')).toContain(`#${liked}`);
    });
  }

  it('"not interested" in a clip removes its author from the next page at once', async () => {
    const me = await s.make.user();
    const first = await page(me.token, 4, null);
    const target = first.items.find((v) => v.author.id === authors.d1!.id) ?? first.items[0]!;
    const res = await s.api('POST', '/events', { token: me.token, body: { events: [{ type: 'not_interested', videoId: target.id }] } });
    expect(res.status).toBe(202);
    const next = await page(me.token, 6, first.cursor);
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.map((v) => v.author.id)).not.toContain(target.author.id);
  });

  it('a re-rank keeps the clip the app has queued while it is still the best, and replaces it once the latest swipes say otherwise', async () => {
    const me = await s.make.user();
    const first = await page(me.token, 4, null);
    const [onScreen, queued] = first.items;
    // The first clip is on screen (its impression sent), the second is queued and buffering: named
    // in `ahead`, it keeps its place; not named, it counts as shown and waits like any other.
    expect((await s.api('POST', '/events', { token: me.token, body: { events: [{ type: 'impression', videoId: onScreen.id }] } })).status).toBe(202);
    expect((await page(me.token, 2, first.cursor, [queued.id])).items[0].id).toBe(queued.id);
    expect((await page(me.token, 2, first.cursor)).items.map((v) => v.id)).not.toContain(queued.id);
    // Signed out too (For You is not personal then, but the queued clip is still the best).
    const anon = (await s.api('GET', '/feed/for-you?limit=4')).body;
    const anonNext = await s.api('GET', `/feed/for-you?limit=2&cursor=${encodeURIComponent(anon.nextCursor)}&ahead=${anon.items[1].id},${anon.items[2].id}`);
    expect(anonNext.body.items.map((v: any) => v.id)).toEqual([anon.items[1].id, anon.items[2].id]);

    // Another person has the same clip queued, but skipped its kind and finished the other kind
    // on the clips they had since: it gives way to a clip of what they finished.
    const other = await s.make.user();
    const theirs = await page(other.token, 4, null);
    const [a, b, ...rest] = theirs.items;
    const liked = kindOf.get(b.id) === 'cats' ? 'cars' : 'cats';
    await swipe(other.token, [a, ...rest], liked);
    const next = await page(other.token, 2, theirs.cursor, [b.id]);
    expect(next.items[0].id).not.toBe(b.id);
    expect(kindOf.get(next.items[0].id)).toBe(liked);
  });

  it('`ahead` names at most four clips, each an id; a clip the feed did not serve is not brought by it', async () => {
    const me = await s.make.user();
    const first = await page(me.token, 2, null);
    for (const bad of ['x', '1,,2', '9223372036854775808', '1,2,3,4,5']) {
      const res = await s.api('GET', `/feed/for-you?limit=2&ahead=${encodeURIComponent(bad)}`, { token: me.token });
      expect(res.status, bad).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // A clip not served to this person (nor shown since) named as queued changes nothing: the same page as without it.
    const notServed = [...kindOf.keys()].find((id) => !first.items.some((v) => v.id === id))!;
    const withIt = await page(me.token, 2, first.cursor, [notServed]);
    const without = await page(me.token, 2, first.cursor);
    expect(withIt.items.map((v) => v.id)).toEqual(without.items.map((v) => v.id));
  });

  it('"why" answers 404 for a clip that does not exist, like every other read of it', async () => {
    const me = await s.make.user();
    expect((await s.api('GET', '/videos/999999999/why', { token: me.token })).status).toBe(404);
  });

  it('accepts every kind of signal and refuses an unknown one without writing anything', async () => {
    const me = await s.make.user();
    const [v] = (await page(me.token, 1, null)).items;
    const types = ['impression', 'watch', 'completion', 'rewatch', 'like', 'comment', 'share', 'save', 'follow', 'skip'];
    const ok = await s.api('POST', '/events', { token: me.token, body: { events: types.map((type) => ({ type, videoId: v.id, watchedMs: 500 })) } });
    expect(ok.status).toBe(202);
    expect(ok.body.accepted).toBe(types.length);
    const bad = await s.api('POST', '/events', { token: me.token, body: { events: [{ type: 'impression', videoId: v.id }, { type: 'teleport', videoId: v.id }] } });
    expect(bad.status).toBe(400);
  });

  it('folds events into the per-clip counters in batches, each event exactly once', async () => {
    // The counters have no HTTP surface yet: this checks the worker job's contract directly.
    const me = await s.make.user();
    const [v] = (await page(me.token, 1, null)).items;
    const counts = async () => {
      // Small batches, repeated until nothing is left: the batching itself is exercised.
      for (let n = 1; n > 0; ) n = await aggregateSignalCounters(s.ctx, 2, 3);
      const r = await sql<{ impressions: string; skips: string; likes: string }>`
        SELECT impressions, skips, likes FROM video_signal_counts WHERE video_id = ${v.id}`.execute(s.ctx.db);
      const row = r.rows[0];
      return { impressions: Number(row?.impressions ?? 0), skips: Number(row?.skips ?? 0), likes: Number(row?.likes ?? 0) };
    };
    const before = await counts();
    const events = [
      { type: 'impression', videoId: v.id },
      { type: 'impression', videoId: v.id },
      { type: 'impression', videoId: v.id },
      { type: 'skip', videoId: v.id, watchedMs: 100 },
      { type: 'like', videoId: v.id },
    ];
    expect((await s.api('POST', '/events', { token: me.token, body: { events } })).status).toBe(202);
    const after = await counts();
    // Aggregating again adds nothing.
    expect(await counts()).toEqual(after);
    expect({ impressions: after.impressions - before.impressions, skips: after.skips - before.skips, likes: after.likes - before.likes }).toEqual({ impressions: 3, skips: 1, likes: 1 });
  });

  it('the friends-first dial brings friends’ clips forward, and takes only 0 to 1', async () => {
    const g = graphEdges(s);
    const leaning = await s.make.user();
    const plain = await s.make.user();
    for (const p of [leaning, plain]) {
      await g.befriend(p, authors.c1!);
      await g.befriend(p, authors.d1!);
    }
    const set = await s.api('PATCH', '/me/settings', { token: leaning.token, body: { friendsFirst: 1 } });
    expect(set.status).toBe(200);
    expect(set.body.settings.friendsFirst).toBe(1);
    const friends = new Set([authors.c1!.id, authors.d1!.id]);
    const fromFriends = async (who: MadeUser) => (await page(who.token, 4, null)).items.filter((v) => friends.has(v.author.id)).length;
    // Six of the twelve clips are by the two friends: at 1 they fill the first page; at 0 (the default) the page stays newest first.
    expect(await fromFriends(leaning)).toBe(4);
    expect(await fromFriends(plain)).toBeLessThan(4);
    for (const bad of [1.5, -0.1, 'all']) expect((await s.api('PATCH', '/me/settings', { token: leaning.token, body: { friendsFirst: bad } })).status).toBe(400);
  });
});
