import { type Kysely, sql } from 'kysely';

// Discovery (docs/discovery.md): search over clips' captions and hashtags, and products' titles.
// Trigram GIN indexes serve substring (ILIKE '%…%') and typo-tolerant (`%`, `<%`) matches; the
// text_pattern_ops btree serves hashtag prefixes ("cat" → #cats) whatever the database's collation.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX videos_caption_trgm ON videos USING gin ((lower(caption)) gin_trgm_ops) WHERE status = 'ready'`.execute(db);
  await sql`CREATE INDEX video_hashtags_tag_prefix ON video_hashtags (tag text_pattern_ops)`.execute(db);
  await sql`CREATE INDEX video_hashtags_tag_trgm ON video_hashtags USING gin (tag gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX products_title_trgm ON products USING gin ((lower(title)) gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['products_title_trgm', 'video_hashtags_tag_trgm', 'video_hashtags_tag_prefix', 'videos_caption_trgm']) await sql`DROP INDEX ${sql.raw(i)}`.execute(db);
}
