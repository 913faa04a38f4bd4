import { type Generated, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export type StoryAudience = 'friends' | 'close_friends' | 'followers';

export interface StoriesTable {
  id: Generated<string>;
  author_id: string;
  media_type: 'image' | 'video';
  image_key: string | null;
  video_id: string | null;
  owns_video: Generated<boolean>;
  media_token: string;
  caption: Generated<string>;
  audience: StoryAudience;
  created_at: Generated<Date>;
  expires_at: Date;
  archived_at: Date | null;
}
export interface StoryViewsTable {
  story_id: string;
  viewer_id: string;
  viewed_at: Generated<Date>;
  reaction: string | null;
}
export interface CloseFriendsTable {
  user_id: string;
  friend_id: string;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    stories: StoriesTable;
    story_views: StoryViewsTable;
    close_friends: CloseFriendsTable;
  }
}

export type StoryRow = Selectable<StoriesTable>;

export async function insertStory(db: Executor, row: Omit<StoriesTable, 'id' | 'owns_video' | 'caption' | 'created_at' | 'archived_at'> & { owns_video: boolean; caption: string }) {
  return db.insertInto('stories').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findStory(db: Executor, id: string): Promise<StoryRow | undefined> {
  return db.selectFrom('stories').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findStories(db: Executor, ids: readonly string[]): Promise<StoryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('stories').selectAll().where('id', 'in', ids).execute();
}

/** Live stories (not yet expired) of these authors, oldest first: what the tray plays. */
export async function liveStoriesOf(db: Executor, authorIds: readonly string[]): Promise<StoryRow[]> {
  if (authorIds.length === 0) return [];
  const rows = await sql<StoryRow>`
    SELECT * FROM stories
     WHERE author_id = ANY(${sql.val(authorIds)}::bigint[]) AND expires_at > now()
     ORDER BY author_id, created_at, id`.execute(db);
  return rows.rows;
}

/** The author's expired stories, newest first (their archive), keyset-paged by (created_at, id). */
export async function archivedStoriesOf(db: Executor, authorId: string, after: { at: string; id: string } | null, limit: number) {
  let q = db.selectFrom('stories').selectAll().where('author_id', '=', authorId).where('expires_at', '<=', sql<Date>`now()`);
  if (after) q = q.where((eb) => eb.or([eb('created_at', '<', new Date(after.at)), eb.and([eb('created_at', '=', new Date(after.at)), eb('id', '<', after.id)])]));
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
}

export async function deleteStory(db: Executor, id: string) {
  await db.deleteFrom('stories').where('id', '=', id).execute();
}

/** Expired stories whose media has not been archived yet, oldest first. */
export async function storiesToArchive(db: Executor, limit: number): Promise<StoryRow[]> {
  return db.selectFrom('stories').selectAll().where('archived_at', 'is', null).where('expires_at', '<=', sql<Date>`now()`).orderBy('expires_at').limit(limit).execute();
}

/** Moves an expired story to the archive: a new token (and key), once; false when someone else did it first. */
export async function markArchived(db: Executor, id: string, mediaToken: string, imageKey: string | null): Promise<boolean> {
  const r = await db
    .updateTable('stories')
    .set({ media_token: mediaToken, image_key: imageKey, archived_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

// ---- views and reactions ----

/** Records a view; a second view by the same person changes nothing. */
export async function insertView(db: Executor, storyId: string, viewerId: string) {
  await db.insertInto('story_views').values({ story_id: storyId, viewer_id: viewerId, reaction: null }).onConflict((oc) => oc.doNothing()).execute();
}

/** A reaction is also a view; the latest reaction replaces an earlier one. */
export async function setReaction(db: Executor, storyId: string, viewerId: string, reaction: string) {
  await db
    .insertInto('story_views')
    .values({ story_id: storyId, viewer_id: viewerId, reaction })
    .onConflict((oc) => oc.columns(['story_id', 'viewer_id']).doUpdateSet({ reaction }))
    .execute();
}

/** Which of these stories `viewerId` has seen. */
export async function seenAmong(db: Executor, viewerId: string, storyIds: readonly string[]): Promise<Set<string>> {
  if (storyIds.length === 0) return new Set();
  const rows = await sql<{ story_id: string }>`
    SELECT story_id FROM story_views WHERE viewer_id = ${viewerId} AND story_id = ANY(${sql.val(storyIds)}::bigint[])`.execute(db);
  return new Set(rows.rows.map((r) => String(r.story_id)));
}

export async function viewCounts(db: Executor, storyIds: readonly string[]): Promise<Map<string, number>> {
  if (storyIds.length === 0) return new Map();
  const rows = await sql<{ story_id: string; n: string }>`
    SELECT story_id, count(*) AS n FROM story_views WHERE story_id = ANY(${sql.val(storyIds)}::bigint[]) GROUP BY story_id`.execute(db);
  return new Map(rows.rows.map((r) => [String(r.story_id), Number(r.n)]));
}

/** A story's viewers, newest first, keyset-paged by (viewed_at, viewer_id). */
export async function viewersOf(db: Executor, storyId: string, after: { at: string; id: string } | null, limit: number) {
  let q = db.selectFrom('story_views').selectAll().where('story_id', '=', storyId);
  if (after)
    q = q.where((eb) => eb.or([eb('viewed_at', '<', new Date(after.at)), eb.and([eb('viewed_at', '=', new Date(after.at)), eb('viewer_id', '<', after.id)])]));
  return q.orderBy('viewed_at', 'desc').orderBy('viewer_id', 'desc').limit(limit + 1).execute();
}

/**
 * How much each of `people` has watched and reacted to `authorId`'s stories lately (a reaction
 * counts twice): one half of story closeness, the other being how much `authorId` watches theirs.
 */
export async function storyEngagementWith(db: Executor, authorId: string, people: readonly string[] | null, days: number): Promise<Map<string, number>> {
  if (people?.length === 0) return new Map();
  const rows = await sql<{ viewer_id: string; score: number }>`
    SELECT v.viewer_id, sum(CASE WHEN v.reaction IS NULL THEN 1 ELSE 2 END)::float8 AS score
      FROM stories s JOIN story_views v ON v.story_id = s.id
     WHERE s.author_id = ${authorId} AND s.created_at > now() - make_interval(days => ${days})
       ${people ? sql`AND v.viewer_id = ANY(${sql.val(people)}::bigint[])` : sql``}
     GROUP BY v.viewer_id`.execute(db);
  return new Map(rows.rows.map((r) => [String(r.viewer_id), Number(r.score)]));
}

// ---- close friends ----

export async function closeFriendsOf(db: Executor, userId: string, after: { at: string; id: string } | null, limit: number) {
  let q = db.selectFrom('close_friends').selectAll().where('user_id', '=', userId);
  if (after)
    q = q.where((eb) => eb.or([eb('created_at', '<', new Date(after.at)), eb.and([eb('created_at', '=', new Date(after.at)), eb('friend_id', '<', after.id)])]));
  return q.orderBy('created_at', 'desc').orderBy('friend_id', 'desc').limit(limit + 1).execute();
}

export async function addCloseFriend(db: Executor, userId: string, friendId: string) {
  await db.insertInto('close_friends').values({ user_id: userId, friend_id: friendId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function removeCloseFriend(db: Executor, userId: string, friendId: string) {
  await db.deleteFrom('close_friends').where('user_id', '=', userId).where('friend_id', '=', friendId).execute();
}

/** Of these authors, those who keep `memberId` on their close-friends list. */
export async function closeListsContaining(db: Executor, memberId: string, authorIds?: readonly string[]): Promise<Set<string>> {
  let q = db.selectFrom('close_friends').select('user_id').where('friend_id', '=', memberId);
  if (authorIds) {
    if (authorIds.length === 0) return new Set();
    q = q.where('user_id', 'in', authorIds);
  }
  return new Set((await q.execute()).map((r) => String(r.user_id)));
}

/** How much `viewerId` has watched and reacted to each author's stories lately (a reaction counts twice). */
export async function engagementByViewer(db: Executor, viewerId: string, days: number): Promise<Map<string, number>> {
  const rows = await sql<{ author_id: string; score: number }>`
    SELECT s.author_id, sum(CASE WHEN v.reaction IS NULL THEN 1 ELSE 2 END)::float8 AS score
      FROM story_views v JOIN stories s ON s.id = v.story_id
     WHERE v.viewer_id = ${viewerId} AND v.viewed_at > now() - make_interval(days => ${days})
     GROUP BY s.author_id`.execute(db);
  return new Map(rows.rows.map((r) => [String(r.author_id), Number(r.score)]));
}
