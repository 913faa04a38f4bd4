import { type Kysely, sql } from 'kysely';

// Shopping (docs/shop.md): shops, products with units on hand and reserved, clips' product tags,
// orders and their lines, payments through the provider port, webhook events seen (replays change
// nothing), and idempotency keys (the first answer of every call that can charge or create).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE shops (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      handle citext NOT NULL UNIQUE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      logo_key text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX shops_owner ON shops (owner_id)`.execute(db);

  // available = stock - reserved. The CHECK makes overselling impossible whatever the code does:
  // a reservation is one conditional UPDATE, and the constraint refuses any that would pass it.
  await sql`
    CREATE TABLE products (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      shop_id bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      price_minor bigint NOT NULL CHECK (price_minor >= 0),
      currency char(3) NOT NULL,
      stock int NOT NULL CHECK (stock >= 0),
      reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= stock),
      image_keys text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX products_shop ON products (shop_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE video_products (
      video_id bigint NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
      product_id bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
      position smallint NOT NULL,
      PRIMARY KEY (video_id, product_id)
    )`.execute(db);
  await sql`CREATE INDEX video_products_product ON video_products (product_id)`.execute(db);

  await sql`
    CREATE TABLE orders (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      buyer_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      shop_id bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending_payment'
        CHECK (status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
      -- Whether the order's lines still hold units in products.reserved (false once shipped,
      -- cancelled or refunded): every release is conditional on it, so none happens twice.
      holds_stock boolean NOT NULL DEFAULT true,
      total_minor bigint NOT NULL,
      currency char(3) NOT NULL,
      source_type text CHECK (source_type IN ('video', 'live', 'message', 'shop')),
      source_id bigint,
      shipping_address jsonb NOT NULL,
      idempotency_key text NOT NULL,
      cancel_reason text,
      expires_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      paid_at timestamptz,
      shipped_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  // A second order for the same key cannot exist even if the idempotency record was lost.
  await sql`CREATE UNIQUE INDEX orders_buyer_key ON orders (buyer_id, idempotency_key)`.execute(db);
  await sql`CREATE INDEX orders_buyer ON orders (buyer_id, id DESC)`.execute(db);
  await sql`CREATE INDEX orders_shop ON orders (shop_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE order_items (
      order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      product_id bigint NOT NULL REFERENCES products(id),
      quantity int NOT NULL CHECK (quantity > 0),
      price_minor bigint NOT NULL,
      title text NOT NULL,
      PRIMARY KEY (order_id, product_id)
    )`.execute(db);

  // One row per attempt to pay an order. provider_ref is the provider's intent id (null until
  // the provider answered). capture_claimed makes "capture" happen once even when the buyer's
  // confirm and a webhook race for it.
  await sql`
    CREATE TABLE payments (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
      provider text NOT NULL,
      provider_ref text,
      method text NOT NULL,
      status text NOT NULL DEFAULT 'created'
        CHECK (status IN ('created', 'processing', 'authorized', 'captured', 'failed', 'cancelled', 'refund_pending', 'refunded')),
      amount_minor bigint NOT NULL,
      currency char(3) NOT NULL,
      capture_claimed boolean NOT NULL DEFAULT false,
      failure_reason text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL`.execute(db);
  await sql`CREATE INDEX payments_order ON payments (order_id, id DESC)`.execute(db);

  await sql`
    CREATE TABLE payment_events (
      provider text NOT NULL,
      event_id text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (provider, event_id)
    )`.execute(db);

  // Chats between a buyer and a shop: messaging's conversations get a third kind, and the shop
  // module remembers which shop and buyer each belongs to (one per pair).
  await sql`ALTER TABLE conversations DROP CONSTRAINT conversations_kind_check`.execute(db);
  await sql`ALTER TABLE conversations ADD CONSTRAINT conversations_kind_check CHECK (kind IN ('direct', 'group', 'shop'))`.execute(db);
  await sql`
    CREATE TABLE shop_conversations (
      shop_id bigint NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
      buyer_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      conversation_id bigint NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      PRIMARY KEY (shop_id, buyer_id)
    )`.execute(db);

  // The buyer's saved address: checkout in two taps.
  await sql`
    CREATE TABLE shipping_addresses (
      user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      address jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      scope text NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
      response_status int,
      response_body jsonb,
      locked_until timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, scope, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['idempotency_keys', 'shipping_addresses', 'shop_conversations', 'payment_events', 'payments', 'order_items', 'orders', 'video_products', 'products', 'shops']) {
    await sql`DROP TABLE IF EXISTS ${sql.raw(t)}`.execute(db);
  }
  await sql`DELETE FROM conversations WHERE kind = 'shop'`.execute(db);
  await sql`ALTER TABLE conversations DROP CONSTRAINT conversations_kind_check`.execute(db);
  await sql`ALTER TABLE conversations ADD CONSTRAINT conversations_kind_check CHECK (kind IN ('direct', 'group'))`.execute(db);
}
