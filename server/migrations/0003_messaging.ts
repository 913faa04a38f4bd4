import { type Kysely, sql } from 'kysely';

// Messaging: conversations (direct and group), their members with read marks, messages with a
// gap-free per-conversation seq, and reactions. `conversations.last_seq` is the counter the
// next message takes (UPDATE … RETURNING in the same transaction as the insert), so seqs
// never skip and unread counts are last_seq − read_seq without counting rows.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE conversations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('direct', 'group')),
      title text CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 80),
      -- 'smallerId:largerId' for direct conversations: one per pair, enforced by the index.
      direct_key text UNIQUE,
      created_by bigint REFERENCES users(id) ON DELETE SET NULL,
      last_seq bigint NOT NULL DEFAULT 0,
      last_message_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'direct') = (direct_key IS NOT NULL))
    )`.execute(db);

  await sql`
    CREATE TABLE conversation_members (
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
      -- 'request': waiting in this member's Requests folder; 'declined': hidden by them.
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'request', 'declined')),
      -- True once this member accepted or wrote here: "who may message me" no longer gates it.
      engaged boolean NOT NULL DEFAULT false,
      read_seq bigint NOT NULL DEFAULT 0,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (conversation_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX conversation_members_user ON conversation_members (user_id, conversation_id)`.execute(db);

  await sql`
    CREATE TABLE messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      seq bigint NOT NULL,
      sender_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      client_msg_id text NOT NULL,
      text text CHECK (text IS NULL OR char_length(text) <= 4000),
      reply_to_seq bigint,
      share_type text,
      share_id text,
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      deleted_at timestamptz,
      search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED,
      UNIQUE (conversation_id, seq)
    )`.execute(db);
  // Idempotent sends: one message per (sender, clientMsgId), whatever the retries.
  await sql`CREATE UNIQUE INDEX messages_sender_client_msg ON messages (sender_id, client_msg_id)`.execute(db);
  await sql`CREATE INDEX messages_search ON messages USING gin (search)`.execute(db);

  await sql`
    CREATE TABLE message_reactions (
      message_id bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      emoji text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (message_id, user_id, emoji)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['message_reactions', 'messages', 'conversation_members', 'conversations']) await sql`DROP TABLE ${sql.table(t)}`.execute(db);
}
