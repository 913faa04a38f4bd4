import { randomBytes } from 'node:crypto';
import type { Message } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { badInput } from '../../app/errors.ts';
import { recordEvent } from '../../platform/events/events.ts';
import * as messaging from '../messaging/index.ts';
import type { ShareCardProvider } from '../messaging/index.ts';
import { toStoryViews } from './stories.presenter.ts';
import * as repo from './stories.repo.ts';
import { loadVisibleStory, visibleStories } from './stories.service.ts';

/**
 * Replies and reactions to a story become a message in the direct conversation with its author,
 * carrying the story's card, through messaging's own send path: the author's message rules apply
 * as to any message (a request when they are not friends, nothing across a block, "who may
 * message me"). The reaction is also kept on the view, for the author's viewers list.
 */
export async function replyToStory(ctx: AppContext, userId: string, storyId: string, body: { text?: string; reaction?: string }): Promise<{ message: Message }> {
  const { row } = await loadVisibleStory(ctx, userId, storyId);
  const authorId = String(row.author_id);
  if (authorId === userId) throw badInput('storyId', 'you cannot reply to your own story');
  const { conversation } = await messaging.createConversation(ctx, userId, { memberIds: [authorId], kind: 'direct' });
  const text = [body.reaction, body.text].filter((t) => t !== undefined).join(' ');
  const [message] = await messaging.sendMessagesTogether(
    ctx,
    userId,
    [{ conversationId: conversation.id, body: { clientMsgId: `story:${storyId}:${randomBytes(9).toString('base64url')}`, text, share: { type: 'story', id: storyId } } }],
    async (tx) => {
      if (body.reaction) await repo.setReaction(tx, storyId, userId, body.reaction);
      else await repo.insertView(tx, storyId, userId);
      await recordEvent(tx, { type: 'story.replied', storyId, authorId, senderId: userId, conversationId: conversation.id, excerpt: text.slice(0, 140) });
    },
  );
  return { message: message! };
}

/**
 * Story cards in chats (`share: { type: "story", id }`): resolved when read, so a story that has
 * expired or been deleted reads "Story no longer available" everywhere at once, for its author
 * too; while it lives, only people who may see it get the card.
 */
export const storyShareCards: ShareCardProvider = {
  async resolve(ctx, viewerId, ids) {
    const rows = (await repo.findStories(ctx.db, ids.filter((id) => /^[1-9][0-9]{0,18}$/.test(id)))).filter((r) => new Date(r.expires_at).getTime() > Date.now());
    const { rows: visible, videos } = await visibleStories(ctx, viewerId, rows);
    const views = await toStoryViews(ctx, viewerId, visible, { videos, seen: new Set() });
    return new Map(
      views.map((s) => [s.id, { story: { id: s.id, author: s.author, mediaType: s.mediaType, posterUrl: s.posterUrl, caption: s.caption, expiresAt: s.expiresAt } }]),
    );
  },
};
