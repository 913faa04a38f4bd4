import { NOTIFICATION_KINDS, type Notification, type NotificationKind, type NotificationSettings, type PageQuery, type ServerFrame } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { notFound } from '../../app/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/db/pagination.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { firstDelivery } from '../../platform/events/events.ts';
import { blockedEitherWayIds, friendsAndBlocksWith } from '../graph/index.ts';
import { presentNotifications } from './notifications.presenter.ts';
import * as repo from './notifications.repo.ts';
import { pushNotification } from './push.ts';

/** GET /notifications: newest activity first; rows from people behind a block are left out. */
export async function listNotifications(ctx: AppContext, viewerId: string, page: PageQuery): Promise<{ items: Notification[]; nextCursor: string | null }> {
  const scope = { list: 'notifications', viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 1);
  // Signed by this server (decodeCursor refuses any other), so it is a position it gave out.
  const before = c ? String(c[0]) : null;
  const hidden = await blockedEitherWayIds(ctx, viewerId);
  const rows = await repo.listNotifications(ctx.db, viewerId, { beforePosition: before, limit: page.limit + 1, hiddenActorIds: hidden });
  const kept = rows.slice(0, page.limit);
  const last = kept.at(-1);
  const items = await presentNotifications(ctx, viewerId, kept, hidden);
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(scope, [last.position]) : null };
}

export async function unreadCount(ctx: AppContext, viewerId: string): Promise<number> {
  return repo.countUnread(ctx.db, viewerId, await blockedEitherWayIds(ctx, viewerId));
}

/** POST /notifications/read: everything, or what the viewer has seen up to `upToId` (404 if it is not theirs). */
export async function markRead(ctx: AppContext, viewerId: string, upToId: string | null) {
  if (!(await repo.markRead(ctx.db, viewerId, upToId))) throw notFound('notification');
}

const DEFAULT_SETTING = { inApp: true, push: true } as const;
/** Kinds that stay in the app unless the person asks for push (replies to stories come often and matter little on a lock screen). */
const NO_PUSH_BY_DEFAULT: ReadonlySet<NotificationKind> = new Set(['story_reply']);

export async function getSettings(ctx: AppContext, userId: string): Promise<NotificationSettings> {
  const rows = await repo.findSettings(ctx.db, userId);
  const out = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { ...DEFAULT_SETTING, push: !NO_PUSH_BY_DEFAULT.has(k) }])) as NotificationSettings;
  for (const r of rows) if (r.kind in out) out[r.kind as NotificationKind] = { inApp: r.in_app, push: r.push };
  return out;
}

export async function updateSettings(ctx: AppContext, userId: string, patch: Partial<Record<NotificationKind, { inApp?: boolean; push?: boolean }>>) {
  const current = await getSettings(ctx, userId);
  const rows = Object.entries(patch).map(([kind, p]) => {
    const was = current[kind as NotificationKind];
    return { kind, in_app: p?.inApp ?? was.inApp, push: p?.push ?? was.push };
  });
  await repo.upsertSettings(ctx.db, userId, rows);
  return getSettings(ctx, userId);
}

// ---------------------------------------------------------------- making notifications (event handlers)

export interface Notice {
  recipientId: string;
  kind: NotificationKind;
  actorId: string;
  /** Same key while unread: one row that grows ("maya and 3 others"). */
  groupKey?: string;
  subject?: { type: 'video' | 'comment' | 'user' | 'conversation' | 'order' | 'live'; id: string };
  excerpt?: string;
}

/**
 * Records the notices an event makes, exactly once per event (`handler` + the event id are the
 * receipt, in the same transaction as the rows), then tells each recipient live and by push.
 * Nobody is told about themselves, nobody hears from someone behind a block either way, and a
 * kind the recipient turned off makes nothing.
 */
export async function notify(ctx: AppContext, handler: string, event: { eventId: string }, notices: readonly Notice[]) {
  const candidates = notices.filter((n) => n.recipientId !== n.actorId);
  const kept: Array<Notice & { push: boolean }> = [];
  for (const n of candidates) {
    const [edges, settings] = await Promise.all([friendsAndBlocksWith(ctx, n.actorId, [n.recipientId]), getSettings(ctx, n.recipientId)]);
    const s = settings[n.kind];
    if (edges.get(n.recipientId)?.blocked || !s.inApp) continue;
    kept.push({ ...n, push: s.push });
  }
  const made = await inTransaction(ctx.db, async (tx) => {
    if (!(await firstDelivery(tx, handler, event))) return [];
    const rows: Array<{ row: repo.NotificationRow; push: boolean }> = [];
    for (const n of kept) {
      const row = await repo.addNotification(tx, {
        recipientId: n.recipientId,
        kind: n.kind,
        groupKey: n.groupKey ?? null,
        actorId: n.actorId,
        subjectType: n.subject?.type ?? null,
        subjectId: n.subject?.id ?? null,
        excerpt: n.excerpt ?? null,
      });
      rows.push({ row, push: n.push });
    }
    return rows;
  });
  // After commit, best effort: the inbox is the record; a frame or push lost here is not.
  for (const { row, push } of made) {
    try {
      await announce(ctx, row, push);
    } catch (err) {
      ctx.log.warn({ err, notificationId: row.id }, 'could not announce a notification');
    }
  }
}

async function announce(ctx: AppContext, row: repo.NotificationRow, push: boolean) {
  const recipientId = row.recipient_id;
  const hidden = await blockedEitherWayIds(ctx, recipientId);
  const [notification] = await presentNotifications(ctx, recipientId, [row], hidden);
  if (!notification) return;
  const unread = await repo.countUnread(ctx.db, recipientId, hidden);
  const frame: ServerFrame = { type: 'notification', notification, unreadCount: unread };
  await ctx.pubsub.publish(`user:${recipientId}`, frame);
  if (push) await pushNotification(ctx, recipientId, notification);
}
