import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';

/** Every kind of notification (API.md "Notifications"); some are sent by modules still to come. */
export const NOTIFICATION_KINDS = [
  'follow',
  'follow_request',
  'friend',
  'like',
  'comment',
  'mention',
  'share',
  'message_request',
  'live_started',
  'story_reply',
  'order_update',
] as const;
export const NotificationKind = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const NotificationSubject = z.object({ type: z.enum(['video', 'comment', 'user', 'conversation', 'order', 'live']), id: z.string() });

export const Notification = z.object({
  id: z.string(),
  kind: NotificationKind,
  /** The latest person in the group (the only one for kinds that do not group). */
  actor: User.nullable(),
  /** Up to three of the people in the group, latest first; `actorCount` is how many there are in all. */
  actors: z.array(User),
  actorCount: z.number().int(),
  subject: NotificationSubject.nullable(),
  /** A sentence for people: "maya and 3 others liked your clip". */
  text: z.string(),
  /** The words of a comment the row quotes (the end of `text`), for clients that set people's words apart. */
  excerpt: z.string().nullable(),
  /** The clip's poster for rows about a clip (shown on the right of the row). */
  thumbnailUrl: z.string().nullable(),
  /** Where the app goes when the row is tapped (a path in the web app). */
  url: z.string(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof Notification>;

export const NotificationList = z.object({ items: z.array(Notification), nextCursor: z.string().nullable() });
export const UnreadCount = z.object({ count: z.number().int() });
export const MarkReadBody = z.object({ upToId: Id.optional() });

export const KindSetting = z.object({ inApp: z.boolean(), push: z.boolean() });
export const NotificationSettings = z.record(NotificationKind, KindSetting);
export type NotificationSettings = z.infer<typeof NotificationSettings>;
/** PATCH: any kinds, each with either switch. */
export const NotificationSettingsPatch = z.partialRecord(NotificationKind, z.object({ inApp: z.boolean().optional(), push: z.boolean().optional() }).strict());

export const VapidKey = z.object({ key: z.string() });

/** A browser `PushSubscription` as JSON. Keys are base64url: p256dh a 65-byte P-256 point, auth 16 bytes. */
export const PushSubscriptionBody = z.object({
  endpoint: z.url({ protocol: /^https?$/ }).max(2048),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z.string().regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, 'must be a base64url P-256 public key'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{21,24}={0,2}$/, 'must be 16 bytes of base64url'),
  }),
});
export type PushSubscriptionBody = z.infer<typeof PushSubscriptionBody>;
export const PushUnsubscribeBody = z.object({ endpoint: z.string().max(2048) });

/** The JSON a push message carries to the service worker. */
export const PushPayload = z.object({ title: z.string(), body: z.string(), url: z.string(), tag: z.string(), notificationId: z.string() });
export type PushPayload = z.infer<typeof PushPayload>;

/** Pushed on `user:<id>` when a notification is made or grouped into a row (API.md "Notifications"). */
export type NotificationFrame = { type: 'notification'; notification: Notification; unreadCount: number };
