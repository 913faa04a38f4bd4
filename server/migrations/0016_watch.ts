import { type Kysely, sql } from 'kysely';

// Watching together in a conversation (docs/watch-together.md): at most one session per
// conversation (the primary key), its playback state, and who has it open. Kept in the database
// so every node reads and changes the same state; frames cross nodes over pub/sub.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE watch_sessions (
      conversation_id bigint PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
      id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      started_by bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      playing boolean NOT NULL DEFAULT false,
      position_ms int NOT NULL DEFAULT 0,
      at_ms bigint NOT NULL,
      rev int NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Who has the watch view of a conversation open: kept apart from the session, so people who
  // are waiting in the view are in the next session the moment someone starts one.
  await sql`
    CREATE TABLE watch_participants (
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (conversation_id, user_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE watch_participants`.execute(db);
  await sql`DROP TABLE watch_sessions`.execute(db);
}
