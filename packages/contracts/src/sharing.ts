import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';
import { Message, MessageText } from './messaging.ts';

/** Most conversations one share may go to (one request, one action). */
export const SHARE_MAX_TARGETS = 50;

/** `POST /videos/:id/shares`: to existing conversations and/or people (each separately, or as a new group). */
export const ShareVideoBody = z
  .object({
    conversationIds: z.array(Id).max(SHARE_MAX_TARGETS, `must name at most ${SHARE_MAX_TARGETS} conversations`).optional(),
    userIds: z.array(Id).max(SHARE_MAX_TARGETS, `must name at most ${SHARE_MAX_TARGETS} people`).optional(),
    /** Sent as the text of each message, beside the card. */
    note: MessageText.optional(),
    /** The listed people get one new group conversation instead of one direct conversation each. */
    asGroup: z.boolean().optional(),
    groupTitle: z.string().trim().min(1).max(100).optional(),
    /** Idempotency: the same id again returns the first attempt's messages and sends nothing. */
    clientShareId: z
      .string()
      .min(1)
      .max(40, 'must be at most 40 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -')
      .optional(),
  })
  .refine((b) => (b.conversationIds?.length ?? 0) + (b.userIds?.length ?? 0) > 0, { message: 'name at least one conversation or person', path: ['conversationIds'] })
  .refine((b) => (b.conversationIds?.length ?? 0) + (b.userIds?.length ?? 0) <= SHARE_MAX_TARGETS, {
    message: `at most ${SHARE_MAX_TARGETS} recipients in one share`,
    path: ['userIds'],
  })
  .refine((b) => !b.asGroup || (b.userIds?.length ?? 0) >= 2, { message: 'a new group needs at least two people', path: ['userIds'] });
export type ShareVideoBody = z.infer<typeof ShareVideoBody>;

export const ShareVideoResult = z.object({ messages: z.array(Message) });

/** The author's switch: `PATCH /videos/:id/sharing`. */
export const VideoSharingSettings = z.object({ allowSharing: z.boolean() });
export type VideoSharingSettings = z.infer<typeof VideoSharingSettings>;

/** What a video share card shows a member who may see the clip. */
export const VideoCard = z.object({
  id: z.string(),
  author: User,
  caption: z.string(),
  durationMs: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  posterUrl: z.string().nullable(),
  hlsUrl: z.string().nullable(),
  /** PUBLIC_URL/v/:id */
  url: z.string(),
});
export type VideoCard = z.infer<typeof VideoCard>;

export const ShareTargetsQuery = z.object({
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});

/**
 * A recipient in the share sheet: a person (their direct conversation, if there is one) or a
 * group. `score` is the ranking's weight (recent shares and messages, decayed); friends with no
 * history score 0 and follow in name order.
 */
export const ShareTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('user'), user: User, conversationId: z.string().nullable(), friend: z.boolean(), score: z.number() }),
  z.object({
    kind: z.literal('group'),
    conversationId: z.string(),
    title: z.string().nullable(),
    members: z.array(User),
    score: z.number(),
  }),
]);
export type ShareTarget = z.infer<typeof ShareTarget>;
export const ShareTargetsResult = z.object({ items: z.array(ShareTarget) });
