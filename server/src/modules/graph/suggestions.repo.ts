import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface SuggestionsTable {
  user_id: string;
  candidate_id: string;
  score: number;
  mutual_friends: Generated<number>;
  resource_allocation: Generated<number>;
  adamic_adar: Generated<number>;
  candidate_degree: Generated<number>;
  follows_you: Generated<boolean>;
  in_contacts: Generated<boolean>;
  followed_by_friends: Generated<number>;
}
export interface SuggestionStateTable {
  user_id: string;
  computed_at: Date;
  dirty: Generated<boolean>;
  /** The model that ranked the stored list (null: the prior, no model stored yet). */
  model_id: string | null;
}
export interface SuggestionModelsTable {
  id: Generated<string>;
  source: 'fitted' | 'prior';
  /** A StoredModel as jsonb. */
  model: unknown;
  report: unknown;
  fitted_at: Generated<Date>;
}

/** A model as stored: its weights with the feature names they belong to. */
export interface StoredModel {
  features: string[];
  weights: number[];
}
export interface SuggestionDismissalsTable {
  user_id: string;
  dismissed_id: string;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    suggestions: SuggestionsTable;
    suggestion_state: SuggestionStateTable;
    suggestion_dismissals: SuggestionDismissalsTable;
    suggestion_models: SuggestionModelsTable;
  }
}

export interface StoredSuggestion {
  candidate_id: string;
  score: number;
  mutual_friends: number;
  resource_allocation: number;
  adamic_adar: number;
  candidate_degree: number;
  follows_you: boolean;
  in_contacts: boolean;
  followed_by_friends: number;
}

/** Candidates never worth computing: already followed or requested, blocked either way, dismissed. */
const excluded = (u: string, c: ReturnType<typeof sql.ref>) => sql<boolean>`(
  EXISTS (SELECT 1 FROM follows x WHERE x.follower_id = ${u} AND x.followee_id = ${c})
  OR EXISTS (SELECT 1 FROM follow_requests x WHERE x.requester_id = ${u} AND x.target_id = ${c})
  OR EXISTS (SELECT 1 FROM blocks x WHERE x.blocker_id = ${u} AND x.blocked_id = ${c})
  OR EXISTS (SELECT 1 FROM blocks x WHERE x.blocker_id = ${c} AND x.blocked_id = ${u})
  OR EXISTS (SELECT 1 FROM suggestion_dismissals x WHERE x.user_id = ${u} AND x.dismissed_id = ${c}))`;

/**
 * The same exclusions for many candidate rows at once: the viewer's follows, requests,
 * blocks and dismissals are small sets, so each becomes one hashed lookup per row instead
 * of an index probe per row.
 */
const excludedMany = (u: string, c: ReturnType<typeof sql.ref>) => sql<boolean>`(
  ${c} IN (SELECT x.followee_id FROM follows x WHERE x.follower_id = ${u})
  OR ${c} IN (SELECT x.target_id FROM follow_requests x WHERE x.requester_id = ${u})
  OR ${c} IN (SELECT x.blocked_id FROM blocks x WHERE x.blocker_id = ${u})
  OR ${c} IN (SELECT x.blocker_id FROM blocks x WHERE x.blocked_id = ${u})
  OR ${c} IN (SELECT x.dismissed_id FROM suggestion_dismissals x WHERE x.user_id = ${u}))`;

/**
 * Friends-of-friends and people many friends follow, aggregated in one pass over the
 * viewer's friends' follows. Fan-out is capped: at most `maxFriends` (most recent) friends
 * are expanded. RA and Adamic-Adar use each mutual friend's friend count, as the fit and the
 * offline evaluation do (suggestion-graph.ts); a mutual friend has at least two friends.
 * Returns the best `topRa` by RA and the best `topFollowed` of those with no mutual friend.
 */
export async function graphCandidates(db: Executor, u: string, caps: { maxFriends: number; topRa: number; topFollowed: number }) {
  const rows = await sql<{ id: string; mutual_friends: string; resource_allocation: number; adamic_adar: number; followed_by_friends: string }>`
    WITH z AS (
      SELECT f.followee_id AS id FROM follows f
      WHERE f.follower_id = ${u}
        AND EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id)
      ORDER BY f.created_at DESC LIMIT ${caps.maxFriends}
    ),
    paths AS MATERIALIZED (
      SELECT f.follower_id AS z, f.followee_id AS c,
        EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id) AS mutual
      FROM z JOIN follows f ON f.follower_id = z.id
    ),
    zdeg AS (SELECT p.z, count(*) FILTER (WHERE p.mutual) AS deg FROM paths p GROUP BY p.z),
    agg AS MATERIALIZED (
      SELECT p.c,
        count(*) FILTER (WHERE p.mutual) AS mutual_friends,
        coalesce(sum(1.0::float8 / zdeg.deg) FILTER (WHERE p.mutual), 0)::float8 AS resource_allocation,
        coalesce(sum(1.0::float8 / ln(greatest(zdeg.deg, 2))) FILTER (WHERE p.mutual), 0)::float8 AS adamic_adar,
        count(*) AS followed_by_friends
      FROM paths p JOIN zdeg ON zdeg.z = p.z
      WHERE p.c <> ${u}
      GROUP BY p.c
    ),
    kept AS (
      SELECT * FROM agg WHERE NOT ${excludedMany(u, sql.ref('agg.c'))}
    )
    (SELECT c::text AS id, mutual_friends, resource_allocation, adamic_adar, followed_by_friends FROM kept WHERE mutual_friends > 0
      ORDER BY resource_allocation DESC, c DESC LIMIT ${caps.topRa})
    UNION ALL
    (SELECT c::text AS id, mutual_friends, resource_allocation, adamic_adar, followed_by_friends FROM kept WHERE mutual_friends = 0
      ORDER BY followed_by_friends DESC, c DESC LIMIT ${caps.topFollowed})
  `.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    mutual_friends: Number(r.mutual_friends),
    resource_allocation: Number(r.resource_allocation),
    adamic_adar: Number(r.adamic_adar),
    followed_by_friends: Number(r.followed_by_friends),
  }));
}

/** Recent followers the viewer does not follow back. */
export async function followerCandidates(db: Executor, u: string, limit: number): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT f.follower_id::text AS id FROM follows f
    WHERE f.followee_id = ${u} AND NOT ${excluded(u, sql.ref('f.follower_id'))}
    ORDER BY f.created_at DESC LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Friend counts, counted up to `cap` (the ranking only needs their order of magnitude). */
export async function friendCounts(db: Executor, ids: readonly string[], cap: number): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<{ id: string; n: string }>`
    SELECT t.id::text AS id, (
      SELECT count(*) FROM (
        SELECT 1 FROM follows f
        WHERE f.follower_id = t.id
          AND EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id)
        LIMIT ${cap}) s) AS n
    FROM unnest(${sql.val(ids.map(String))}::bigint[]) AS t(id)`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * The viewer's own counts the ranking reads: friends, and followers they have not followed
 * back (both counted up to `cap`).
 */
export async function viewerCounts(db: Executor, u: string, cap: number): Promise<{ friends: number; oneWayFollowers: number }> {
  const res = await sql<{ friends: string; one_way: string }>`
    SELECT
      (SELECT count(*) FROM (SELECT 1 FROM follows f WHERE f.follower_id = ${u}
         AND EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id) LIMIT ${cap}) s) AS friends,
      (SELECT count(*) FROM (SELECT 1 FROM follows f WHERE f.followee_id = ${u}
         AND NOT EXISTS (SELECT 1 FROM follows b WHERE b.follower_id = f.followee_id AND b.followee_id = f.follower_id) LIMIT ${cap}) s) AS one_way`.execute(db);
  const r = res.rows[0]!;
  return { friends: Number(r.friends), oneWayFollowers: Number(r.one_way) };
}

/** Filters `ids` down to those still worth suggesting (not followed, requested, blocked or dismissed). */
export async function stillEligible(db: Executor, u: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    SELECT t.id::text AS id FROM unnest(${sql.val(ids.map(String))}::bigint[]) AS t(id)
    WHERE t.id <> ${u} AND NOT ${excluded(u, sql.ref('t.id'))}`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

/** Replaces the stored list, noting which model ranked it. */
export async function replaceAll(db: Executor, u: string, rows: readonly StoredSuggestion[], modelId: string | null) {
  await db.deleteFrom('suggestions').where('user_id', '=', u).execute();
  if (rows.length) await db.insertInto('suggestions').values(rows.map((r) => ({ ...r, user_id: u }))).execute();
  await db
    .insertInto('suggestion_state')
    .values({ user_id: u, computed_at: sql`now()`, dirty: false, model_id: modelId })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ computed_at: sql`now()`, dirty: false, model_id: modelId }))
    .execute();
}

const STORED_COLUMNS = ['candidate_id', 'score', 'mutual_friends', 'resource_allocation', 'adamic_adar', 'candidate_degree', 'follows_you', 'in_contacts', 'followed_by_friends'] as const;

/** Stored rows for some candidates (to merge a new signal into them). */
export async function storedFor(db: Executor, u: string, ids: readonly string[]): Promise<StoredSuggestion[]> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('suggestions')
    .select(STORED_COLUMNS)
    .where('user_id', '=', u)
    .where('candidate_id', 'in', ids)
    .execute();
}

export async function storedInContacts(db: Executor, u: string): Promise<StoredSuggestion[]> {
  return db
    .selectFrom('suggestions')
    .select(STORED_COLUMNS)
    .where('user_id', '=', u)
    .where('in_contacts', '=', true)
    .execute();
}

export async function upsertRows(db: Executor, u: string, rows: readonly StoredSuggestion[]) {
  if (rows.length === 0) return;
  await db
    .insertInto('suggestions')
    .values(rows.map((r) => ({ ...r, user_id: u })))
    .onConflict((oc) =>
      oc.columns(['user_id', 'candidate_id']).doUpdateSet((eb) => ({
        score: eb.ref('excluded.score'),
        in_contacts: eb.ref('excluded.in_contacts'),
        follows_you: eb.ref('excluded.follows_you'),
      })),
    )
    .execute();
}

export async function getState(db: Executor, u: string) {
  return db.selectFrom('suggestion_state').select(['computed_at', 'dirty', 'model_id']).where('user_id', '=', u).executeTakeFirst();
}

/** Marks people's suggestions as worth recomputing (their graph changed). */
export async function markDirty(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return;
  await db.updateTable('suggestion_state').set({ dirty: true }).where('user_id', 'in', ids).execute();
}

/**
 * Up to `limit` stored suggestions after `after`, re-checked against the live graph: anyone
 * followed, requested, blocked either way or dismissed since the last refresh is left out.
 * (Whether an address-book match still allows discovery is the accounts module's to say: the
 * service checks it.)
 */
export async function readPage(db: Executor, u: string, limit: number, after: { score: number; id: string } | null) {
  const rows = await sql<{
    candidate_id: string;
    score: number;
    mutual_friends: number;
    resource_allocation: number;
    candidate_degree: number;
    in_contacts: boolean;
    followed_by_friends: number;
    follows_you: boolean;
  }>`
    SELECT s.candidate_id::text AS candidate_id, s.score, s.mutual_friends, s.resource_allocation, s.candidate_degree,
      s.in_contacts, s.followed_by_friends,
      EXISTS (SELECT 1 FROM follows y WHERE y.follower_id = s.candidate_id AND y.followee_id = ${u}) AS follows_you
    FROM suggestions s
    WHERE s.user_id = ${u} AND s.score > 0
      AND NOT ${excluded(u, sql.ref('s.candidate_id'))}
      ${after ? sql`AND (s.score, s.candidate_id) < (${after.score}::float8, ${after.id}::bigint)` : sql``}
    ORDER BY s.score DESC, s.candidate_id DESC
    LIMIT ${limit}`.execute(db);
  return rows.rows;
}

export async function insertDismissal(db: Executor, u: string, dismissedId: string) {
  await db.insertInto('suggestion_dismissals').values({ user_id: u, dismissed_id: dismissedId }).onConflict((oc) => oc.doNothing()).execute();
}

/** Stores a fitted (or prior) model; it becomes the one every node ranks with. Keeps the last `keep`. */
export async function insertModel(db: Executor, m: { source: 'fitted' | 'prior'; model: StoredModel; report: unknown }, keep: number): Promise<string> {
  const row = await db
    .insertInto('suggestion_models')
    .values({ source: m.source, model: JSON.stringify(m.model), report: JSON.stringify(m.report) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`DELETE FROM suggestion_models WHERE id <= ${row.id}::bigint - ${keep}`.execute(db);
  return String(row.id);
}

/** The newest stored model; `model` is null when it is not a StoredModel (written by other code). */
export async function latestModel(db: Executor) {
  const row = await db.selectFrom('suggestion_models').select(['id', 'source', 'model', 'fitted_at']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!row) return undefined;
  const m = row.model as Partial<StoredModel> | null;
  const valid = Array.isArray(m?.features) && Array.isArray(m?.weights) && m.weights.every((w) => typeof w === 'number' && Number.isFinite(w));
  return { id: String(row.id), source: row.source, fittedAt: row.fitted_at, model: valid ? (m as StoredModel) : null };
}

export interface FollowRow {
  follower: number;
  followee: number;
  /** When the follow was made, and when the other follow back was (null: one-way). */
  at: number;
  backAt: number | null;
}

/**
 * Every follow, with its follow back if any, in keyset pages of `pageSize` (the worker's fit
 * reads the whole graph; pages keep each query and each result small).
 */
export async function* allFollows(db: Executor, pageSize: number): AsyncGenerator<FollowRow[]> {
  let after: [string, string] = ['0', '0'];
  for (;;) {
    const res = await sql<{ follower: string; followee: string; at: number; back_at: number | null }>`
      SELECT f.follower_id::text AS follower, f.followee_id::text AS followee,
        extract(epoch FROM f.created_at)::float8 AS at, extract(epoch FROM b.created_at)::float8 AS back_at
      FROM follows f LEFT JOIN follows b ON b.follower_id = f.followee_id AND b.followee_id = f.follower_id
      WHERE (f.follower_id, f.followee_id) > (${after[0]}::bigint, ${after[1]}::bigint)
      ORDER BY f.follower_id, f.followee_id
      LIMIT ${pageSize}`.execute(db);
    if (res.rows.length === 0) return;
    yield res.rows.map((r) => ({ follower: Number(r.follower), followee: Number(r.followee), at: Number(r.at), backAt: r.back_at === null ? null : Number(r.back_at) }));
    const last = res.rows[res.rows.length - 1]!;
    after = [last.follower, last.followee];
    if (res.rows.length < pageSize) return;
  }
}
