import { type Generated, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx.ts';

export interface NotificationsTable {
  id: Generated<string>;
  recipient_id: string;
  kind: string;
  group_key: string | null;
  actor_id: string | null;
  actor_ids: Generated<string[]>;
  actor_count: Generated<number>;
  subject_type: string | null;
  subject_id: string | null;
  excerpt: string | null;
  position: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  read_at: Date | null;
}

export interface NotificationSettingsTable {
  user_id: string;
  kind: string;
  in_app: boolean;
  push: boolean;
}

export interface PushSubscriptionsTable {
  id: Generated<string>;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: Generated<Date>;
}

export interface PushVapidKeysTable {
  id: number;
  public_key: string;
  private_key_sealed: Buffer;
  created_at: Generated<Date>;
}

declare module '../../platform/db/schema.ts' {
  interface Database {
    push_vapid_keys: PushVapidKeysTable;
    notifications: NotificationsTable;
    notification_settings: NotificationSettingsTable;
    push_subscriptions: PushSubscriptionsTable;
  }
}

export interface NotificationRow {
  id: string;
  recipient_id: string;
  kind: string;
  group_key: string | null;
  actor_id: string | null;
  actor_ids: string[];
  actor_count: number;
  subject_type: string | null;
  subject_id: string | null;
  excerpt: string | null;
  position: string;
  created_at: Date;
  updated_at: Date;
  read_at: Date | null;
}

/** How many of a group's people are remembered by id (the count goes on past it). */
const GROUP_ACTORS_KEPT = 20;

export interface NewNotification {
  recipientId: string;
  kind: string;
  /** Rows with the same key join while unread ("maya and 3 others"); null: a row of its own. */
  groupKey: string | null;
  actorId: string | null;
  subjectType: string | null;
  subjectId: string | null;
  excerpt: string | null;
}

/**
 * Adds a notification, or joins the recipient's open (unread) group with the same key: the
 * actor goes first in the group's list (counted once however often they come back) and the
 * group moves to the top of the inbox. One statement, so two relays adding to the same group
 * at once both land (the unique index on open groups turns the second into the update).
 */
export async function addNotification(db: Executor, n: NewNotification): Promise<NotificationRow> {
  const actors = n.actorId ? sql`ARRAY[${n.actorId}::bigint]` : sql`'{}'::bigint[]`;
  const res = await sql<NotificationRow>`
    INSERT INTO notifications AS o (recipient_id, kind, group_key, actor_id, actor_ids, actor_count, subject_type, subject_id, excerpt)
    VALUES (${n.recipientId}, ${n.kind}, ${n.groupKey}, ${n.actorId}, ${actors}, ${n.actorId ? 1 : 0}, ${n.subjectType}, ${n.subjectId}, ${n.excerpt})
    ON CONFLICT (recipient_id, group_key) WHERE read_at IS NULL AND group_key IS NOT NULL DO UPDATE SET
      actor_count = o.actor_count + CASE WHEN EXCLUDED.actor_id = ANY(o.actor_ids) THEN 0 ELSE 1 END,
      actor_ids = (ARRAY[EXCLUDED.actor_id] || array_remove(o.actor_ids, EXCLUDED.actor_id))[1:${GROUP_ACTORS_KEPT}],
      actor_id = EXCLUDED.actor_id,
      excerpt = EXCLUDED.excerpt,
      position = nextval('notification_positions'),
      updated_at = now()
    RETURNING id::text AS id, recipient_id::text AS recipient_id, kind, group_key, actor_id::text AS actor_id,
              actor_ids::text[] AS actor_ids, actor_count, subject_type, subject_id::text AS subject_id, excerpt,
              position::text AS position, created_at, updated_at, read_at`.execute(db);
  return res.rows[0]!;
}

const SELECT_ROW = sql`id::text AS id, recipient_id::text AS recipient_id, kind, group_key, actor_id::text AS actor_id,
  actor_ids::text[] AS actor_ids, actor_count, subject_type, subject_id::text AS subject_id, excerpt,
  position::text AS position, created_at, updated_at, read_at`;

/** Leaves out rows whose every person is hidden from the viewer (a block either way); a group keeps its other people. */
const visibleTo = (hiddenActorIds: readonly string[]) =>
  hiddenActorIds.length ? sql`AND (cardinality(actor_ids) = 0 OR NOT (actor_ids <@ ${sql.val(hiddenActorIds)}::bigint[]))` : sql``;

/** The inbox, newest activity first, without rows whose latest actor is in `hiddenActorIds` (blocks). */
export async function listNotifications(db: Executor, recipientId: string, opts: { beforePosition: string | null; limit: number; hiddenActorIds: readonly string[] }) {
  const res = await sql<NotificationRow>`
    SELECT ${SELECT_ROW} FROM notifications
     WHERE recipient_id = ${recipientId}
       ${opts.beforePosition ? sql`AND position < ${opts.beforePosition}` : sql``}
       ${visibleTo(opts.hiddenActorIds)}
     ORDER BY notifications.position DESC
     LIMIT ${opts.limit}`.execute(db);
  return res.rows;
}

export async function countUnread(db: Executor, recipientId: string, hiddenActorIds: readonly string[]): Promise<number> {
  const res = await sql<{ n: string }>`
    SELECT count(*) AS n FROM notifications
     WHERE recipient_id = ${recipientId} AND read_at IS NULL
       ${visibleTo(hiddenActorIds)}`.execute(db);
  return Number(res.rows[0]?.n ?? 0);
}

/** Marks read every unread row of the recipient, or those at or below `upToId`'s place in the inbox. */
export async function markRead(db: Executor, recipientId: string, upToId: string | null): Promise<boolean> {
  if (upToId) {
    const target = await db.selectFrom('notifications').select('position').where('id', '=', upToId).where('recipient_id', '=', recipientId).executeTakeFirst();
    if (!target) return false;
    await sql`UPDATE notifications SET read_at = now() WHERE recipient_id = ${recipientId} AND read_at IS NULL AND position <= ${target.position}`.execute(db);
    return true;
  }
  await sql`UPDATE notifications SET read_at = now() WHERE recipient_id = ${recipientId} AND read_at IS NULL`.execute(db);
  return true;
}

export async function findSettings(db: Executor, userId: string) {
  return db.selectFrom('notification_settings').select(['kind', 'in_app', 'push']).where('user_id', '=', userId).execute();
}

export async function upsertSettings(db: Executor, userId: string, rows: ReadonlyArray<{ kind: string; in_app: boolean; push: boolean }>) {
  if (rows.length === 0) return;
  await db
    .insertInto('notification_settings')
    .values(rows.map((r) => ({ user_id: userId, ...r })))
    .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet((eb) => ({ in_app: eb.ref('excluded.in_app'), push: eb.ref('excluded.push') })))
    .execute();
}

// ---- push subscriptions ----

/** Saves a browser's subscription for `userId`; an endpoint seen before moves to this account with its new keys. */
export async function upsertSubscription(db: Executor, s: { userId: string; endpoint: string; p256dh: string; auth: string }) {
  await db
    .insertInto('push_subscriptions')
    .values({ user_id: s.userId, endpoint: s.endpoint, p256dh: s.p256dh, auth: s.auth })
    .onConflict((oc) => oc.column('endpoint').doUpdateSet({ user_id: s.userId, p256dh: s.p256dh, auth: s.auth }))
    .execute();
}

export async function deleteSubscription(db: Executor, userId: string, endpoint: string) {
  const res = await db.deleteFrom('push_subscriptions').where('user_id', '=', userId).where('endpoint', '=', endpoint).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** A push service said the subscription is gone (404/410). */
export async function deleteSubscriptionById(db: Executor, id: string) {
  await db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
}

export async function subscriptionsOf(db: Executor, userId: string) {
  return db.selectFrom('push_subscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('user_id', '=', userId).orderBy('id').limit(20).execute();
}

export async function countSubscriptions(db: Executor, userId: string) {
  const r = await db.selectFrom('push_subscriptions').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', userId).executeTakeFirst();
  return Number(r?.n ?? 0);
}
