import { type Kysely, sql } from 'kysely';

// Sharing: one append-only row per in-app share of a clip into a conversation (the ranking's
// "shared with friends" signal, the share sheet's recipient history, and the idempotency record
// of a retried share), and the author's per-clip switch to turn sharing off.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE video_shares (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      sender_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      client_share_id text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // The share sheet ranks by "whom did I share with lately".
  await sql`CREATE INDEX video_shares_sender_recent ON video_shares (sender_id, created_at DESC)`.execute(db);
  // The ranker reads a clip's shares.
  await sql`CREATE INDEX video_shares_video ON video_shares (video_id, created_at DESC)`.execute(db);
  // A retried share (same clientShareId) finds what the first attempt made instead of sending again.
  await sql`CREATE UNIQUE INDEX video_shares_client ON video_shares (sender_id, client_share_id, conversation_id) WHERE client_share_id IS NOT NULL`.execute(db);

  // Absent row = sharing allowed (the default); the author writes a row to turn it off.
  await sql`
    CREATE TABLE video_share_settings (
      video_id bigint PRIMARY KEY REFERENCES videos(id) ON DELETE CASCADE,
      allow_sharing boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS video_share_settings`.execute(db);
  await sql`DROP TABLE IF EXISTS video_shares`.execute(db);
}
