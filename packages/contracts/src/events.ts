import { z } from 'zod';

/**
 * Domain events: what happened, recorded in the same transaction as the change (the outbox) and
 * handed to handlers after commit, at least once. One variant per type; the relay's handler map
 * is typed `{ [T in DomainEventType]: … }`, so a new type without an entry fails to compile.
 * Payloads carry ids, never views: handlers read what they need when they run.
 */
export const DomainEvent = z.discriminatedUnion('type', [
  /**
   * `mutual`: the followee already followed the follower (they are friends now). `accepted`: the
   * followee accepted the follower's request (absent in events recorded before it existed).
   */
  z.object({ type: z.literal('follow.created'), followerId: z.string(), followeeId: z.string(), mutual: z.boolean(), accepted: z.boolean().optional() }),
  z.object({ type: z.literal('follow.requested'), requesterId: z.string(), targetId: z.string() }),
  z.object({ type: z.literal('video.liked'), videoId: z.string(), authorId: z.string(), likerId: z.string() }),
  /** A clip became playable for the first time; `mentionIds` are the people its caption names. */
  z.object({ type: z.literal('video.published'), videoId: z.string(), authorId: z.string(), mentionIds: z.array(z.string()) }),
  z.object({
    type: z.literal('comment.created'),
    commentId: z.string(),
    videoId: z.string(),
    videoAuthorId: z.string(),
    authorId: z.string(),
    /** The author of the comment answered, when it is a reply. */
    parentAuthorId: z.string().nullable(),
    mentionIds: z.array(z.string()),
    excerpt: z.string(),
  }),
  /** A clip sent in chats: `recipientIds` are the members it reached (the sender excluded). */
  z.object({ type: z.literal('video.shared'), videoId: z.string(), senderId: z.string(), recipientIds: z.array(z.string()) }),
  /** Someone who is not a friend opened a direct conversation: it waits in the recipient's Requests. */
  z.object({ type: z.literal('message.request'), conversationId: z.string(), senderId: z.string(), recipientId: z.string() }),
  /**
   * An order moved (docs/shop.md "Order states"). `cancelledBy` says who cancelled (`expired`
   * is its own change: the reservation ran out before payment).
   */
  z.object({
    type: z.literal('order.changed'),
    orderId: z.string(),
    buyerId: z.string(),
    shopOwnerId: z.string(),
    change: z.enum(['created', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded', 'expired']),
    cancelledBy: z.enum(['buyer', 'shop']).optional(),
  }),
  /** A reply or reaction to a story, sent as a message in the direct conversation with its author. */
  z.object({ type: z.literal('story.replied'), storyId: z.string(), authorId: z.string(), senderId: z.string(), conversationId: z.string(), excerpt: z.string() }),
  /** A live went on air (its first playable playlist); `visibility` says which followers may be told. */
  z.object({ type: z.literal('live.started'), liveId: z.string(), hostId: z.string(), visibility: z.enum(['public', 'followers', 'friends']) }),
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type DomainEventType = DomainEvent['type'];
export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = DomainEvent.options.map((o) => o.shape.type.value);
