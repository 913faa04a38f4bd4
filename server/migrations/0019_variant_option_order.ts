import { type Kysely, sql } from 'kysely';

// A variant's options in the owner's order (docs/shop.md "Variants"): jsonb keeps an object's keys
// in its own order (shorter first, then bytewise), so `{ Size, Colour }` came back however jsonb
// sorts it. `options` stays the jsonb object (its unique index still means "the same options,
// whatever their order"); `option_names` is the order the owner gave the names in. Existing rows
// get the only order there is for them: jsonb's, as the API has been showing it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE product_variants ADD COLUMN option_names text[]`.execute(db);
  await sql`
    UPDATE product_variants
       SET option_names = ARRAY(SELECT k FROM jsonb_object_keys(options) WITH ORDINALITY AS t(k, n) ORDER BY n)`.execute(db);
  await sql`ALTER TABLE product_variants ALTER COLUMN option_names SET NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE product_variants DROP COLUMN option_names`.execute(db);
}
