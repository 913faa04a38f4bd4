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

export async function followingIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('follows').select('followee_id as id').where('follower_id', '=', userId).execute();
  return rows.map((r) => String(r.id));
}

export async function mutedIdsOf(db: Executor, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('mutes').select('muted_id as id').where('muter_id', '=', userId).execute();
  return rows.map((r) => String(r.id));
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
