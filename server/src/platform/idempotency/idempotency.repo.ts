import { sql } from 'kysely';
import type { Executor } from '../db/tx.ts';

export interface IdempotencyKeysTable {
  user_id: string;
  scope: string;
  key: string;
  request_hash: string;
  status: 'running' | 'done';
  response_status: number | null;
  response_body: unknown;
  locked_until: Date;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface Database {
    idempotency_keys: IdempotencyKeysTable;
  }
}

export interface KeyRef {
  userId: string;
  scope: string;
  key: string;
}

export interface Claim {
  ref: KeyRef;
  requestHash: string;
  leaseMs: number;
}

/** A key's identity as `claimKeys` answers it. */
export const keyId = (ref: KeyRef) => `${ref.userId}\u0000${ref.scope}\u0000${ref.key}`;

/**
 * Claims keys, one request each (each key at most once in `claims`), in one statement: inserts
 * a key, or takes over a `running` record whose holder's lease ran out (a process that died
 * mid-call). The keys this caller now owns, by `keyId`: true when newly inserted, false when
 * taken over (the dead holder's work may have committed: the caller must look for it).
 * Rows are written in key order, as `releaseKeys` locks them: two batches (two nodes, or a
 * node's claims and its own releases) that share keys then never wait on each other in a cycle.
 */
export async function claimKeys(db: Executor, claims: readonly Claim[]): Promise<Map<string, boolean>> {
  if (claims.length === 0) return new Map();
  const res = await sql<{ user_id: string; scope: string; key: string; inserted: boolean }>`
    INSERT INTO idempotency_keys (user_id, scope, key, request_hash, locked_until)
    SELECT c.user_id, c.scope, c.key, c.request_hash, now() + c.lease_ms * interval '1 millisecond'
      FROM unnest(${sql.val(claims.map((c) => c.ref.userId))}::bigint[], ${sql.val(claims.map((c) => c.ref.scope))}::text[],
                  ${sql.val(claims.map((c) => c.ref.key))}::text[], ${sql.val(claims.map((c) => c.requestHash))}::text[],
                  ${sql.val(claims.map((c) => c.leaseMs))}::int[]) AS c(user_id, scope, key, request_hash, lease_ms)
     ORDER BY c.user_id, c.scope, c.key
    ON CONFLICT (user_id, scope, key) DO UPDATE
      SET locked_until = EXCLUDED.locked_until
      WHERE idempotency_keys.status = 'running' AND idempotency_keys.locked_until < now()
        AND idempotency_keys.request_hash = EXCLUDED.request_hash
    RETURNING user_id::text AS user_id, scope, key, (xmax = 0) AS inserted`.execute(db);
  return new Map(res.rows.map((r) => [keyId({ userId: r.user_id, scope: r.scope, key: r.key }), r.inserted]));
}

/** Drops `running` claims (a call that failed, or a refusal not stored), in one statement; rows locked in key order (see `claimKeys`). */
export async function releaseKeys(db: Executor, refs: readonly KeyRef[]) {
  if (refs.length === 0) return;
  await sql`
    WITH doomed AS (
      SELECT k.user_id, k.scope, k.key FROM idempotency_keys k
        JOIN unnest(${sql.val(refs.map((r) => r.userId))}::bigint[], ${sql.val(refs.map((r) => r.scope))}::text[], ${sql.val(refs.map((r) => r.key))}::text[]) AS r(user_id, scope, key)
          ON k.user_id = r.user_id AND k.scope = r.scope AND k.key = r.key
       WHERE k.status = 'running'
       ORDER BY k.user_id, k.scope, k.key
         FOR UPDATE OF k)
    DELETE FROM idempotency_keys k USING doomed d
     WHERE k.user_id = d.user_id AND k.scope = d.scope AND k.key = d.key AND k.status = 'running'`.execute(db);
}

/** Which of these keys have a record (an answer stored, or a call running), by `keyId`; one statement. */
export async function knownKeys(db: Executor, refs: readonly KeyRef[]): Promise<Set<string>> {
  if (refs.length === 0) return new Set();
  const res = await sql<{ user_id: string; scope: string; key: string }>`
    SELECT k.user_id::text AS user_id, k.scope, k.key FROM idempotency_keys k
      JOIN unnest(${sql.val(refs.map((r) => r.userId))}::bigint[], ${sql.val(refs.map((r) => r.scope))}::text[], ${sql.val(refs.map((r) => r.key))}::text[]) AS r(user_id, scope, key)
        ON k.user_id = r.user_id AND k.scope = r.scope AND k.key = r.key`.execute(db);
  return new Set(res.rows.map((r) => keyId({ userId: r.user_id, scope: r.scope, key: r.key })));
}

export async function findKey(db: Executor, ref: KeyRef) {
  return db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status', 'response_status', 'response_body'])
    .where('user_id', '=', ref.userId)
    .where('scope', '=', ref.scope)
    .where('key', '=', ref.key)
    .executeTakeFirst();
}

export async function storeAnswer(db: Executor, ref: KeyRef, status: number, body: unknown) {
  await db
    .updateTable('idempotency_keys')
    .set({ status: 'done', response_status: status, response_body: JSON.stringify(body) })
    .where('user_id', '=', ref.userId)
    .where('scope', '=', ref.scope)
    .where('key', '=', ref.key)
    .execute();
}

/** Forgets answers older than `days` (the window in which a retry is recognised). */
export async function deleteOldKeys(db: Executor, days: number): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`).executeTakeFirst();
  return Number(res.numDeletedRows);
}
