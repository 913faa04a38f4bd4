import { type Kysely, sql } from 'kysely';

// Feeds at scale (docs/feed.md), and private accounts' clips kept from non-followers.
export async function up(db: Kysely<any>): Promise<void> {
  // The author's private-account setting, mirrored on each clip so For You can leave such
  // clips out straight from its indexes and a signed-out request needs no extra query. The
  // media module rewrites it in the transaction that changes the setting.
  await sql`ALTER TABLE videos ADD COLUMN author_private boolean NOT NULL DEFAULT false`.execute(db);
  await sql`UPDATE videos SET author_private = true FROM users WHERE users.id = videos.author_id AND users.private_account`.execute(db);

  // Following, Friends and profiles: each author's newest clips, read one author at a time
  // (a LATERAL top-N per followee, merged). `visibility` rides along so the per-author
  // walk is an index-only scan; only the page's clips are read from the table.
  await sql`CREATE INDEX videos_author_feed ON videos (author_id, created_at DESC, id DESC) INCLUDE (visibility) WHERE status = 'ready'`.execute(db);
  await sql`DROP INDEX videos_author_recent`.execute(db);

  // For You's two candidate streams, only clips anyone may see. The columns the streams
  // filter on (fresh pool membership, excluded authors) ride along, so skipping over
  // candidates never touches the table; only the chosen ones are read.
  await sql`
    CREATE INDEX videos_open_hot ON videos (hot_score DESC, id DESC) INCLUDE (author_id, created_at, impressions_count)
     WHERE status = 'ready' AND visibility = 'public' AND NOT author_private`.execute(db);
  await sql`
    CREATE INDEX videos_open_fresh ON videos (created_at DESC, id DESC) INCLUDE (author_id, impressions_count)
     WHERE status = 'ready' AND visibility = 'public' AND NOT author_private`.execute(db);
  await sql`DROP INDEX videos_public_hot`.execute(db);
  await sql`DROP INDEX videos_public_fresh`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX videos_public_hot ON videos (hot_score DESC, id DESC) WHERE status = 'ready' AND visibility = 'public'`.execute(db);
  await sql`CREATE INDEX videos_public_fresh ON videos (created_at DESC, id DESC) WHERE status = 'ready' AND visibility = 'public'`.execute(db);
  await sql`CREATE INDEX videos_author_recent ON videos (author_id, created_at DESC, id DESC) WHERE status = 'ready'`.execute(db);
  await sql`DROP INDEX videos_open_hot`.execute(db);
  await sql`DROP INDEX videos_open_fresh`.execute(db);
  await sql`DROP INDEX videos_author_feed`.execute(db);
  await sql`ALTER TABLE videos DROP COLUMN author_private`.execute(db);
}
