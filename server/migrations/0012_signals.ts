import { type Kysely, sql } from 'kysely';

// Signals (docs/recommender.md). Events stay in the append-only `video_events` log (cheap
// inserts, no foreign keys); this adds the person-first index For You reads on every page
// (their last events, for fold-in) and per-clip counters that a worker job brings up to date
// in batches from a watermark, so no event updates a hot `videos` row.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX video_events_user_recent ON video_events (user_id, id DESC)`.execute(db);
  await sql`
    CREATE TABLE video_signal_counts (
      video_id bigint PRIMARY KEY,
      impressions bigint NOT NULL DEFAULT 0,
      watch_ms bigint NOT NULL DEFAULT 0,
      completions bigint NOT NULL DEFAULT 0,
      rewatches bigint NOT NULL DEFAULT 0,
      skips bigint NOT NULL DEFAULT 0,
      likes bigint NOT NULL DEFAULT 0,
      comments bigint NOT NULL DEFAULT 0,
      shares bigint NOT NULL DEFAULT 0,
      saves bigint NOT NULL DEFAULT 0,
      follows bigint NOT NULL DEFAULT 0,
      not_interested bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE signal_watermark (
      id int PRIMARY KEY CHECK (id = 1),
      last_event_id bigint NOT NULL DEFAULT 0
    )`.execute(db);
  await sql`INSERT INTO signal_watermark (id) VALUES (1)`.execute(db);
  // The friends-first dial (PATCH /me/settings friendsFirst): how much For You leans toward friends' clips.
  await sql`ALTER TABLE users ADD COLUMN friends_first real NOT NULL DEFAULT 0 CHECK (friends_first >= 0 AND friends_first <= 1)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN friends_first`.execute(db);
  await sql`DROP TABLE signal_watermark`.execute(db);
  await sql`DROP TABLE video_signal_counts`.execute(db);
  await sql`DROP INDEX video_events_user_recent`.execute(db);
}
