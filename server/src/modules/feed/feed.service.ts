import type { AppContext } from '../../app/context.ts';
import { decodeCursor, encodeCursor } from '../../platform/db/pagination.ts';
import * as graph from '../graph/graph.service.ts';
import * as media from '../media/media.service.ts';
import { type Candidate, mix, rank } from './feed-mix.ts';

/**
 * The three feeds. Following and Friends are chronological (newest first, keyset pages).
 * For You runs four separate stages — candidates → rank → filter → mix — so a learned
 * ranker can later replace `rank` without touching the rest (docs/feed.md).
 */

const excludeAuthors = async (ctx: AppContext, viewerId: string) => new Set(await graph.mutedOrBlockedIds(ctx, viewerId));

/** Clips of the people the viewer follows: public ones, and friends-only ones of friends. */
export async function followingFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [following, hidden] = await Promise.all([graph.followees(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const shown = following.filter((f) => !hidden.has(f.id));
  const build = await media.listByAuthorsPage(ctx, {
    authors: shown.map((f) => f.id),
    friendAuthors: shown.filter((f) => f.friend).map((f) => f.id),
    ownerId: null,
    scope: { list: 'feed:following', viewer: viewerId },
    ...page,
  });
  return build(viewerId);
}

/** Clips of the viewer's friends, including their friends-only clips. */
export async function friendsFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [friends, hidden] = await Promise.all([graph.friendIds(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const authors = friends.filter((id) => !hidden.has(id));
  const build = await media.listByAuthorsPage(ctx, { authors, friendAuthors: authors, ownerId: null, scope: { list: 'feed:friends', viewer: viewerId }, ...page });
  return build(viewerId);
}

const FRESH_WINDOW_MS = 7 * 24 * 3600 * 1000;
const MAX_ROUNDS = 4;

/**
 * Where one candidate stream may continue from: just before its first candidate that was
 * kept but not shown (mix deferred it, e.g. same author twice), so nothing is skipped over;
 * the clips shown beyond that point are carried in the cursor so they are not shown again.
 */
function advance(list: Candidate[], shown: Set<string>, kept: (c: Candidate) => boolean) {
  let last: Candidate | undefined;
  const beyond: string[] = [];
  let stopped = false;
  for (const c of list) {
    if (!stopped && kept(c) && !shown.has(c.id)) stopped = true;
    if (!stopped) last = c;
    else if (shown.has(c.id)) beyond.push(c.id);
  }
  return { last, beyond, all: !stopped };
}

/**
 * For You. Cursor: where each candidate stream stopped, the author of the last clip shown
 * (no two in a row across pages) and the ids already shown past those positions.
 */
export async function forYouFeed(ctx: AppContext, viewerId: string | null, page: { cursor?: string; limit: number }) {
  const scope = { list: 'feed:for-you', viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 6);
  let hotPos = c && c[1] !== '' ? { score: Number(c[0]), id: String(c[1]) } : null;
  let freshPos = c && c[3] !== '' ? { createdAt: String(c[2]), id: String(c[3]) } : null;
  let lastAuthor = c && c[4] !== '' ? String(c[4]) : null;
  let hotDone = Boolean(c && c[0] === 'end');
  let freshDone = Boolean(c && c[2] === 'end');
  const shownBefore = new Set(c && c[5] !== '' ? String(c[5]).split(',') : []);

  const hidden = viewerId ? await excludeAuthors(ctx, viewerId) : new Set<string>();
  if (viewerId) hidden.add(viewerId); // your own clips are on your profile, not in For You
  const excluded = [...hidden];
  const picked: Candidate[] = [];
  const rows = new Map<string, Awaited<ReturnType<typeof media.forYouCandidates>>['rows'][number]>();
  let carry: string[] = [];

  for (let round = 0; round < MAX_ROUNDS && picked.length < page.limit && !(hotDone && freshDone); round++) {
    // 1. candidates
    const want = (page.limit - picked.length) * 3 + 5;
    const freshWant = Math.ceil(want / 2);
    const cand = await media.forYouCandidates(ctx, {
      hotBelow: hotPos,
      freshBefore: freshPos,
      skipHot: hotDone,
      skipFresh: freshDone,
      excludeAuthors: excluded,
      hotLimit: want,
      freshLimit: freshWant,
      freshSince: new Date(Date.now() - FRESH_WINDOW_MS),
    });
    for (const r of cand.rows) rows.set(String(r.id), r);
    // 2. filter: nothing the viewer watched or waved away, nothing shown already
    const seen = viewerId ? await media.seenBy(ctx, viewerId, cand.rows.map((r) => String(r.id))) : new Set<string>();
    const shown = new Set([...shownBefore, ...picked.map((p) => p.id)]);
    const keep = (x: Candidate) => !seen.has(x.id) && !shown.has(x.id);
    // 3. rank
    const ranked = rank(cand.hot.filter(keep), cand.fresh.filter(keep));
    // 4. mix
    const out = mix(ranked.hot, ranked.fresh, page.limit - picked.length, lastAuthor);
    picked.push(...out);
    if (out.length) lastAuthor = out[out.length - 1]!.authorId;

    const nowShown = new Set([...shown, ...out.map((o) => o.id)]);
    const stillKept = (x: Candidate) => !seen.has(x.id);
    const h = advance(cand.hot, nowShown, stillKept);
    const f = advance(cand.fresh, nowShown, stillKept);
    if (h.last) hotPos = { score: rows.get(h.last.id)!.hot_score, id: h.last.id };
    if (f.last) freshPos = { createdAt: new Date(rows.get(f.last.id)!.created_at).toISOString(), id: f.last.id };
    if (h.all && cand.hot.length < want) hotDone = true;
    if (f.all && cand.fresh.length < freshWant) freshDone = true;
    carry = [...h.beyond, ...f.beyond];
    if (!out.length) {
      // Only clips by the author just shown are left: rather than break the
      // no-two-in-a-row rule, the feed ends here (a refresh starts it afresh).
      if (!picked.length) hotDone = freshDone = true;
      break;
    }
  }

  const items = await media.toVideoViews(
    ctx,
    viewerId,
    picked.map((p) => rows.get(p.id)!),
  );
  const nextCursor =
    hotDone && freshDone
      ? null
      : encodeCursor(scope, [
          hotDone ? 'end' : (hotPos?.score ?? ''),
          hotDone ? '' : (hotPos?.id ?? ''),
          freshDone ? 'end' : (freshPos?.createdAt ?? ''),
          freshDone ? '' : (freshPos?.id ?? ''),
          lastAuthor ?? '',
          [...new Set(carry)].join(','),
        ]);
  return { items, nextCursor };
}
