import type { AppContext } from '../../app/context.ts';
import * as repo from './media.repo.ts';

/**
 * For You's candidate sources over the media tables (the feed module composes them; it never
 * reads media tables). Only clips open to everyone (public, by a public account, ready) are
 * candidates, so For You shows nothing a signed-out visitor could not see.
 *
 * - `hot`: open clips by decayed engagement score, leaving out the fresh pool;
 * - `fresh`: open clips of the last week still under their impression budget, newest first;
 * - `again`: every open clip by score — the clips For You shows again once the first two have
 *   nothing new left for the viewer.
 *
 * Hot and fresh are disjoint by construction: a clip graduates from fresh to hot once it has
 * been shown enough times.
 */
export type ForYouStream = 'hot' | 'fresh' | 'again';

/** Where a stream continues from: its sort key (score, or creation time for `fresh`) and id. */
export interface StreamPosition {
  key: number | string;
  id: string;
}

export interface ForYouCandidate {
  id: string;
  authorId: string;
  source: ForYouStream;
  score: number;
}

const scorePosition = (p: StreamPosition | null) => (p ? { score: Number(p.key), id: p.id } : null);

/** One page of candidates from each asked-for stream, after its position. */
export async function forYouCandidates(
  ctx: AppContext,
  q: {
    streams: Partial<Record<ForYouStream, { after: StreamPosition | null; limit: number }>>;
    excludeAuthors: readonly string[];
    freshSince: Date;
  },
) {
  const maxImpressions = ctx.config.media.freshImpressionBudget;
  const { hot, fresh, again } = q.streams;
  const [hotRows, freshRows, againRows] = await Promise.all([
    hot
      ? repo.listOpenByScore(ctx.db, {
          below: scorePosition(hot.after),
          excludeAuthors: q.excludeAuthors,
          notFresh: { since: q.freshSince, maxImpressions },
          limit: hot.limit,
        })
      : [],
    fresh
      ? repo.listFreshPublic(ctx.db, {
          before: fresh.after ? { createdAt: String(fresh.after.key), id: fresh.after.id } : null,
          maxImpressions,
          since: q.freshSince,
          excludeAuthors: q.excludeAuthors,
          limit: fresh.limit,
        })
      : [],
    again ? repo.listOpenByScore(ctx.db, { below: scorePosition(again.after), excludeAuthors: q.excludeAuthors, notFresh: null, limit: again.limit }) : [],
  ]);
  const cand = (source: ForYouStream) => (r: repo.VideoRow) => ({ id: String(r.id), authorId: String(r.author_id), source, score: r.hot_score });
  return {
    lists: { hot: hotRows.map(cand('hot')), fresh: freshRows.map(cand('fresh')), again: againRows.map(cand('again')) } as Record<ForYouStream, ForYouCandidate[]>,
    rows: [...hotRows, ...freshRows, ...againRows],
  };
}

/** The position of `row` in `stream`'s order (to continue just after it). */
export function positionIn(stream: ForYouStream, row: repo.VideoRow): StreamPosition {
  return stream === 'fresh' ? { key: new Date(row.created_at).toISOString(), id: String(row.id) } : { key: row.hot_score, id: String(row.id) };
}

/** Among `videoIds`: the clips the viewer watched, and those they marked "not interested". */
export const viewerHistory = (ctx: AppContext, viewerId: string, videoIds: readonly string[]) => repo.seenAmong(ctx.db, viewerId, videoIds);

/**
 * The clips the client has queued after the one on screen (For You's `ahead`) that may still be
 * shown, each as a candidate of the stream it belongs to (fresh: recent and within its impression
 * budget; else hot): ranked beside the others, one keeps its place while it is still the best.
 */
export async function queuedCandidates(ctx: AppContext, q: { ids: readonly string[]; excludeAuthors: readonly string[]; freshSince: Date }) {
  const rows = await repo.listOpenAmong(ctx.db, q);
  const fresh = (r: repo.VideoRow) => new Date(r.created_at) >= q.freshSince && Number(r.impressions_count) < ctx.config.media.freshImpressionBudget;
  const list = rows.map((r): ForYouCandidate => ({ id: String(r.id), authorId: String(r.author_id), source: fresh(r) ? 'fresh' : 'hot', score: r.hot_score }));
  return { rows, list };
}

/** How many of a tag's newest clips the topic source looks at (bounded work per tag). */
const TOPIC_SCAN = 150;

/**
 * The topic source: open clips carrying any of `tags` (the person's current topics), the best
 * few per tag, none by excluded authors or among `excludeIds` (clips the person just had). Not
 * paged: what it gives is ranked beside the hot candidates, and the feed's rules keep repeats out.
 */
export const topicCandidates = (ctx: AppContext, q: { tags: readonly string[]; excludeAuthors: readonly string[]; excludeIds: readonly string[]; perTag: number }) =>
  repo.listOpenByTags(ctx.db, { ...q, scan: TOPIC_SCAN });
