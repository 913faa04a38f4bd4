import { type Kysely, sql } from 'kysely';

// Contact sync and "people you may know". Uploaded contacts are kept only as keyed hashes
// (HMAC, the same function accounts use for users.email_hash / phone_hash), never as text.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE contact_hashes (
      owner_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('phone', 'email')),
      hash bytea NOT NULL CHECK (octet_length(hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (owner_id, kind, hash)
    )`.execute(db);
  // A new account looks up who had its phone or email in their address book.
  await sql`CREATE INDEX contact_hashes_hash ON contact_hashes (kind, hash)`.execute(db);

  // New identifiers uploaded per user per UTC day: the budget that stops enumeration.
  // Deleting one's contacts does not reset it.
  await sql`
    CREATE TABLE contact_sync_usage (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      day date NOT NULL,
      new_identifiers integer NOT NULL DEFAULT 0,
      PRIMARY KEY (user_id, day)
    )`.execute(db);

  await sql`
    CREATE TABLE suggestion_dismissals (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      dismissed_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, dismissed_id)
    )`.execute(db);

  // Precomputed "people you may know": features per candidate, refreshed per user. Reads
  // re-check follows, requests, blocks and dismissals, so a stale row is never wrong, only old.
  await sql`
    CREATE TABLE suggestions (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      candidate_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      score double precision NOT NULL,
      mutual_friends integer NOT NULL DEFAULT 0,
      resource_allocation double precision NOT NULL DEFAULT 0,
      candidate_degree integer NOT NULL DEFAULT 0,
      follows_you boolean NOT NULL DEFAULT false,
      in_contacts boolean NOT NULL DEFAULT false,
      followed_by_friends integer NOT NULL DEFAULT 0,
      PRIMARY KEY (user_id, candidate_id),
      CHECK (user_id <> candidate_id)
    )`.execute(db);
  await sql`CREATE INDEX suggestions_rank ON suggestions (user_id, score DESC, candidate_id DESC)`.execute(db);
  await sql`
    CREATE TABLE suggestion_state (
      user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      computed_at timestamptz NOT NULL,
      dirty boolean NOT NULL DEFAULT false
    )`.execute(db);

  // Newest-first keyset paging of followers / following / friends.
  await sql`CREATE INDEX follows_follower_recent ON follows (follower_id, created_at DESC, followee_id DESC)`.execute(db);
  await sql`CREATE INDEX follows_followee_recent ON follows (followee_id, created_at DESC, follower_id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX follows_followee_recent`.execute(db);
  await sql`DROP INDEX follows_follower_recent`.execute(db);
  for (const t of ['suggestion_state', 'suggestions', 'suggestion_dismissals', 'contact_sync_usage', 'contact_hashes']) {
    await sql`DROP TABLE ${sql.table(t)}`.execute(db);
  }
}
