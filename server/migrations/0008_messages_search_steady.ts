import { type Kysely, sql } from 'kysely';

// The message search index takes every new message. With GIN's default "fast update", inserts go
// to a pending list that the unlucky insert which finds it full merges into the index: a stall of
// hundreds of milliseconds every few seconds under steady chat traffic (measured by
// bench:messaging as a p99 spike). Updating the index on every insert costs a little more each
// time and never stalls a send.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX messages_search SET (fastupdate = off)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER INDEX messages_search RESET (fastupdate)`.execute(db);
}
