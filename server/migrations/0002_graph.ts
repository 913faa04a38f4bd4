import { type Kysely, sql } from 'kysely';

// The social graph: follows (a friend is a mutual follow), follow requests to private
// accounts, blocks and mutes.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE follows (
      follower_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      followee_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (follower_id, followee_id),
      CHECK (follower_id <> followee_id)
    )`.execute(db);
  await sql`CREATE INDEX follows_followee ON follows (followee_id, follower_id)`.execute(db);

  await sql`
    CREATE TABLE follow_requests (
      requester_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      target_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (requester_id, target_id),
      CHECK (requester_id <> target_id)
    )`.execute(db);
  await sql`CREATE INDEX follow_requests_target ON follow_requests (target_id, created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE blocks (
      blocker_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      blocked_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (blocker_id, blocked_id),
      CHECK (blocker_id <> blocked_id)
    )`.execute(db);
  await sql`CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id)`.execute(db);

  await sql`
    CREATE TABLE mutes (
      muter_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      muted_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (muter_id, muted_id),
      CHECK (muter_id <> muted_id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mutes', 'blocks', 'follow_requests', 'follows']) await sql`DROP TABLE ${sql.table(t)}`.execute(db);
}
