import { type Kysely, sql } from 'kysely';

// Shopping, continued (docs/shop.md "Variants", "Shopping with friends"): a product's variants
// (size, colour…) each with its own units on hand and reserved, order lines that name one; "should
// I get it?" polls on a product shared into a chat; and each person's wishlist.
export async function up(db: Kysely<any>): Promise<void> {
  // The same guarantee as products: 0 ≤ reserved ≤ stock, whatever the code does. A variant's
  // own price is optional (null: the product's price).
  await sql`
    CREATE TABLE product_variants (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      product_id bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      options jsonb NOT NULL,
      price_minor bigint CHECK (price_minor >= 0),
      stock int NOT NULL CHECK (stock >= 0),
      reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= stock),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // Two variants of one product never have the same options (jsonb equality ignores key order).
  await sql`CREATE UNIQUE INDEX product_variants_options ON product_variants (product_id, options)`.execute(db);

  // A line names the variant bought (null: the product has none). One order may hold two variants
  // of one product, so a line is (order, product, variant).
  await sql`ALTER TABLE order_items ADD COLUMN variant_id bigint REFERENCES product_variants(id)`.execute(db);
  await sql`ALTER TABLE order_items ADD COLUMN variant_label text`.execute(db);
  await sql`ALTER TABLE order_items DROP CONSTRAINT order_items_pkey`.execute(db);
  await sql`CREATE UNIQUE INDEX order_items_line ON order_items (order_id, product_id, COALESCE(variant_id, 0))`.execute(db);
  await sql`CREATE INDEX order_items_variant ON order_items (variant_id) WHERE variant_id IS NOT NULL`.execute(db);

  // "Should I get it?": a product put to a conversation's members; one vote per member, changeable.
  await sql`
    CREATE TABLE product_polls (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      product_id bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      asker_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      message_id bigint REFERENCES messages(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX product_polls_conversation ON product_polls (conversation_id)`.execute(db);
  await sql`
    CREATE TABLE product_poll_votes (
      poll_id bigint NOT NULL REFERENCES product_polls(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      choice text NOT NULL CHECK (choice IN ('yes', 'no')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (poll_id, user_id)
    )`.execute(db);

  await sql`
    CREATE TABLE wishlist_items (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      product_id bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, product_id)
    )`.execute(db);
  await sql`CREATE INDEX wishlist_items_recent ON wishlist_items (user_id, created_at DESC, product_id DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['wishlist_items', 'product_poll_votes', 'product_polls']) await sql`DROP TABLE IF EXISTS ${sql.raw(t)}`.execute(db);
  await sql`DELETE FROM order_items WHERE variant_id IS NOT NULL`.execute(db);
  await sql`DROP INDEX IF EXISTS order_items_line`.execute(db);
  await sql`ALTER TABLE order_items DROP COLUMN variant_label`.execute(db);
  await sql`ALTER TABLE order_items DROP COLUMN variant_id`.execute(db);
  await sql`ALTER TABLE order_items ADD PRIMARY KEY (order_id, product_id)`.execute(db);
  await sql`DROP TABLE IF EXISTS product_variants`.execute(db);
}
