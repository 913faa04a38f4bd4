import { type Kysely, sql } from 'kysely';

// Live streams (docs/live.md): the live itself (its secret stream key stored as a hash, its chat
// settings and pin), its chat, moderators, bans and timeouts, and how many viewers each node has.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE lives (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      host_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      title text NOT NULL,
      visibility text NOT NULL CHECK (visibility IN ('public', 'followers', 'friends')),
      status text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'live', 'ended')),
      -- sha256 of the stream key: the key itself is shown once, to the host, and never stored.
      stream_key_hash bytea NOT NULL UNIQUE,
      slow_mode_sec int NOT NULL DEFAULT 0,
      followers_only boolean NOT NULL DEFAULT false,
      pinned_type text CHECK (pinned_type IN ('message', 'product')),
      pinned_id bigint,
      heart_count bigint NOT NULL DEFAULT 0,
      replay_video_id bigint,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      ended_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX lives_on_air ON lives (started_at DESC) WHERE status = 'live'`.execute(db);
  await sql`CREATE INDEX lives_host ON lives (host_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE live_chat_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      live_id bigint NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      client_msg_id text NOT NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz,
      UNIQUE (live_id, user_id, client_msg_id)
    )`.execute(db);
  await sql`CREATE INDEX live_chat_recent ON live_chat_messages (live_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE live_moderators (
      live_id bigint NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      PRIMARY KEY (live_id, user_id)
    )`.execute(db);

  // until NULL: a ban for the rest of the live; else a timeout.
  await sql`
    CREATE TABLE live_bans (
      live_id bigint NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (live_id, user_id)
    )`.execute(db);

  // Each node writes how many sockets it has in each room every few seconds; the count is the sum of fresh rows.
  await sql`
    CREATE TABLE live_viewer_counts (
      live_id bigint NOT NULL REFERENCES lives(id) ON DELETE CASCADE,
      node_id text NOT NULL,
      viewers int NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (live_id, node_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['live_viewer_counts', 'live_bans', 'live_moderators', 'live_chat_messages', 'lives']) await sql.raw(`DROP TABLE IF EXISTS ${t}`).execute(db);
}
