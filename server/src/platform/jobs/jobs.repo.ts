import { type Generated, sql } from 'kysely';
import type { Executor } from '../db/tx.ts';

export interface JobsTable {
  id: Generated<string>;
  kind: string;
  payload: unknown;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Generated<Date>;
  locked_by: string | null;
  lease_until: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

declare module '../db/schema.ts' {
  interface Database {
    jobs: JobsTable;
  }
}

export interface ClaimedJob {
  id: string;
  kind: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

export async function insertJob(db: Executor, kind: string, payload: unknown, maxAttempts: number, delayMs = 0) {
  const row = await db
    .insertInto('jobs')
    .values({
      kind,
      payload: JSON.stringify(payload),
      max_attempts: maxAttempts,
      run_at: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval`,
      locked_by: null,
      lease_until: null,
      last_error: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/**
 * Claims one due job: a queued one whose time has come, or a running one whose lease ran
 * out (its worker died). SKIP LOCKED lets many workers claim side by side without waiting
 * on each other; the single UPDATE makes the claim atomic.
 */
export async function claimJob(db: Executor, workerId: string, leaseMs: number): Promise<ClaimedJob | null> {
  const res = await sql<ClaimedJob>`
    UPDATE jobs SET status = 'running', locked_by = ${workerId}, attempts = attempts + 1,
           lease_until = now() + ${`${leaseMs} milliseconds`}::interval, updated_at = now()
     WHERE id = (
       SELECT id FROM jobs
        WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND lease_until < now())
        ORDER BY run_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
    RETURNING id::text AS id, kind, payload, attempts, max_attempts`.execute(db);
  return res.rows[0] ?? null;
}

/** Extends the lease while the job runs; false when another worker has taken it over. */
export async function renewLease(db: Executor, id: string, workerId: string, leaseMs: number): Promise<boolean> {
  const res = await db
    .updateTable('jobs')
    .set({ lease_until: sql<Date>`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function completeJob(db: Executor, id: string, workerId: string) {
  await db
    .updateTable('jobs')
    .set({ status: 'done', lease_until: null, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

export async function retryJob(db: Executor, id: string, workerId: string, error: string, delayMs: number) {
  await db
    .updateTable('jobs')
    .set({
      status: 'queued',
      lease_until: null,
      locked_by: null,
      last_error: error,
      run_at: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval`,
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

export async function failJob(db: Executor, id: string, error: string) {
  await db.updateTable('jobs').set({ status: 'failed', lease_until: null, last_error: error, updated_at: sql`now()` }).where('id', '=', id).execute();
}

/** Whether a job of `kind` is waiting or running (each status has its own partial index). */
export async function hasPendingJob(db: Executor, kind: string): Promise<boolean> {
  const res = await sql<{ pending: boolean }>`
    SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'queued' AND kind = ${kind})
        OR EXISTS (SELECT 1 FROM jobs WHERE status = 'running' AND kind = ${kind}) AS pending`.execute(db);
  return Boolean(res.rows[0]?.pending);
}

export async function findJob(db: Executor, id: string) {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}
