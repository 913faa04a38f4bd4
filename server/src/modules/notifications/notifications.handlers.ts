import type { AppContext } from '../../app/context.ts';
import type { DeliveredEvent, EventHandler } from '../../platform/events/events.ts';
import { getUserViews } from '../accounts/index.ts';
import { followers } from '../graph/index.ts';
import { whoCanSeeVideo } from '../media/index.ts';
import { findOrderSummary, type OrderSummary } from '../shop/index.ts';
import { type Notice, notify } from './notifications.service.ts';

/**
 * How each domain event becomes notifications. Each handler is idempotent: `notify` keeps a
 * receipt of the event under the handler's name in the same transaction as the rows it adds.
 */

const handler = <T extends DeliveredEvent['type']>(name: string, make: (ctx: AppContext, e: DeliveredEvent<T>) => Promise<Notice[]>): EventHandler<AppContext, T> => ({
  name,
  handle: async (ctx, e) => notify(ctx, name, e, await make(ctx, e)),
});

/** Mentions reach only people who may see the clip they are made in. */
async function mentionsWhoCanSee(ctx: AppContext, mentionIds: readonly string[], videoId: string, notices: (id: string) => Notice) {
  if (mentionIds.length === 0) return [];
  const can = await whoCanSeeVideo(ctx, mentionIds, videoId);
  return mentionIds.filter((id) => can.has(id)).map(notices);
}

type OrderChange = DeliveredEvent<'order.changed'>['change'];

/** "Linen shirt", "Linen shirt and 2 more". */
const bought = (o: OrderSummary) => (o.otherLines > 0 ? `${o.firstTitle} and ${o.otherLines} more` : o.firstTitle);

/** What the buyer is told for each move ("created" is theirs: nothing to tell). */
const toBuyer: Partial<Record<OrderChange, (o: OrderSummary) => string>> = {
  paid: (o) => `Your order from ${o.shopName} is confirmed: ${bought(o)}`,
  shipped: (o) => `${o.shopName} shipped your order: ${bought(o)}`,
  delivered: (o) => `Your order from ${o.shopName} was delivered: ${bought(o)}`,
  refunded: (o) => `${o.shopName} refunded your order: ${bought(o)}`,
  expired: (o) => `Your order from ${o.shopName} was cancelled because it was not paid in time: ${bought(o)}`,
};

/** The notices of an order move: the buyer hears what the shop did, the shop's owner what the buyer did. */
async function orderNotices(ctx: AppContext, e: DeliveredEvent<'order.changed'>): Promise<Notice[]> {
  const summary = await findOrderSummary(ctx, e.orderId);
  if (!summary) return [];
  const subject = { type: 'order' as const, id: e.orderId };
  const buyerNotice = (text: string): Notice => ({ recipientId: e.buyerId, kind: 'order_update', actorId: e.shopOwnerId, subject, excerpt: text });
  const ownerNotice = async (what: string): Promise<Notice> => {
    const buyer = (await getUserViews(ctx, [e.buyerId])).get(e.buyerId);
    const name = buyer?.displayName || buyer?.username || 'Someone';
    return { recipientId: e.shopOwnerId, kind: 'order_update', actorId: e.buyerId, subject, excerpt: `${name} ${what} in ${summary.shopName}: ${bought(summary)}` };
  };
  if (e.change === 'paid') return [buyerNotice(toBuyer.paid!(summary)), await ownerNotice('placed an order')];
  if (e.change === 'cancelled') {
    return e.cancelledBy === 'buyer' ? [await ownerNotice('cancelled an order')] : [buyerNotice(`${summary.shopName} cancelled your order: ${bought(summary)}`)];
  }
  const text = toBuyer[e.change];
  return text ? [buyerNotice(text(summary))] : [];
}

export const notificationHandlers = {
  'follow.created': handler<'follow.created'>('notifications.follow', async (_ctx, e) => [
    // Following back someone who follows you makes you friends: that is what they are told.
    e.mutual
      ? { recipientId: e.followeeId, kind: 'friend', actorId: e.followerId, subject: { type: 'user', id: e.followerId } }
      : { recipientId: e.followeeId, kind: 'follow', actorId: e.followerId, groupKey: 'follow', subject: { type: 'user', id: e.followerId } },
  ]),
  'follow.requested': handler<'follow.requested'>('notifications.follow-request', async (_ctx, e) => [
    { recipientId: e.targetId, kind: 'follow_request', actorId: e.requesterId, subject: { type: 'user', id: e.requesterId } },
  ]),
  'video.liked': handler<'video.liked'>('notifications.like', async (_ctx, e) => [
    { recipientId: e.authorId, kind: 'like', actorId: e.likerId, groupKey: `like:${e.videoId}`, subject: { type: 'video', id: e.videoId } },
  ]),
  'comment.created': handler<'comment.created'>('notifications.comment', async (ctx, e) => {
    const subject = { type: 'video' as const, id: e.videoId };
    const notices: Notice[] = [{ recipientId: e.videoAuthorId, kind: 'comment', actorId: e.authorId, subject, excerpt: e.excerpt }];
    if (e.parentAuthorId && e.parentAuthorId !== e.videoAuthorId) {
      notices.push({ recipientId: e.parentAuthorId, kind: 'comment', actorId: e.authorId, subject, excerpt: e.excerpt });
    }
    // Someone already told about this comment is not told again that it names them.
    const told = new Set(notices.map((n) => n.recipientId));
    notices.push(
      ...(await mentionsWhoCanSee(
        ctx,
        e.mentionIds.filter((id) => !told.has(id)),
        e.videoId,
        (id) => ({ recipientId: id, kind: 'mention', actorId: e.authorId, subject, excerpt: e.excerpt }),
      )),
    );
    return notices;
  }),
  'video.published': handler<'video.published'>('notifications.caption-mention', async (ctx, e) =>
    mentionsWhoCanSee(ctx, e.mentionIds, e.videoId, (id) => ({ recipientId: id, kind: 'mention', actorId: e.authorId, subject: { type: 'video', id: e.videoId } })),
  ),
  'video.shared': handler<'video.shared'>('notifications.share', async (_ctx, e) =>
    e.recipientIds.map((id) => ({ recipientId: id, kind: 'share', actorId: e.senderId, subject: { type: 'video', id: e.videoId } })),
  ),
  'message.request': handler<'message.request'>('notifications.message-request', async (_ctx, e) => [
    { recipientId: e.recipientId, kind: 'message_request', actorId: e.senderId, subject: { type: 'conversation', id: e.conversationId } },
  ]),
  'order.changed': handler<'order.changed'>('notifications.order', orderNotices),
  'story.replied': handler<'story.replied'>('notifications.story-reply', async (_ctx, e) => [
    { recipientId: e.authorId, kind: 'story_reply', actorId: e.senderId, subject: { type: 'conversation', id: e.conversationId }, excerpt: e.excerpt },
  ]),
  // Followers the live is open to: all of them, or only friends for a friends-only live.
  'live.started': handler<'live.started'>('notifications.live-started', async (ctx, e) =>
    (await followers(ctx, e.hostId))
      .filter((f) => e.visibility !== 'friends' || f.friend)
      .map((f) => ({ recipientId: f.id, kind: 'live_started', actorId: e.hostId, subject: { type: 'live', id: e.liveId } })),
  ),
} satisfies { [T in DeliveredEvent['type']]: EventHandler<AppContext, T> };
