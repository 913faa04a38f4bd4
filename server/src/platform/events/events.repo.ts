import { type Generated, sql } from 'kysely';
import type { Executor } from '../db/tx.ts';

export interface DomainEventsTable {
  id: Generated<string>;
  type: string;
  payload: unknown;
  created_at: Generated<Date>;
  attempts: Generated<number>;
  claimed_until: Date | null;
  last_error: string | null;
  done_at: Date | null;
  failed_at: Date | null;
}

export interface DomainEventReceiptsTable {
  handler: string;
  event_id: string;
  handled_at: Generated<Date>;
}

declare module '../db/schema.ts' {
  interface Database {
    domain_events: DomainEventsTable;
    domain_event_receipts: DomainEventReceiptsTable;
  }
}

export interface ClaimedEvent {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

export async function insertEvents(db: Executor, events: ReadonlyArray<{ type: string; payload: unknown }>) {
  if (events.length === 0) return;
  await db
    .insertInto('domain_events')
    .values(events.map((e) => ({ type: e.type, payload: JSON.stringify(e.payload), claimed_until: null, last_error: null, done_at: null, failed_at: null })))
    .execute();
}

/**
 * Claims up to `limit` pending events, oldest first: those nobody holds, and those whose holder's
 * lease ran out (it died or stalled). SKIP LOCKED lets relays on several nodes claim side by side;
 * the single UPDATE makes each claim atomic, so two relays never hold the same event at once.
 */
export async function claimEvents(db: Executor, limit: number, leaseMs: number): Promise<ClaimedEvent[]> {
  const res = await sql<ClaimedEvent>`
    UPDATE domain_events SET claimed_until = now() + ${`${leaseMs} milliseconds`}::interval, attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM domain_events
        WHERE done_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
    RETURNING id::text AS id, type, payload, attempts, created_at`.execute(db);
  return res.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

export async function markDone(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return;
  await db.updateTable('domain_events').set({ done_at: sql`now()`, claimed_until: null }).where('id', 'in', ids).execute();
}

/** A handler failed: the event waits `delayMs` (its lease is pushed out) before any relay tries again. */
export async function postpone(db: Executor, id: string, error: string, delayMs: number) {
  await db
    .updateTable('domain_events')
    .set({ last_error: error.slice(0, 1000), claimed_until: sql<Date>`now() + ${`${delayMs} milliseconds`}::interval` })
    .where('id', '=', id)
    .execute();
}

export async function markFailed(db: Executor, id: string, error: string) {
  await db
    .updateTable('domain_events')
    .set({ last_error: error.slice(0, 1000), failed_at: sql`now()`, claimed_until: null })
    .where('id', '=', id)
    .execute();
}

/** Records that `handler` has handled `eventId`; false when it already had (a redelivery). */
export async function insertReceipt(db: Executor, handler: string, eventId: string): Promise<boolean> {
  const row = await db.insertInto('domain_event_receipts').values({ handler, event_id: eventId }).onConflict((oc) => oc.doNothing()).returning('event_id').executeTakeFirst();
  return row !== undefined;
}

/** Removes finished events and receipts older than `days` (a finished event is never delivered again). */
export async function deleteFinishedBefore(db: Executor, days: number) {
  const cutoff = sql<Date>`now() - ${`${days} days`}::interval`;
  await db.deleteFrom('domain_events').where('done_at', '<', cutoff).execute();
  await db.deleteFrom('domain_event_receipts').where('handled_at', '<', cutoff).execute();
}

/** Counts by state, for tests and operators. */
export async function countByState(db: Executor) {
  const res = await sql<{ pending: string; done: string; failed: string }>`
    SELECT count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL) AS pending,
           count(*) FILTER (WHERE done_at IS NOT NULL) AS done,
           count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
      FROM domain_events`.execute(db);
  const r = res.rows[0]!;
  return { pending: Number(r.pending), done: Number(r.done), failed: Number(r.failed) };
}
