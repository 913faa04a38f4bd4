import { type Generated, type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface UsersTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  bio: Generated<string>;
  avatar_key: string | null;
  password_hash: string;
  birthdate: string | null;
  email_hash: Buffer | null;
  email_enc: Buffer | null;
  phone_hash: Buffer | null;
  phone_enc: Buffer | null;
  private_account: Generated<boolean>;
  dm_policy: Generated<'everyone' | 'friends' | 'nobody'>;
  discoverable_by_contacts: Generated<boolean>;
  friends_first: Generated<number>;
  region: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SessionsTable {
  token_hash: Buffer;
  user_id: string;
  created_at: Generated<Date>;
  last_used_at: Generated<Date>;
  expires_at: Date;
  user_agent: string | null;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    users: UsersTable;
    sessions: SessionsTable;
  }
}

export type UserRow = Selectable<UsersTable>;

/** The columns a public user view needs — never the hash or the private fields. */
export const publicUserColumns = ['users.id', 'users.username', 'users.display_name', 'users.bio', 'users.avatar_key'] as const;
export type PublicUserRow = Pick<UserRow, 'id' | 'username' | 'display_name' | 'bio' | 'avatar_key'>;

export async function insertUser(
  db: Executor,
  u: Pick<UserRow, 'username' | 'display_name' | 'password_hash' | 'birthdate' | 'email_hash' | 'email_enc' | 'phone_hash' | 'phone_enc'>,
): Promise<UserRow> {
  return db.insertInto('users').values(u).returningAll().executeTakeFirstOrThrow();
}

export async function findUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The private-account flag, row held FOR SHARE until the caller's transaction ends (false for nobody). */
export async function privateAccountForShare(db: Executor, id: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('private_account').where('id', '=', id).forShare().executeTakeFirst();
  return row?.private_account ?? false;
}

export async function findUserByUsername(db: Executor, username: string): Promise<UserRow | undefined> {
  // username is citext: the comparison is case-insensitive.
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function findPublicUsersByIds(db: Executor, ids: readonly string[]): Promise<PublicUserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(publicUserColumns).where('id', 'in', ids).execute();
}

/** Birthdate and "who may message me" for several users at once (messaging checks every send). */
export async function findMessagingPrefs(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'birthdate', 'dm_policy']).where('id', 'in', ids).execute();
}

export async function usernameTaken(db: Executor, username: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  return row !== undefined;
}

export async function identifierTaken(db: Executor, column: 'email_hash' | 'phone_hash', hash: Buffer): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where(column, '=', hash).executeTakeFirst();
  return row !== undefined;
}

export async function updateUser(
  db: Executor,
  id: string,
  patch: Partial<Pick<UserRow, 'display_name' | 'bio' | 'avatar_key' | 'private_account' | 'dm_policy' | 'discoverable_by_contacts' | 'friends_first' | 'region'>>,
): Promise<UserRow> {
  return db
    .updateTable('users')
    .set({ ...patch, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Users whose username starts with the query rank first (so typing "ali" finds "alice"
 * at once), then fuzzy trigram matches on username or display name, best first.
 * `excludeIds` hides people the viewer must not see (blocks, from the graph module).
 */
export async function searchUsers(
  db: Executor,
  q: string,
  opts: { limit: number; after: { rank: number; sim: number; id: string } | null; excludeIds: readonly string[] },
) {
  const needle = q.toLowerCase();
  const prefix = `${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  let query = db
    .selectFrom(
      db
        .selectFrom('users')
        .select([
          ...publicUserColumns,
          sql<number>`CASE WHEN lower(users.username::text) LIKE ${prefix} THEN 0 ELSE 1 END`.as('rank'),
          sql<number>`greatest(similarity(lower(users.username::text), ${needle}), similarity(lower(users.display_name), ${needle}))::float8`.as('sim'),
        ])
        .where((eb) =>
          eb.or([
            sql<boolean>`lower(users.username::text) LIKE ${prefix}`,
            sql<boolean>`lower(users.username::text) % ${needle}`,
            sql<boolean>`lower(users.display_name) % ${needle}`,
            sql<boolean>`lower(users.display_name) LIKE ${prefix}`,
          ]),
        )
        .as('m'),
    )
    .selectAll();
  if (opts.after) {
    const a = opts.after;
    query = query.where(sql<boolean>`(m.rank, -m.sim, m.id::bigint) > (${a.rank}, ${-a.sim}, ${a.id}::bigint)`);
  }
  if (opts.excludeIds.length) query = query.where('m.id', 'not in', opts.excludeIds);
  return query
    .orderBy('m.rank')
    .orderBy(sql`m.sim`, 'desc')
    .orderBy(sql`m.id::bigint`)
    .limit(opts.limit + 1)
    .execute();
}

export async function insertSession(db: Executor, s: Pick<SessionsTable, 'token_hash' | 'user_id' | 'expires_at' | 'user_agent'>) {
  await db.insertInto('sessions').values(s).execute();
}

/** The live session for a token hash, with its user's id; expired sessions do not count. */
/** Which of these sessions still exist and have not expired. */
export async function findLiveSessionHashes(db: Executor, tokenHashes: readonly Buffer[]): Promise<Buffer[]> {
  if (tokenHashes.length === 0) return [];
  const rows = await db
    .selectFrom('sessions')
    .select('token_hash')
    .where('token_hash', 'in', [...tokenHashes])
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.token_hash);
}

/** Removes sessions that expired more than a day ago (a day's grace keeps the logs explainable). */
export async function deleteExpiredSessions(db: Executor): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', sql<Date>`now() - interval '1 day'`).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function findLiveSession(db: Executor, tokenHash: Buffer) {
  return db
    .selectFrom('sessions')
    .select(['user_id', 'last_used_at', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, tokenHash: Buffer) {
  await db.updateTable('sessions').set({ last_used_at: sql`now()` }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: Buffer) {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

/** Ends every session of a user but one; answers the token hashes that ended. */
export async function deleteOtherSessions(db: Executor, userId: string, keepTokenHash: Buffer): Promise<Buffer[]> {
  const rows = await db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '<>', keepTokenHash).returning('token_hash').execute();
  return rows.map((r) => Buffer.from(r.token_hash));
}

export async function setPasswordHash(db: Executor, userId: string, passwordHash: string) {
  await db.updateTable('users').set({ password_hash: passwordHash, updated_at: sql`now()` }).where('id', '=', userId).execute();
}

/** Sets (or with nulls, removes) a user's email or phone: its keyed hash and sealed copy together. */
export async function setIdentifier(db: Executor, userId: string, kind: 'email' | 'phone', hash: Buffer | null, sealed: Buffer | null) {
  const patch = kind === 'email' ? { email_hash: hash, email_enc: sealed } : { phone_hash: hash, phone_enc: sealed };
  await db
    .updateTable('users')
    .set({ ...patch, updated_at: sql`now()` })
    .where('id', '=', userId)
    .execute();
}

export async function findAccountFlags(db: Executor, userId: string) {
  return db.selectFrom('users').select(['id', 'private_account']).where('id', '=', userId).executeTakeFirst();
}

export async function anyUserExists(db: Executor): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

// Hashes travel as hex text arrays: both drivers pass text[] the same way. `= ANY(ARRAY(…))`
// lets the planner use the hash indexes (an `IN (subquery)` inside an OR would scan users).
const hexArray = (hashes: readonly Buffer[]) => sql`ANY(ARRAY(SELECT decode(h, 'hex') FROM unnest(${sql.val(hashes.map((h) => h.toString('hex')))}::text[]) AS h))`;

/** Users whose own phone or email hash is among these and who allow discovery by contacts. */
export async function findDiscoverableByIdentifiers(
  db: Executor,
  hashes: { phones: readonly Buffer[]; emails: readonly Buffer[] },
  exceptId: string,
  limit: number,
): Promise<PublicUserRow[]> {
  const { phones, emails } = hashes;
  if (phones.length + emails.length === 0) return [];
  return db
    .selectFrom('users')
    .select(publicUserColumns)
    .where('users.discoverable_by_contacts', '=', true)
    .where('users.id', '<>', exceptId)
    .where((eb) =>
      eb.or([
        ...(phones.length ? [sql<boolean>`users.phone_hash = ${hexArray(phones)}`] : []),
        ...(emails.length ? [sql<boolean>`users.email_hash = ${hexArray(emails)}`] : []),
      ]),
    )
    .orderBy('users.id')
    .limit(limit)
    .execute();
}

export async function findDiscoverableIds(db: Executor, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).where('discoverable_by_contacts', '=', true).execute();
  return rows.map((r) => String(r.id));
}
