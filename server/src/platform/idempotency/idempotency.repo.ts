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

/**
 * Claims the key for this request: inserts it, or takes over a `running` record whose holder's
 * lease ran out (a process that died mid-call). True when this caller now owns the key.
 */
export async function claimKey(db: Executor, ref: KeyRef, requestHash: string, leaseMs: number): Promise<boolean> {
  const res = await sql<{ claimed: boolean }>`
    INSERT INTO idempotency_keys (user_id, scope, key, request_hash, locked_until)
    VALUES (${ref.userId}, ${ref.scope}, ${ref.key}, ${requestHash}, now() + ${`${leaseMs} milliseconds`}::interval)
    ON CONFLICT (user_id, scope, key) DO UPDATE
      SET locked_until = EXCLUDED.locked_until
      WHERE idempotency_keys.status = 'running' AND idempotency_keys.locked_until < now()
        AND idempotency_keys.request_hash = EXCLUDED.request_hash
    RETURNING true AS claimed`.execute(db);
  return res.rows.length > 0;
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

export async function releaseKey(db: Executor, ref: KeyRef) {
  await db.deleteFrom('idempotency_keys').where('user_id', '=', ref.userId).where('scope', '=', ref.scope).where('key', '=', ref.key).where('status', '=', 'running').execute();
}

/** Forgets answers older than `days` (the window in which a retry is recognised). */
export async function deleteOldKeys(db: Executor, days: number): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`).executeTakeFirst();
  return Number(res.numDeletedRows);
}
