import { type Kysely, sql } from 'kysely';

// Domain events (a transactional outbox), the activity inbox, per-kind notification settings
// and web push subscriptions (docs/notifications.md).
export async function up(db: Kysely<any>): Promise<void> {
  // The outbox: written in the same transaction as the change it describes; the relay hands
  // each row to its handlers after commit and marks it done. `claimed_until` is the lease of the
  // relay working on it: a relay that died leaves it to run out, and another takes the event.
  await sql`
    CREATE TABLE domain_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts int NOT NULL DEFAULT 0,
      claimed_until timestamptz,
      last_error text,
      done_at timestamptz,
      failed_at timestamptz
    )`.execute(db);
  // The relay reads only pending events, oldest first.
  await sql`CREATE INDEX domain_events_pending ON domain_events (id) WHERE done_at IS NULL AND failed_at IS NULL`.execute(db);
  // Finished events are kept a while for inspection, then removed by age.
  await sql`CREATE INDEX domain_events_done ON domain_events (done_at) WHERE done_at IS NOT NULL`.execute(db);

  // What each handler has done: written in the handler's own transaction, so an event that is
  // delivered twice (a relay died between the handler's commit and marking the event done) is
  // recognised and skipped.
  await sql`
    CREATE TABLE domain_event_receipts (
      handler text NOT NULL,
      event_id bigint NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (handler, event_id)
    )`.execute(db);

  // A notification is one row per group: "maya and 3 others liked your clip" is one row whose
  // actors grow while it is unread. `position` orders the inbox (newest activity first) and
  // moves to the top when a group gains an actor.
  await sql`CREATE SEQUENCE notification_positions`.execute(db);
  await sql`
    CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      recipient_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL,
      group_key text,
      actor_id bigint REFERENCES users(id) ON DELETE CASCADE,
      actor_ids bigint[] NOT NULL DEFAULT '{}',
      actor_count int NOT NULL DEFAULT 0,
      subject_type text,
      subject_id bigint,
      excerpt text,
      position bigint NOT NULL DEFAULT nextval('notification_positions'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX notifications_inbox ON notifications (recipient_id, position DESC)`.execute(db);
  await sql`CREATE INDEX notifications_unread ON notifications (recipient_id) WHERE read_at IS NULL`.execute(db);
  // At most one open (unread) group per key: a like on a clip joins it instead of starting another.
  await sql`CREATE UNIQUE INDEX notifications_open_group ON notifications (recipient_id, group_key) WHERE read_at IS NULL AND group_key IS NOT NULL`.execute(db);

  // Absent row = the kind's default (everything on).
  await sql`
    CREATE TABLE notification_settings (
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL,
      in_app boolean NOT NULL,
      push boolean NOT NULL,
      PRIMARY KEY (user_id, kind)
    )`.execute(db);

  await sql`
    CREATE TABLE push_subscriptions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      endpoint text NOT NULL UNIQUE,
      p256dh text NOT NULL,
      auth text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)`.execute(db);

  // The VAPID key pair made on the first run when none is configured: one row, so every node
  // signs with the same key; the private key sealed with APP_SECRET.
  await sql`
    CREATE TABLE push_vapid_keys (
      id int PRIMARY KEY CHECK (id = 1),
      public_key text NOT NULL,
      private_key_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['push_vapid_keys', 'push_subscriptions', 'notification_settings', 'notifications', 'domain_event_receipts', 'domain_events']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db);
  }
  await sql`DROP SEQUENCE IF EXISTS notification_positions`.execute(db);
}
