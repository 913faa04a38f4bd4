import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface ContactHashesTable {
  owner_id: string;
  kind: 'phone' | 'email';
  hash: Buffer;
  created_at: Generated<Date>;
}
export interface ContactSyncUsageTable {
  user_id: string;
  day: string;
  new_identifiers: Generated<number>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    contact_hashes: ContactHashesTable;
    contact_sync_usage: ContactSyncUsageTable;
  }
}

export type HashedContact = { kind: 'phone' | 'email'; hash: Buffer };

// Hashes travel as hex text arrays: both drivers pass text[] the same way. `= ANY(ARRAY(…))`
// lets the planner use the hash index.
const hexArray = (hashes: readonly Buffer[]) => sql`ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(${sql.val(hashes.map((h) => h.toString('hex')))}::text[]) AS h))`;

/** Which of `contacts` the owner has already uploaded (as "kind:hex" keys). */
export async function storedKeys(db: Executor, ownerId: string, contacts: readonly HashedContact[]): Promise<Set<string>> {
  if (contacts.length === 0) return new Set();
  const rows = await db
    .selectFrom('contact_hashes')
    .select(['kind', sql<string>`encode(hash, 'hex')`.as('hex')])
    .where('owner_id', '=', ownerId)
    .where(sql<boolean>`hash = ${hexArray(contacts.map((c) => c.hash))}`)
    .execute();
  return new Set(rows.map((r) => `${r.kind}:${r.hex}`));
}

export async function insertHashes(db: Executor, ownerId: string, contacts: readonly HashedContact[]) {
  if (contacts.length === 0) return;
  await db
    .insertInto('contact_hashes')
    .values(contacts.map((c) => ({ owner_id: ownerId, kind: c.kind, hash: c.hash })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Charges `n` new identifiers to today's budget; false (and nothing charged) when that would
 * exceed `budget`. The row lock makes concurrent uploads by one user add up correctly.
 */
export async function chargeDailyUsage(db: Executor, userId: string, n: number, budget: number): Promise<boolean> {
  if (n === 0) return true;
  await sql`INSERT INTO contact_sync_usage (user_id, day) VALUES (${userId}, (now() AT TIME ZONE 'UTC')::date) ON CONFLICT DO NOTHING`.execute(db);
  const res = await sql<{ n: number }>`
    UPDATE contact_sync_usage SET new_identifiers = new_identifiers + ${n}
    WHERE user_id = ${userId} AND day = (now() AT TIME ZONE 'UTC')::date AND new_identifiers + ${n} <= ${budget}
    RETURNING new_identifiers AS n`.execute(db);
  return res.rows.length > 0;
}

/** The hashes `ownerId` has uploaded, by kind (suggestions match them against accounts). */
export async function hashesOf(db: Executor, ownerId: string): Promise<{ phones: Buffer[]; emails: Buffer[] }> {
  const rows = await db.selectFrom('contact_hashes').select(['kind', 'hash']).where('owner_id', '=', ownerId).execute();
  const of = (kind: string) => rows.filter((r) => r.kind === kind).map((r) => Buffer.from(r.hash));
  return { phones: of('phone'), emails: of('email') };
}

/** Everyone who uploaded this identifier (a new account's phone or email). */
export async function ownersOf(db: Executor, kind: 'phone' | 'email', hash: Buffer): Promise<string[]> {
  const rows = await db.selectFrom('contact_hashes').select('owner_id').where('kind', '=', kind).where('hash', '=', hash).execute();
  return rows.map((r) => String(r.owner_id));
}

export async function deleteAllFor(db: Executor, ownerId: string): Promise<number> {
  const res = await db.deleteFrom('contact_hashes').where('owner_id', '=', ownerId).executeTakeFirst();
  return Number(res.numDeletedRows);
}
