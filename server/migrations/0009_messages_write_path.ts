import { type Kysely, sql } from 'kysely';

// Messages are the busiest table: a busy node inserts hundreds of rows per statement, from more
// than one writer at a time. bench:messaging found two costs there that buy little:
//
// - The two foreign keys made every row run two referential checks that lock the parent rows,
//   and concurrent writers queued on them (about a sixth of the throughput). The send statement
//   guarantees both references itself: it locks and updates the conversation row that numbers the
//   messages, and the sender was checked as a member first. Nothing deletes users or
//   conversations; whatever comes to delete them must delete their messages too (reactions still
//   cascade from messages).
// - The search index covered every message of every conversation, so every send updated it and
//   concurrent writers contended on the posting lists of common words, while a search only ever
//   looks inside one conversation. Search now reads a bounded window of that conversation's
//   messages by seq (see repo.searchMessages), matching the stored tsvector, which stays.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE messages DROP CONSTRAINT messages_conversation_id_fkey, DROP CONSTRAINT messages_sender_id_fkey`.execute(db);
  await sql`DROP INDEX messages_search`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX messages_search ON messages USING gin (search) WITH (fastupdate = off)`.execute(db);
  await sql`
    ALTER TABLE messages
      ADD CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations(id) ON DELETE CASCADE,
      ADD CONSTRAINT messages_sender_id_fkey FOREIGN KEY (sender_id) REFERENCES users(id) ON DELETE CASCADE`.execute(db);
}
