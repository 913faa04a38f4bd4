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

const excludeAuthors = async (ctx: AppContext, viewerId: string) => {
  const [blocked, muted] = await Promise.all([graph.blockedEitherWayIds(ctx, viewerId), graph.mutedIds(ctx, viewerId)]);
  return new Set([...blocked, ...muted]);
};

/** Clips of the people the viewer follows: public ones, and friends-only ones of friends. */
export async function followingFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [following, friends, hidden] = await Promise.all([graph.followingIds(ctx, viewerId), graph.friendIds(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const authors = following.filter((id) => !hidden.has(id));
  const build = await media.listByAuthorsPage(ctx, { authors, friendAuthors: friends.filter((id) => !hidden.has(id)), ownerId: null, ...page });
  return build(viewerId);
}

/** Clips of the viewer's friends, including their friends-only clips. */
export async function friendsFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [friends, hidden] = await Promise.all([graph.friendIds(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const authors = friends.filter((id) => !hidden.has(id));
  const build = await media.listByAuthorsPage(ctx, { authors, friendAuthors: authors, ownerId: null, ...page });
  return build(viewerId);
}

const FRESH_WINDOW_MS = 7 * 24 * 3600 * 1000;
const MAX_ROUNDS = 4;

/**
 * For You. Cursor: where each candidate stream stopped ([hotScore, hotId, freshAt, freshId,
 * lastAuthor]), so the next page continues both streams without repeating.
 */
export async function forYouFeed(ctx: AppContext, viewerId: string | null, page: { cursor?: string; limit: number }) {
  const c = decodeCursor(page.cursor, 5);
  let hotPos = c && c[1] !== '' ? { score: Number(c[0]), id: String(c[1]) } : null;
  let freshPos = c && c[3] !== '' ? { createdAt: String(c[2]), id: String(c[3]) } : null;
  let lastAuthor = c && c[4] !== '' ? String(c[4]) : null;
  let hotDone = Boolean(c && c[1] === '' && c[0] === 'end');
  let freshDone = Boolean(c && c[3] === '' && c[2] === 'end');

  const hidden = viewerId ? await excludeAuthors(ctx, viewerId) : new Set<string>();
  if (viewerId) hidden.add(viewerId); // your own clips are on your profile, not in For You
  const excluded = [...hidden];
  const picked: Candidate[] = [];
  const rows = new Map<string, Awaited<ReturnType<typeof media.forYouCandidates>>['rows'][number]>();

  for (let round = 0; round < MAX_ROUNDS && picked.length < page.limit && !(hotDone && freshDone); round++) {
    // 1. candidates
    const want = (page.limit - picked.length) * 3 + 5;
    const cand = await media.forYouCandidates(ctx, {
      hotBelow: hotDone ? null : hotPos,
      freshBefore: freshPos,
      skipHot: hotDone,
      skipFresh: freshDone,
      excludeAuthors: excluded,
      hotLimit: want,
      freshLimit: Math.ceil(want / 2),
      freshSince: new Date(Date.now() - FRESH_WINDOW_MS),
    });
    if (cand.hot.length < want) hotDone = true;
    if (cand.fresh.length < Math.ceil(want / 2)) freshDone = true;
    for (const r of cand.rows) rows.set(String(r.id), r);
    // 2. filter: nothing the viewer watched or waved away, nothing picked already
    const seen = viewerId ? await media.seenBy(ctx, viewerId, cand.rows.map((r) => String(r.id))) : new Set<string>();
    const pickedIds = new Set(picked.map((p) => p.id));
    const keep = (x: Candidate) => !seen.has(x.id) && !pickedIds.has(x.id);
    // 3. rank
    const ranked = rank(cand.hot.filter(keep), cand.fresh.filter(keep));
    // 4. mix
    const out = mix(ranked.hot, ranked.fresh, page.limit - picked.length, lastAuthor);
    picked.push(...out);
    if (out.length) lastAuthor = out[out.length - 1]!.authorId;
    // Advance each stream past what this round looked at (its last emitted or, when none was
    // emitted from it, its last candidate) so the next round and page move on.
    const lastOf = (list: Candidate[]) => {
      const emitted = list.filter((x) => out.some((o) => o.id === x.id));
      return emitted.length === list.filter(keep).length ? list[list.length - 1] : emitted[emitted.length - 1];
    };
    const h = lastOf(cand.hot);
    if (h) hotPos = { score: rows.get(h.id)!.hot_score, id: h.id };
    const f = lastOf(cand.fresh);
    if (f) freshPos = { createdAt: new Date(rows.get(f.id)!.created_at).toISOString(), id: f.id };
  }

  const items = await media.toVideoViews(
    ctx,
    viewerId,
    picked.map((p) => rows.get(p.id)!),
  );
  const nextCursor =
    hotDone && freshDone && picked.length < page.limit
      ? null
      : encodeCursor([
          hotDone ? 'end' : (hotPos?.score ?? ''),
          hotDone ? '' : (hotPos?.id ?? ''),
          freshDone ? 'end' : (freshPos?.createdAt ?? ''),
          freshDone ? '' : (freshPos?.id ?? ''),
          lastAuthor ?? '',
        ]);
  return { items, nextCursor };
}
