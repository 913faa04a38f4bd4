import { type Generated, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface Rendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
}

export interface VideosTable {
  id: Generated<string>;
  author_id: string;
  caption: string;
  entities: unknown;
  visibility: 'public' | 'friends' | 'private';
  comments_enabled: boolean;
  status: Generated<'processing' | 'ready' | 'failed'>;
  failure_reason: string | null;
  progress: Generated<number>;
  duration_ms: number;
  width: number;
  height: number;
  has_audio: boolean;
  source_format: string;
  source_bytes: number;
  media_token: string;
  renditions: Generated<Rendition[]>;
  has_poster: Generated<boolean>;
  likes_count: Generated<string>;
  saves_count: Generated<string>;
  comments_count: Generated<string>;
  shares_count: Generated<string>;
  views_count: Generated<string>;
  impressions_count: Generated<string>;
  hot_score: Generated<number>;
  /** Mirrors the author's private-account setting (see media.service `registerPrivacyHook`). */
  author_private: Generated<boolean>;
  created_at: Generated<Date>;
  ready_at: Date | null;
}
export interface VideoHashtagsTable {
  tag: string;
  video_id: string;
}
export interface UploadsTable {
  id: string;
  user_id: string;
  length: number;
  upload_offset: Generated<number>;
  metadata: unknown;
  created_at: Generated<Date>;
  expires_at: Date;
}
export interface VideoFlagTable {
  video_id: string;
  user_id: string;
  created_at: Generated<Date>;
}
export interface VideoCommentsTable {
  id: Generated<string>;
  video_id: string;
  author_id: string;
  parent_id: string | null;
  text: string;
  likes_count: Generated<string>;
  replies_count: Generated<string>;
  created_at: Generated<Date>;
}
export interface CommentLikesTable {
  comment_id: string;
  user_id: string;
}
export interface VideoViewsTable {
  viewer_id: string;
  video_id: string;
  period: string;
}
export interface VideoNotInterestedTable {
  user_id: string;
  video_id: string;
  created_at: Generated<Date>;
}
export interface VideoEventsTable {
  id: Generated<string>;
  user_id: string;
  video_id: string;
  type: string;
  watched_ms: number | null;
  at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    videos: VideosTable;
    video_hashtags: VideoHashtagsTable;
    uploads: UploadsTable;
    video_likes: VideoFlagTable;
    video_saves: VideoFlagTable;
    video_comments: VideoCommentsTable;
    comment_likes: CommentLikesTable;
    video_views: VideoViewsTable;
    video_not_interested: VideoNotInterestedTable;
    video_events: VideoEventsTable;
  }
}

export type VideoRow = Selectable<VideosTable>;
export type CommentRow = Selectable<VideoCommentsTable>;

// ---- videos ----

export async function insertVideo(
  db: Executor,
  v: { author_private: boolean } & Pick<
    VideosTable,
    | 'author_id'
    | 'caption'
    | 'entities'
    | 'visibility'
    | 'comments_enabled'
    | 'duration_ms'
    | 'width'
    | 'height'
    | 'has_audio'
    | 'source_format'
    | 'source_bytes'
    | 'media_token'
  >,
): Promise<VideoRow> {
  return db
    .insertInto('videos')
    .values({ ...v, entities: JSON.stringify(v.entities), failure_reason: null, ready_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertHashtags(db: Executor, videoId: string, tags: string[]) {
  if (!tags.length) return;
  await db
    .insertInto('video_hashtags')
    .values(tags.map((tag) => ({ tag, video_id: videoId })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function replaceHashtags(db: Executor, videoId: string, tags: string[]) {
  await db.deleteFrom('video_hashtags').where('video_id', '=', videoId).execute();
  await insertHashtags(db, videoId, tags);
}

export function findVideo(db: Executor, id: string): Promise<VideoRow | undefined> {
  return db.selectFrom('videos').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findVideos(db: Executor, ids: readonly string[]): Promise<VideoRow[]> {
  if (!ids.length) return [];
  return db.selectFrom('videos').selectAll().where('id', 'in', ids).execute();
}

/** Who may see each clip, and no more (the events path checks every clip of a batch): one array parameter however many clips. */
export async function findVideoAccess(db: Executor, ids: readonly string[]) {
  if (!ids.length) return [];
  const res = await sql<Pick<VideoRow, 'status' | 'visibility' | 'author_private'> & { id: string; author_id: string }>`
    SELECT id::text AS id, author_id::text AS author_id, status, visibility, author_private
      FROM videos WHERE id = ANY(${sql.val(ids)}::bigint[])`.execute(db);
  return res.rows;
}

export interface VideoPatch {
  status?: VideoRow['status'];
  failure_reason?: string | null;
  progress?: number;
  renditions?: Rendition[];
  has_poster?: boolean;
  ready_at?: Date | null;
  caption?: string;
  entities?: unknown;
  visibility?: VideoRow['visibility'];
  comments_enabled?: boolean;
}

export async function updateVideo(
  db: Executor,
  id: string,
  patch: VideoPatch,
) {
  const values: Record<string, unknown> = { ...patch };
  if (patch.renditions) values.renditions = JSON.stringify(patch.renditions);
  if (patch.entities) values.entities = JSON.stringify(patch.entities);
  return db.updateTable('videos').set(values).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Sets the mirrored private-account flag on every clip of the author. */
export async function setAuthorPrivate(db: Executor, authorId: string, isPrivate: boolean) {
  await db.updateTable('videos').set({ author_private: isPrivate }).where('author_id', '=', authorId).where('author_private', '<>', isPrivate).execute();
}

export async function deleteVideo(db: Executor, id: string) {
  await db.deleteFrom('videos').where('id', '=', id).execute();
}

export async function countVideosSince(db: Executor, authorId: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('videos')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('author_id', '=', authorId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** How many ready clips of `authorId` the viewer may see (the profile's `videos` count). */
export async function countVisibleByAuthor(db: Executor, authorId: string, visibilities: readonly string[]): Promise<number> {
  const r = await db
    .selectFrom('videos')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('author_id', '=', authorId)
    .where('status', '=', 'ready')
    .where('visibility', 'in', visibilities as VideoRow['visibility'][])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

type Keyset = { createdAt: string; id: string } | null;
const keysetBefore = (k: Keyset) =>
  k ? sql<boolean>`(created_at, id) < (${k.createdAt}::timestamptz, ${k.id}::bigint)` : sql<boolean>`true`;

const bigints = (ids: readonly string[]) => `{${ids.join(',')}}`;

/**
 * Ready clips of the given authors, newest first. `friendAuthors` may additionally show
 * their friends-only clips; `ownerId`'s own clips show whatever their visibility.
 *
 * Each author's newest `limit` clips come from an index-only walk of `videos_author_feed`
 * (a LATERAL top-N per author), the walks are merged, and only the page's rows are read
 * from the table — so the cost grows with the number of authors, not with their clips.
 */
export async function listByAuthors(
  db: Executor,
  q: { authors: readonly string[]; friendAuthors: readonly string[]; ownerId: string | null; before: Keyset; limit: number },
): Promise<VideoRow[]> {
  if (!q.authors.length) return [];
  const friends = new Set(q.friendAuthors);
  const res = await sql<VideoRow>`
    SELECT v.* FROM (
      SELECT c.id FROM unnest(${bigints(q.authors)}::bigint[], ${`{${q.authors.map((a) => (friends.has(a) ? 't' : 'f')).join(',')}}`}::boolean[]) AS a(author, friend)
      CROSS JOIN LATERAL (
        SELECT id, created_at FROM videos
         WHERE author_id = a.author AND status = 'ready'
           AND (visibility = 'public' OR (visibility = 'friends' AND a.friend) OR a.author = ${q.ownerId ?? '0'}::bigint)
           AND ${keysetBefore(q.before)}
         ORDER BY created_at DESC, id DESC
         LIMIT ${q.limit}) c
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT ${q.limit}) top
    JOIN videos v ON v.id = top.id
    ORDER BY v.created_at DESC, v.id DESC`.execute(db);
  return res.rows;
}

/**
 * For You candidates: open clips (public, by a public account) by score, below a position
 * (keyset on hot_score, id). `notFresh` leaves out the clips still in the fresh pool (so the
 * hot and fresh streams never overlap); without it every open clip is listed (the re-show
 * stream). The candidates are picked from `videos_open_hot` alone (it holds every column the
 * filters need); only the chosen rows are read from the table.
 */
export async function listOpenByScore(
  db: Executor,
  q: {
    below: { score: number; id: string } | null;
    excludeAuthors: readonly string[];
    notFresh: { since: Date; maxImpressions: number } | null;
    limit: number;
  },
) {
  const res = await sql<VideoRow>`
    SELECT v.* FROM (
      SELECT id FROM videos
       WHERE status = 'ready' AND visibility = 'public' AND NOT author_private
         AND ${q.notFresh ? sql`NOT (created_at >= ${q.notFresh.since} AND impressions_count < ${q.notFresh.maxImpressions})` : sql`true`}
         AND ${q.below ? sql`(hot_score, id) < (${q.below.score}::float8, ${q.below.id}::bigint)` : sql`true`}
         AND NOT (author_id = ANY(${bigints(q.excludeAuthors)}::bigint[]))
       ORDER BY hot_score DESC, id DESC
       LIMIT ${q.limit}) c
    JOIN videos v ON v.id = c.id
    ORDER BY v.hot_score DESC, v.id DESC`.execute(db);
  return res.rows;
}

/**
 * For You's topic source: for each tag, the best-scored open clips among its newest `scan`
 * (primary key `(tag, video_id)`: a short index walk per tag, whatever the catalogue's size),
 * leaving out excluded authors and clips.
 */
export async function listOpenByTags(db: Executor, q: { tags: readonly string[]; excludeAuthors: readonly string[]; excludeIds: readonly string[]; perTag: number; scan: number }) {
  if (!q.tags.length) return [];
  const res = await sql<VideoRow>`
    SELECT v.* FROM unnest(${sql.val([...q.tags])}::text[]) AS t(tag)
    CROSS JOIN LATERAL (
      SELECT c.id FROM (SELECT video_id FROM video_hashtags WHERE tag = t.tag ORDER BY video_id DESC LIMIT ${q.scan}) h
        JOIN videos c ON c.id = h.video_id
       WHERE c.status = 'ready' AND c.visibility = 'public' AND NOT c.author_private
         AND NOT (c.author_id = ANY(${bigints(q.excludeAuthors)}::bigint[]))
         AND NOT (c.id = ANY(${bigints(q.excludeIds)}::bigint[]))
       ORDER BY c.hot_score DESC, c.id DESC
       LIMIT ${q.perTag}) x
    JOIN videos v ON v.id = x.id`.execute(db);
  return res.rows;
}

/** Those of `ids` that For You may still show (open, by none of `excludeAuthors`): the clips a client has queued and may keep. */
export async function listOpenAmong(db: Executor, q: { ids: readonly string[]; excludeAuthors: readonly string[] }) {
  if (!q.ids.length) return [];
  const res = await sql<VideoRow>`
    SELECT * FROM videos
     WHERE id = ANY(${bigints(q.ids)}::bigint[])
       AND status = 'ready' AND visibility = 'public' AND NOT author_private
       AND NOT (author_id = ANY(${bigints(q.excludeAuthors)}::bigint[]))`.execute(db);
  return res.rows;
}

/** For You's new-upload budget: recent open clips that have had few impressions so far (index `videos_open_fresh`). */
export async function listFreshPublic(
  db: Executor,
  q: { before: Keyset; maxImpressions: number; since: Date; excludeAuthors: readonly string[]; limit: number },
) {
  const res = await sql<VideoRow>`
    SELECT v.* FROM (
      SELECT id FROM videos
       WHERE status = 'ready' AND visibility = 'public' AND NOT author_private
         AND created_at >= ${q.since}
         AND impressions_count < ${q.maxImpressions}
         AND ${keysetBefore(q.before)}
         AND NOT (author_id = ANY(${bigints(q.excludeAuthors)}::bigint[]))
       ORDER BY created_at DESC, id DESC
       LIMIT ${q.limit}) c
    JOIN videos v ON v.id = c.id
    ORDER BY v.created_at DESC, v.id DESC`.execute(db);
  return res.rows;
}

/** A view: a completion, or a watch of at least this long (counted once per viewer per day). */
export const VIEW_MIN_WATCH_MS = 1000;

/** Which of `videoIds` the viewer has watched, and which they marked "not interested". */
export async function seenAmong(db: Executor, viewerId: string, videoIds: readonly string[]) {
  const watched = new Set<string>();
  const dismissed = new Set<string>();
  if (!videoIds.length) return { watched, dismissed };
  const ids = `{${videoIds.join(',')}}`;
  const res = await sql<{ id: string; dismissed: boolean }>`
    SELECT DISTINCT video_id::text AS id, false AS dismissed FROM video_views WHERE viewer_id = ${viewerId} AND video_id = ANY(${ids}::bigint[])
    UNION ALL
    -- Views are written to video_views when the worker folds the log in (every few seconds);
    -- the viewer's events after the watermark (a short walk down video_events_user_recent) count at once.
    SELECT DISTINCT video_id::text, false FROM video_events
     WHERE user_id = ${viewerId} AND id > (SELECT last_event_id FROM signal_watermark WHERE id = 1)
       AND video_id = ANY(${ids}::bigint[]) AND (type = 'completion' OR (type = 'watch' AND watched_ms >= ${VIEW_MIN_WATCH_MS}))
    UNION ALL
    SELECT video_id::text, true FROM video_not_interested WHERE user_id = ${viewerId} AND video_id = ANY(${ids}::bigint[])`.execute(db);
  for (const r of res.rows) (r.dismissed ? dismissed : watched).add(r.id);
  return { watched, dismissed };
}

// ---- viewer flags and engagement ----

export async function viewerFlags(db: Executor, viewerId: string, videoIds: readonly string[]) {
  if (!videoIds.length) return { liked: new Set<string>(), saved: new Set<string>() };
  const [likes, saves] = await Promise.all([
    db.selectFrom('video_likes').select('video_id').where('user_id', '=', viewerId).where('video_id', 'in', videoIds).execute(),
    db.selectFrom('video_saves').select('video_id').where('user_id', '=', viewerId).where('video_id', 'in', videoIds).execute(),
  ]);
  return { liked: new Set(likes.map((r) => String(r.video_id))), saved: new Set(saves.map((r) => String(r.video_id))) };
}

/**
 * The clips `userId` liked (or saved), most recently liked first: keyset on when they did it
 * (index `video_likes_user` / `video_saves_user`). Every status is returned; the service
 * decides what the person may still see.
 */
export async function listFlagged(db: Executor, table: 'video_likes' | 'video_saves', userId: string, before: Keyset, limit: number) {
  const res = await sql<VideoRow & { flagged_at: Date }>`
    SELECT v.*, f.created_at AS flagged_at
      FROM ${sql.table(table)} f
      JOIN videos v ON v.id = f.video_id
     WHERE f.user_id = ${userId}
       AND ${before ? sql`(f.created_at, f.video_id) < (${before.createdAt}::timestamptz, ${before.id}::bigint)` : sql`true`}
     ORDER BY f.created_at DESC, f.video_id DESC
     LIMIT ${limit}`.execute(db);
  return res.rows;
}

const counterOf = { video_likes: 'likes_count', video_saves: 'saves_count' } as const;

/** Sets or clears a like/save; the counter moves only when the row really changed. */
export async function setFlag(db: Executor, table: 'video_likes' | 'video_saves', videoId: string, userId: string, on: boolean) {
  const col = counterOf[table];
  if (on) {
    const res = await sql`
      WITH ins AS (INSERT INTO ${sql.table(table)} (video_id, user_id) VALUES (${videoId}, ${userId}) ON CONFLICT DO NOTHING RETURNING 1)
      UPDATE videos SET ${sql.ref(col)} = ${sql.ref(col)} + (SELECT count(*) FROM ins) WHERE id = ${videoId} AND EXISTS (SELECT 1 FROM ins)`.execute(db);
    return Number(res.numAffectedRows ?? 0) > 0;
  }
  const res = await sql`
    WITH del AS (DELETE FROM ${sql.table(table)} WHERE video_id = ${videoId} AND user_id = ${userId} RETURNING 1)
    UPDATE videos SET ${sql.ref(col)} = ${sql.ref(col)} - (SELECT count(*) FROM del) WHERE id = ${videoId} AND EXISTS (SELECT 1 FROM del)`.execute(db);
  return Number(res.numAffectedRows ?? 0) > 0;
}

export async function addShares(db: Executor, videoId: string, n: number) {
  await sql`UPDATE videos SET shares_count = shares_count + ${n} WHERE id = ${videoId}`.execute(db);
}

// ---- comments ----

export async function insertComment(db: Executor, c: { video_id: string; author_id: string; parent_id: string | null; text: string }) {
  const row = await db.insertInto('video_comments').values(c).returningAll().executeTakeFirstOrThrow();
  await sql`UPDATE videos SET comments_count = comments_count + 1 WHERE id = ${c.video_id}`.execute(db);
  if (c.parent_id) await sql`UPDATE video_comments SET replies_count = replies_count + 1 WHERE id = ${c.parent_id}`.execute(db);
  return row;
}

export function findComment(db: Executor, id: string) {
  return db.selectFrom('video_comments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes a comment and its replies, keeping the counters true. */
export async function deleteComment(db: Executor, c: CommentRow) {
  const removed = 1 + Number(c.replies_count);
  await db.deleteFrom('video_comments').where('id', '=', c.id).execute();
  await sql`UPDATE videos SET comments_count = greatest(0, comments_count - ${removed}) WHERE id = ${c.video_id}`.execute(db);
  if (c.parent_id) await sql`UPDATE video_comments SET replies_count = greatest(0, replies_count - 1) WHERE id = ${c.parent_id}`.execute(db);
}

export async function listComments(
  db: Executor,
  q: { videoId: string; parentId: string | null; after: { createdAt: string; id: string } | null; hiddenAuthors: readonly string[]; limit: number },
) {
  // Top-level comments newest first; replies oldest first (a conversation reads downwards).
  const hidden = `{${q.hiddenAuthors.join(',')}}`;
  if (q.parentId === null) {
    const res = await sql<CommentRow>`
      SELECT * FROM video_comments WHERE video_id = ${q.videoId} AND parent_id IS NULL
         AND NOT (author_id = ANY(${hidden}::bigint[]))
         AND ${q.after ? sql`(created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::bigint)` : sql`true`}
       ORDER BY created_at DESC, id DESC LIMIT ${q.limit}`.execute(db);
    return res.rows;
  }
  const res = await sql<CommentRow>`
    SELECT * FROM video_comments WHERE parent_id = ${q.parentId}
       AND NOT (author_id = ANY(${hidden}::bigint[]))
       AND ${q.after ? sql`(created_at, id) > (${q.after.createdAt}::timestamptz, ${q.after.id}::bigint)` : sql`true`}
     ORDER BY created_at, id LIMIT ${q.limit}`.execute(db);
  return res.rows;
}

export async function setCommentLike(db: Executor, commentId: string, userId: string, on: boolean) {
  if (on)
    await sql`
      WITH ins AS (INSERT INTO comment_likes (comment_id, user_id) VALUES (${commentId}, ${userId}) ON CONFLICT DO NOTHING RETURNING 1)
      UPDATE video_comments SET likes_count = likes_count + (SELECT count(*) FROM ins) WHERE id = ${commentId} AND EXISTS (SELECT 1 FROM ins)`.execute(db);
  else
    await sql`
      WITH del AS (DELETE FROM comment_likes WHERE comment_id = ${commentId} AND user_id = ${userId} RETURNING 1)
      UPDATE video_comments SET likes_count = likes_count - (SELECT count(*) FROM del) WHERE id = ${commentId} AND EXISTS (SELECT 1 FROM del)`.execute(db);
}

export async function likedComments(db: Executor, userId: string, ids: readonly string[]) {
  if (!ids.length) return new Set<string>();
  const rows = await db.selectFrom('comment_likes').select('comment_id').where('user_id', '=', userId).where('comment_id', 'in', ids).execute();
  return new Set(rows.map((r) => String(r.comment_id)));
}

// ---- events, views, impressions ----

/** One row of the event log. */
export interface NewEvent {
  userId: string;
  videoId: string;
  type: string;
  watchedMs: number | null;
  at: Date;
}

/** Appends events to the log in one statement: five array parameters, however many rows (a group commit brings thousands). */
export async function insertEvents(db: Executor, events: readonly NewEvent[]) {
  if (!events.length) return;
  // One array parameter per column (the driver encodes them), unnested into rows.
  await sql`
    INSERT INTO video_events (user_id, video_id, type, watched_ms, at)
    SELECT * FROM unnest(${sql.val(events.map((e) => e.userId))}::bigint[], ${sql.val(events.map((e) => e.videoId))}::bigint[],
                         ${sql.val(events.map((e) => e.type))}::text[], ${sql.val(events.map((e) => e.watchedMs))}::int[],
                         ${sql.val(events.map((e) => e.at.toISOString()))}::timestamptz[])`.execute(db);
}

export async function markNotInterested(db: Executor, userId: string, videoIds: readonly string[]) {
  if (!videoIds.length) return;
  await db
    .insertInto('video_not_interested')
    .values(videoIds.map((video_id) => ({ user_id: userId, video_id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

// ---- tus uploads ----

export async function insertUpload(db: Executor, u: { id: string; user_id: string; length: number; metadata: unknown; expires_at: Date }) {
  await db.insertInto('uploads').values({ ...u, metadata: JSON.stringify(u.metadata) }).execute();
}
export function findUpload(db: Executor, id: string) {
  return db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst();
}
export async function setUploadOffset(db: Executor, id: string, offset: number) {
  await db.updateTable('uploads').set({ upload_offset: offset }).where('id', '=', id).execute();
}
export async function deleteUpload(db: Executor, id: string) {
  await db.deleteFrom('uploads').where('id', '=', id).execute();
}
export async function countUploadsSince(db: Executor, userId: string, since: Date) {
  const r = await db
    .selectFrom('uploads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
export async function expiredUploads(db: Executor) {
  return db.selectFrom('uploads').select('id').where('expires_at', '<', new Date()).limit(100).execute();
}
