import { sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';
import { VIEW_MIN_WATCH_MS } from './media.repo.ts';

// The signal tables of migration 0012 (written with raw SQL below; declared so the schema says who owns them).
interface VideoSignalCountsTable {
  video_id: string;
  impressions: string;
  watch_ms: string;
  updated_at: Date;
}
interface SignalWatermarkTable {
  id: number;
  last_event_id: string;
}
declare module '../../platform/db/schema.ts' {
  interface Database {
    video_signal_counts: VideoSignalCountsTable;
    signal_watermark: SignalWatermarkTable;
  }
}

/**
 * SQL over the signal log (`video_events`, append-only, written by POST /events) and the
 * per-clip counters of migration 0012. Only this file builds signal SQL.
 */

/** One event as the ranker reads it, with what it needs of the clip. */
export interface SignalRow {
  video_id: string;
  type: string;
  watched_ms: number | null;
  at: Date;
  author_id: string;
  caption: string;
  duration_ms: number;
}

/** A person's last `limit` events, newest first (index `video_events_user_recent`). */
export async function recentSignals(db: Executor, userId: string, limit: number): Promise<SignalRow[]> {
  const res = await sql<SignalRow>`
    SELECT e.video_id::text AS video_id, e.type, e.watched_ms, e.at, v.author_id::text AS author_id, v.caption, v.duration_ms
      FROM (SELECT * FROM video_events WHERE user_id = ${userId} ORDER BY id DESC LIMIT ${limit}) e
      JOIN videos v ON v.id = e.video_id
     ORDER BY e.id DESC`.execute(db);
  return res.rows;
}

/** The training log: the newest `limit` events of the last `days` days, with each clip's length. */
export async function trainingSignals(db: Executor, q: { days: number; limit: number }) {
  const res = await sql<{ user_id: string; video_id: string; type: string; watched_ms: number | null; at: Date; duration_ms: number }>`
    SELECT e.user_id::text AS user_id, e.video_id::text AS video_id, e.type, e.watched_ms, e.at, v.duration_ms
      FROM (SELECT * FROM video_events WHERE at > now() - make_interval(days => ${q.days}) ORDER BY id DESC LIMIT ${q.limit}) e
      JOIN videos v ON v.id = e.video_id`.execute(db);
  return res.rows;
}

const COUNTED = ['impression', 'completion', 'rewatch', 'skip', 'like', 'comment', 'share', 'save', 'follow', 'not_interested'] as const;
const COLUMN: Record<(typeof COUNTED)[number], string> = {
  impression: 'impressions',
  completion: 'completions',
  rewatch: 'rewatches',
  skip: 'skips',
  like: 'likes',
  comment: 'comments',
  share: 'shares',
  save: 'saves',
  follow: 'follows',
  not_interested: 'not_interested',
};

/**
 * Folds the next `batch` events after the watermark into the counters and moves the watermark,
 * in one transaction (the row lock on the watermark serialises concurrent workers): the per-clip
 * signal counters, and the clip's own `impressions_count` (the fresh pool's budget) and views
 * (a completion or a watch of at least VIEW_MIN_WATCH_MS, once per viewer per day: the
 * `video_views` row and `views_count`). `POST /events` only appends to the log, so no request
 * waits on a hot clip's row lock; the counts lag by one fold (the worker runs it every 10 s).
 * Returns how many events were folded in.
 */
export async function aggregateSignals(db: Executor, batch: number, upToId?: string): Promise<number> {
  const cols = Object.values(COLUMN);
  const counts = COUNTED.map((t) => sql`count(*) FILTER (WHERE type = ${t})`);
  const res = await sql<{ n: string }>`
    WITH mark AS (SELECT last_event_id FROM signal_watermark WHERE id = 1 FOR UPDATE),
    b AS (SELECT id, user_id, video_id, type, watched_ms, at FROM video_events
           WHERE id > (SELECT last_event_id FROM mark) ${upToId ? sql`AND id <= ${upToId}` : sql``} ORDER BY id LIMIT ${batch}),
    agg AS (
      SELECT video_id, coalesce(sum(watched_ms) FILTER (WHERE type = 'watch'), 0) AS watch_ms, ${sql.join(counts)}
        FROM b GROUP BY video_id),
    up AS (
      INSERT INTO video_signal_counts (video_id, watch_ms, ${sql.join(cols.map((c) => sql.ref(c)))})
      SELECT * FROM agg
      ON CONFLICT (video_id) DO UPDATE SET
        watch_ms = video_signal_counts.watch_ms + EXCLUDED.watch_ms,
        ${sql.join(cols.map((c) => sql`${sql.ref(c)} = video_signal_counts.${sql.ref(c)} + EXCLUDED.${sql.ref(c)}`))},
        updated_at = now()
      RETURNING 1),
    viewed AS (
      INSERT INTO video_views (viewer_id, video_id, period)
      SELECT DISTINCT user_id, video_id, current_date FROM b WHERE type = 'completion' OR (type = 'watch' AND watched_ms >= ${VIEW_MIN_WATCH_MS})
      ON CONFLICT DO NOTHING RETURNING video_id),
    clip AS (
      UPDATE videos SET impressions_count = impressions_count + d.impressions, views_count = views_count + d.views
        FROM (SELECT video_id, sum(i) AS impressions, sum(v) AS views
                FROM (SELECT video_id, 1 AS i, 0 AS v FROM b WHERE type = 'impression'
                      UNION ALL SELECT video_id, 0, 1 FROM viewed) x
               GROUP BY video_id) d
       WHERE videos.id = d.video_id
      RETURNING 1),
    moved AS (
      UPDATE signal_watermark SET last_event_id = (SELECT max(id) FROM b)
       WHERE id = 1 AND EXISTS (SELECT 1 FROM b) RETURNING 1)
    SELECT (SELECT count(*) FROM b)::text AS n, (SELECT count(*) FROM up) AS u, (SELECT count(*) FROM clip) AS c, (SELECT count(*) FROM moved) AS m`.execute(db);
  return Number(res.rows[0]?.n ?? 0);
}

/** The highest event id handed out so far (the fold's next ceiling). */
export async function maxEventId(db: Executor): Promise<string> {
  const res = await sql<{ id: string | null }>`SELECT max(id)::text AS id FROM video_events`.execute(db);
  return res.rows[0]?.id ?? '0';
}

/** The aggregated counters of some clips (for "why this video" and the ranker's priors). */
export async function signalCounts(db: Executor, videoIds: readonly string[]) {
  if (!videoIds.length) return [];
  const res = await sql<{ video_id: string; impressions: string; completions: string; skips: string }>`
    SELECT video_id::text AS video_id, impressions, completions, skips FROM video_signal_counts
     WHERE video_id = ANY(${`{${videoIds.join(',')}}`}::bigint[])`.execute(db);
  return res.rows;
}
