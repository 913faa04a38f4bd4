import type { AppContext } from '../../app/context.ts';
import type { DeliveredEvent, EventHandler } from '../../platform/events/events.ts';
import { followers } from '../graph/index.ts';
import { whoCanSeeVideo } from '../media/index.ts';
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
  // Followers the live is open to: all of them, or only friends for a friends-only live.
  'live.started': handler<'live.started'>('notifications.live-started', async (ctx, e) =>
    (await followers(ctx, e.hostId))
      .filter((f) => e.visibility !== 'friends' || f.friend)
      .map((f) => ({ recipientId: f.id, kind: 'live_started', actorId: e.hostId, subject: { type: 'live', id: e.liveId } })),
  ),
} satisfies { [T in DeliveredEvent['type']]: EventHandler<AppContext, T> };
