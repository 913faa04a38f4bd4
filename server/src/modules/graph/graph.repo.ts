import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface FollowsTable {
  follower_id: string;
  followee_id: string;
  created_at: Generated<Date>;
}
export interface FollowRequestsTable {
  requester_id: string;
  target_id: string;
  created_at: Generated<Date>;
}
export interface BlocksTable {
  blocker_id: string;
  blocked_id: string;
  created_at: Generated<Date>;
}
export interface MutesTable {
  muter_id: string;
  muted_id: string;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    follows: FollowsTable;
    follow_requests: FollowRequestsTable;
    blocks: BlocksTable;
    mutes: MutesTable;
  }
}

/** Every edge between two people, both ways, in one round trip. */
export async function edgesBetween(db: Executor, a: string, b: string) {
  const row = await sql<{
    a_follows_b: boolean;
    b_follows_a: boolean;
    a_requested_b: boolean;
    a_blocks_b: boolean;
    b_blocks_a: boolean;
    a_mutes_b: boolean;
  }>`
    SELECT
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${a} AND followee_id = ${b}) AS a_follows_b,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${b} AND followee_id = ${a}) AS b_follows_a,
      EXISTS (SELECT 1 FROM follow_requests WHERE requester_id = ${a} AND target_id = ${b}) AS a_requested_b,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${a} AND blocked_id = ${b}) AS a_blocks_b,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${b} AND blocked_id = ${a}) AS b_blocks_a,
      EXISTS (SELECT 1 FROM mutes WHERE muter_id = ${a} AND muted_id = ${b}) AS a_mutes_b
  `.execute(db);
  return row.rows[0]!;
}

/** For each pair (a, b): is there a block either way, and who follows whom? One round trip for any number of pairs. */
export async function blocksAndFollowsAmong(db: Executor, pairs: ReadonlyArray<readonly [string, string]>) {
  if (pairs.length === 0) return [];
  const result = await sql<{ a: string; b: string; blocked: boolean; a_follows_b: boolean; b_follows_a: boolean }>`
    SELECT p.a::text AS a, p.b::text AS b,
      EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = p.a AND blocked_id = p.b) OR (blocker_id = p.b AND blocked_id = p.a)) AS blocked,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = p.a AND followee_id = p.b) AS a_follows_b,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = p.b AND followee_id = p.a) AS b_follows_a
    FROM unnest(${sql.val(pairs.map((p) => p[0]))}::bigint[], ${sql.val(pairs.map((p) => p[1]))}::bigint[]) AS p(a, b)`.execute(db);
  return result.rows;
}

/** What decides whether `viewer` may see `other`'s clips, in one round trip. */
export async function audienceOf(db: Executor, viewer: string, other: string) {
  const row = await sql<{ follows: boolean; followed_by: boolean; blocked: boolean }>`
    SELECT
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewer} AND followee_id = ${other}) AS follows,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${other} AND followee_id = ${viewer}) AS followed_by,
      EXISTS (SELECT 1 FROM blocks WHERE (blocker_id = ${viewer} AND blocked_id = ${other}) OR (blocker_id = ${other} AND blocked_id = ${viewer})) AS blocked
  `.execute(db);
  return row.rows[0]!;
}

export async function countsFor(db: Executor, userId: string) {
  const row = await sql<{ followers: string; following: string; friends: string }>`
    SELECT
      (SELECT count(*) FROM follows WHERE followee_id = ${userId}) AS followers,
      (SELECT count(*) FROM follows WHERE follower_id = ${userId}) AS following,
      (SELECT count(*) FROM follows f
         JOIN follows back ON back.follower_id = f.followee_id AND back.followee_id = f.follower_id
        WHERE f.follower_id = ${userId}) AS friends
  `.execute(db);
  const r = row.rows[0]!;
  return { followers: Number(r.followers), following: Number(r.following), friends: Number(r.friends) };
}

/** People who follow `userId` and whom `userId` follows back. */
export async function friendIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('follows as f')
    .innerJoin('follows as back', (j) => j.onRef('back.follower_id', '=', 'f.followee_id').onRef('back.followee_id', '=', 'f.follower_id'))
    .select('f.followee_id as id')
    .where('f.follower_id', '=', userId)
    .execute();
  return rows.map((r) => String(r.id));
}

/** Everyone `userId` follows, each marked when they follow back (a friend). */
export async function followeesOf(db: Executor, userId: string): Promise<{ id: string; friend: boolean }[]> {
  const rows = await sql<{ id: string; friend: boolean }>`
    SELECT f.followee_id AS id,
           EXISTS (SELECT 1 FROM follows back WHERE back.follower_id = f.followee_id AND back.followee_id = f.follower_id) AS friend
      FROM follows f WHERE f.follower_id = ${userId}`.execute(db);
  return rows.rows.map((r) => ({ id: String(r.id), friend: r.friend }));
}

/** Everyone who follows `userId`, each marked when `userId` follows them back (a friend). */
export async function followersOf(db: Executor, userId: string): Promise<{ id: string; friend: boolean }[]> {
  const rows = await sql<{ id: string; friend: boolean }>`
    SELECT f.follower_id AS id,
           EXISTS (SELECT 1 FROM follows back WHERE back.follower_id = f.followee_id AND back.followee_id = f.follower_id) AS friend
      FROM follows f WHERE f.followee_id = ${userId}`.execute(db);
  return rows.rows.map((r) => ({ id: String(r.id), friend: r.friend }));
}

/** Everyone `userId` has muted, blocked or is blocked by, in one round trip. */
export async function mutedOrBlockedIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT muted_id AS id FROM mutes WHERE muter_id = ${userId}
    UNION
    SELECT blocked_id FROM blocks WHERE blocker_id = ${userId}
    UNION
    SELECT blocker_id FROM blocks WHERE blocked_id = ${userId}
  `.execute(db);
  return rows.rows.map((r) => String(r.id));
}

/** Everyone `userId` has blocked or is blocked by: they must not see each other. */
export async function blockedEitherWayIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT blocked_id AS id FROM blocks WHERE blocker_id = ${userId}
    UNION
    SELECT blocker_id AS id FROM blocks WHERE blocked_id = ${userId}
  `.execute(db);
  return rows.rows.map((r) => String(r.id));
}

/** Inserts a follow; false when it already existed. */
export async function insertFollow(db: Executor, followerId: string, followeeId: string): Promise<boolean> {
  const res = await db
    .insertInto('follows')
    .values({ follower_id: followerId, followee_id: followeeId })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteFollow(db: Executor, followerId: string, followeeId: string): Promise<boolean> {
  const res = await db.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function insertFollowRequest(db: Executor, requesterId: string, targetId: string): Promise<boolean> {
  const res = await db
    .insertInto('follow_requests')
    .values({ requester_id: requesterId, target_id: targetId })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function deleteFollowRequest(db: Executor, requesterId: string, targetId: string): Promise<boolean> {
  const res = await db.deleteFrom('follow_requests').where('requester_id', '=', requesterId).where('target_id', '=', targetId).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Pending requests to `targetId`, newest first, keyset-paged on (created_at, requester_id). */
export async function listFollowRequests(db: Executor, targetId: string, limit: number, after: { at: string; id: string } | null) {
  let q = db
    .selectFrom('follow_requests as r')
    .select([sql<string>`r.requester_id::text`.as('id'), sql<string>`r.created_at::text`.as('at')])
    .where('r.target_id', '=', targetId);
  if (after) q = q.where(sql<boolean>`(r.created_at, r.requester_id) < (${after.at}::timestamptz, ${after.id}::bigint)`);
  return q.orderBy('r.created_at', 'desc').orderBy('r.requester_id', 'desc').limit(limit + 1).execute();
}

/** The people `blockerId` blocked, newest first; keyset on (created_at, blocked id). */
export async function listBlocked(db: Executor, blockerId: string, limit: number, after: { at: string; id: string } | null) {
  let q = db
    .selectFrom('blocks as b')
    .select([sql<string>`b.blocked_id::text`.as('id'), sql<string>`b.created_at::text`.as('at')])
    .where('b.blocker_id', '=', blockerId);
  if (after) q = q.where(sql<boolean>`(b.created_at, b.blocked_id) < (${after.at}::timestamptz, ${after.id}::bigint)`);
  return q.orderBy('b.created_at', 'desc').orderBy('b.blocked_id', 'desc').limit(limit + 1).execute();
}

export type GraphListKind = 'followers' | 'following' | 'friends';

/**
 * One page of a person's followers, following or friends, newest follow first. Keyset on
 * (created_at, other id) of `userId`'s side of the edge; people hidden from the viewer are
 * left out.
 */
export async function listConnections(
  db: Executor,
  kind: GraphListKind,
  userId: string,
  opts: { limit: number; after: { at: string; id: string } | null; excludeIds: readonly string[] },
) {
  if (kind === 'friends') return listFriends(db, userId, opts);
  // followers: edges into userId; following: edges out of userId.
  const mine = kind === 'followers' ? 'f.followee_id' : 'f.follower_id';
  const other = kind === 'followers' ? 'f.follower_id' : 'f.followee_id';
  let q = db
    .selectFrom('follows as f')
    .select([sql<string>`${sql.ref(other)}::text`.as('id'), sql<string>`f.created_at::text`.as('at')])
    .where(mine, '=', userId);
  if (opts.after) q = q.where(sql<boolean>`(f.created_at, ${sql.ref(other)}) < (${opts.after.at}::timestamptz, ${opts.after.id}::bigint)`);
  if (opts.excludeIds.length) q = q.where(other, 'not in', opts.excludeIds);
  return q.orderBy('f.created_at', 'desc').orderBy(other, 'desc').limit(opts.limit + 1).execute();
}

const FRIEND_WALK_CHUNK = 200;

/**
 * Friends, newest first: walks the person's follows along (follower_id, created_at DESC)
 * in chunks and keeps those followed back. A single join-and-filter query lets the planner
 * guess "about 60 follows" and sort every follow of someone with thousands; the walk reads
 * only as far as the page needs.
 */
async function listFriends(db: Executor, userId: string, opts: { limit: number; after: { at: string; id: string } | null; excludeIds: readonly string[] }) {
  const excluded = new Set(opts.excludeIds.map(String));
  const out: Array<{ id: string; at: string }> = [];
  let after = opts.after;
  for (;;) {
    const chunk = await sql<{ id: string; at: string; mutual: boolean }>`
      SELECT w.followee_id::text AS id, w.at,
        EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = w.followee_id AND b.followee_id = ${userId}) AS mutual
      FROM (
        SELECT f.followee_id, f.created_at, f.created_at::text AS at FROM follows f
        WHERE f.follower_id = ${userId}
          ${after ? sql`AND (f.created_at, f.followee_id) < (${after.at}::timestamptz, ${after.id}::bigint)` : sql``}
        ORDER BY f.created_at DESC, f.followee_id DESC
        LIMIT ${FRIEND_WALK_CHUNK}
      ) w
      ORDER BY w.created_at DESC, w.followee_id DESC`.execute(db);
    for (const r of chunk.rows) {
      if (r.mutual && !excluded.has(r.id)) out.push({ id: r.id, at: r.at });
      if (out.length > opts.limit) return out;
    }
    const last = chunk.rows[chunk.rows.length - 1];
    if (chunk.rows.length < FRIEND_WALK_CHUNK || !last) return out;
    after = { at: last.at, id: last.id };
  }
}

/** The viewer's relationship to each of `ids`, in one round trip. */
export async function relationshipsTo(db: Executor, viewerId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await sql<{ id: string; following: boolean; followed_by: boolean; blocked: boolean; requested: boolean }>`
    SELECT t.id::text AS id,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = ${viewerId} AND followee_id = t.id) AS following,
      EXISTS (SELECT 1 FROM follows WHERE follower_id = t.id AND followee_id = ${viewerId}) AS followed_by,
      EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ${viewerId} AND blocked_id = t.id) AS blocked,
      EXISTS (SELECT 1 FROM follow_requests WHERE requester_id = ${viewerId} AND target_id = t.id) AS requested
    FROM unnest(${sql.val(ids.map(String))}::bigint[]) AS t(id)
  `.execute(db);
  return rows.rows;
}

/** A block removes every follow and pending request between the two, both ways. */
export async function insertBlock(db: Executor, blockerId: string, blockedId: string) {
  await db.insertInto('blocks').values({ blocker_id: blockerId, blocked_id: blockedId }).onConflict((oc) => oc.doNothing()).execute();
  const pair = (a: string, b: string) => sql<boolean>`(follower_id = ${a} AND followee_id = ${b})`;
  await db.deleteFrom('follows').where(sql<boolean>`${pair(blockerId, blockedId)} OR ${pair(blockedId, blockerId)}`).execute();
  await db
    .deleteFrom('follow_requests')
    .where(sql<boolean>`(requester_id = ${blockerId} AND target_id = ${blockedId}) OR (requester_id = ${blockedId} AND target_id = ${blockerId})`)
    .execute();
}

export async function deleteBlock(db: Executor, blockerId: string, blockedId: string) {
  await db.deleteFrom('blocks').where('blocker_id', '=', blockerId).where('blocked_id', '=', blockedId).execute();
}

export async function insertMute(db: Executor, muterId: string, mutedId: string) {
  await db.insertInto('mutes').values({ muter_id: muterId, muted_id: mutedId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function deleteMute(db: Executor, muterId: string, mutedId: string) {
  await db.deleteFrom('mutes').where('muter_id', '=', muterId).where('muted_id', '=', mutedId).execute();
}
