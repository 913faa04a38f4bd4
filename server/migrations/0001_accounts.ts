import { type Kysely, sql } from 'kysely';

// Accounts: users, their settings and sessions. Emails and phones are never stored as text:
// an HMAC for matching (contacts, uniqueness) and an AES-GCM ciphertext for the account owner.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS citext`.execute(db);
  await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
  await sql`
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username citext NOT NULL UNIQUE CHECK (username::text ~ '^[a-z0-9_.]{3,24}$'),
      display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 50),
      bio text NOT NULL DEFAULT '' CHECK (char_length(bio) <= 300),
      avatar_key text,
      password_hash text NOT NULL,
      birthdate date,
      email_hash bytea,
      email_enc bytea,
      phone_hash bytea,
      phone_enc bytea,
      private_account boolean NOT NULL DEFAULT false,
      dm_policy text NOT NULL DEFAULT 'everyone' CHECK (dm_policy IN ('everyone', 'friends', 'nobody')),
      discoverable_by_contacts boolean NOT NULL DEFAULT true,
      region text NOT NULL DEFAULT 'US',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email_hash_key ON users (email_hash) WHERE email_hash IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX users_phone_hash_key ON users (phone_hash) WHERE phone_hash IS NOT NULL`.execute(db);
  // Search: prefix lookups use the text_pattern_ops btree; fuzzy matches use the trigram indexes.
  await sql`CREATE INDEX users_username_prefix ON users ((lower(username::text)) text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX users_username_trgm ON users USING gin ((lower(username::text)) gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX users_display_name_trgm ON users USING gin ((lower(display_name)) gin_trgm_ops)`.execute(db);

  await sql`
    CREATE TABLE sessions (
      token_hash bytea PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_id ON sessions (user_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE sessions`.execute(db);
  await sql`DROP TABLE users`.execute(db);
}
