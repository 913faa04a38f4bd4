import { sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';
import type { VideoRow } from './media.repo.ts';

/**
 * Discovery's queries over clips and their hashtags (docs/discovery.md): search by caption and
 * hashtag, a hashtag's clips, hashtag search and trending hashtags, and friends' clips the viewer
 * has not seen yet (For You's "caught up with friends" marker). Every query filters by the same
 * rule as `mayView` in media.service.ts, written in SQL so that pages come back full.
 */

/** Who is looking, as the graph sees them (read once per request by the service). */
export interface ClipAudience {
  viewerId: string | null;
  /** Muted, blocked or blocking authors: never shown. */
  hidden: readonly string[];
  /** Everyone the viewer follows (approved: a private account's clips reach them). */
  followees: readonly string[];
  /** Mutual follows: their friends-only clips too. */
  friends: readonly string[];
}

const bigints = (ids: readonly string[]) => `{${ids.join(',')}}`;

/** `mayView` (media.service.ts) for the row aliased `v`, as SQL. */
export function visibleClip(a: ClipAudience) {
  const open = sql`(v.visibility = 'public' AND NOT v.author_private)`;
  if (!a.viewerId) return sql`(v.status = 'ready' AND ${open})`;
  return sql`(v.status = 'ready' AND (
      v.author_id = ${a.viewerId}::bigint
      OR (NOT (v.author_id = ANY(${bigints(a.hidden)}::bigint[])) AND v.visibility <> 'private' AND (
            ${open}
         OR (v.visibility = 'public' AND v.author_id = ANY(${bigints(a.followees)}::bigint[]))
         OR (v.visibility = 'friends' AND v.author_id = ANY(${bigints(a.friends)}::bigint[]))))))`;
}

/** A LIKE pattern matching `text` literally (backslash, % and _ escaped; LIKE's default escape is `\`). */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export type SearchedVideoRow = VideoRow & { tier: number };

/**
 * Clips matching `needle` (lower-cased), by relevance tier then popularity (`hot_score`):
 * 0 — the clip carries the hashtag `#needle`; 1 — its caption contains the text, or a hashtag
 * starts with it; 2 — a word of its caption is close to it (trigram word similarity: typos).
 */
export async function searchVideos(
  db: Executor,
  q: { needle: string; audience: ClipAudience; after: { tier: number; score: number; id: string } | null; limit: number },
) {
  const tag = q.needle.replace(/^#/, '');
  const contains = `%${likeLiteral(q.needle)}%`;
  const tagPrefix = `${likeLiteral(tag)}%`;
  const res = await sql<SearchedVideoRow>`
    SELECT * FROM (
      SELECT v.*, CASE
          WHEN EXISTS (SELECT 1 FROM video_hashtags h WHERE h.video_id = v.id AND h.tag = ${tag}) THEN 0
          WHEN lower(v.caption) LIKE ${contains} OR EXISTS (SELECT 1 FROM video_hashtags h WHERE h.video_id = v.id AND h.tag LIKE ${tagPrefix}) THEN 1
          ELSE 2 END AS tier
        FROM videos v
       WHERE ${visibleClip(q.audience)}
         AND (lower(v.caption) LIKE ${contains}
              OR ${q.needle} <% lower(v.caption)
              OR v.id IN (SELECT h.video_id FROM video_hashtags h WHERE h.tag LIKE ${tagPrefix}))
    ) m
    WHERE ${q.after ? sql`(m.tier, -m.hot_score, m.id) > (${q.after.tier}, ${-q.after.score}::float8, ${q.after.id}::bigint)` : sql`true`}
    ORDER BY m.tier, m.hot_score DESC, m.id
    LIMIT ${q.limit}`.execute(db);
  return res.rows;
}

/** The clips carrying `#tag` that the audience may see, newest first (keyset on the clip id, the hashtag index's own order). */
export async function listHashtagVideos(db: Executor, q: { tag: string; audience: ClipAudience; beforeId: string | null; limit: number }) {
  const res = await sql<VideoRow>`
    SELECT v.* FROM video_hashtags h JOIN videos v ON v.id = h.video_id
     WHERE h.tag = ${q.tag}
       AND ${q.beforeId ? sql`h.video_id < ${q.beforeId}::bigint` : sql`true`}
       AND ${visibleClip(q.audience)}
     ORDER BY h.video_id DESC
     LIMIT ${q.limit}`.execute(db);
  return res.rows;
}

export interface HashtagMatch {
  tag: string;
  videos: number;
  tier: number;
}

/**
 * Hashtags matching `needle`: the exact tag, then tags starting with it, then tags close to it
 * (typos), each by how many clips carrying it the audience may see (tags only on clips they may
 * not see do not exist for them).
 */
export async function searchHashtags(db: Executor, q: { needle: string; audience: ClipAudience; after: { tier: number; videos: number; tag: string } | null; limit: number }) {
  const tag = q.needle.replace(/^#/, '');
  const prefix = `${likeLiteral(tag)}%`;
  const res = await sql<HashtagMatch>`
    SELECT * FROM (
      SELECT h.tag, count(*)::int AS videos,
             CASE WHEN h.tag = ${tag} THEN 0 WHEN h.tag LIKE ${prefix} THEN 1 ELSE 2 END AS tier
        FROM video_hashtags h JOIN videos v ON v.id = h.video_id
       WHERE (h.tag LIKE ${prefix} OR h.tag % ${tag})
         AND ${visibleClip(q.audience)}
       GROUP BY h.tag
    ) m
    WHERE ${q.after ? sql`(m.tier, -m.videos, m.tag) > (${q.after.tier}, ${-q.after.videos}, ${q.after.tag}::text COLLATE "C")` : sql`true`}
    ORDER BY m.tier, m.videos DESC, m.tag COLLATE "C"
    LIMIT ${q.limit}`.execute(db);
  return res.rows;
}

/** The hashtags on the most clips open to everyone in the last `since` window (the Discover screen). */
export async function trendingHashtags(db: Executor, q: { since: Date; limit: number }) {
  const res = await sql<{ tag: string; videos: number }>`
    SELECT h.tag, count(*)::int AS videos
      FROM videos v JOIN video_hashtags h ON h.video_id = v.id
     WHERE v.status = 'ready' AND v.visibility = 'public' AND NOT v.author_private AND v.created_at >= ${q.since}
     GROUP BY h.tag
     ORDER BY videos DESC, h.tag COLLATE "C"
     LIMIT ${q.limit}`.execute(db);
  return res.rows;
}

/**
 * Clips by `authors` since `since` that the audience may see, newest first, each with whether the
 * viewer has been shown it (an impression, watch or view of theirs): For You's "caught up with
 * friends" marker.
 */
export async function recentClipsBy(db: Executor, q: { authors: readonly string[]; audience: ClipAudience; since: Date; limit: number }) {
  if (!q.authors.length || !q.audience.viewerId) return [];
  const viewer = q.audience.viewerId;
  const res = await sql<{ id: string; seen: boolean }>`
    SELECT v.id::text AS id,
           (EXISTS (SELECT 1 FROM video_views w WHERE w.viewer_id = ${viewer}::bigint AND w.video_id = v.id)
            OR EXISTS (SELECT 1 FROM video_events e WHERE e.user_id = ${viewer}::bigint AND e.video_id = v.id)) AS seen
      FROM videos v
     WHERE v.author_id = ANY(${bigints(q.authors)}::bigint[])
       AND v.created_at >= ${q.since}
       AND ${visibleClip(q.audience)}
     ORDER BY v.created_at DESC
     LIMIT ${q.limit}`.execute(db);
  return res.rows.map((r) => ({ id: r.id, seen: Boolean(r.seen) }));
}
