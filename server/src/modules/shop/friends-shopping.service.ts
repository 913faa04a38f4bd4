import { Id, type Message, type PollChoice, type Product, type ProductPoll } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { areFriends } from '../graph/index.ts';
import { conversationMemberIds, republishMessage, sendMessagesTogether, type ShareCardProvider } from '../messaging/index.ts';
import * as frepo from './friends-shopping.repo.ts';
import { toProductViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';
import { requireProduct } from './shops.service.ts';

/**
 * Shopping with friends (docs/shop.md): "should I get it?" polls on a product shared into a chat,
 * and wishlists that friends can see. A poll belongs to one conversation: only its members see
 * or vote (anyone else: 404, and its card is "unavailable"); votes push the card again to every
 * member as `message.updated`, so the counts are live.
 */

const POLL_QUESTION = 'Should I get it?';
const isId = (id: string) => Id.safeParse(id).success;

/** Each viewer's view of each poll they may see (viewerId → pollId → poll). */
async function pollViewsFor(ctx: AppContext, viewerIds: readonly string[], ids: readonly string[]): Promise<Map<string, Map<string, ProductPoll>>> {
  const out = new Map<string, Map<string, ProductPoll>>(viewerIds.map((v) => [v, new Map()]));
  const polls = await frepo.findPolls(ctx.db, ids.filter(isId));
  if (!polls.length || !viewerIds.length) return out;
  const pollIds = polls.map((p) => String(p.id));
  const [members, productRows, counts, votes] = await Promise.all([
    conversationMemberIds(ctx, [...new Set(polls.map((p) => String(p.conversation_id)))]),
    repo.findProducts(ctx.db, [...new Set(polls.map((p) => String(p.product_id)))]),
    frepo.pollCounts(ctx.db, pollIds),
    frepo.votesOf(ctx.db, viewerIds, pollIds),
  ]);
  // The product as everybody sees it (never the owner's stock figures), shared by all viewers.
  const products = new Map((await toProductViews(ctx, null, productRows)).map((p) => [p.id, p]));
  for (const poll of polls) {
    const product = products.get(String(poll.product_id));
    if (!product) continue;
    const id = String(poll.id);
    const who = members.get(String(poll.conversation_id)) ?? new Set();
    for (const viewerId of viewerIds) {
      if (!who.has(viewerId)) continue;
      out.get(viewerId)!.set(id, {
        id,
        conversationId: String(poll.conversation_id),
        askerId: String(poll.asker_id),
        question: POLL_QUESTION,
        product,
        ...counts.get(id)!,
        myVote: votes.get(`${viewerId}:${id}`) ?? null,
        createdAt: new Date(poll.created_at).toISOString(),
      });
    }
  }
  return out;
}

/** The poll if `userId` is a member of its conversation; otherwise 404. */
async function visiblePoll(ctx: AppContext, userId: string, pollId: string) {
  const poll = (await pollViewsFor(ctx, [userId], [pollId])).get(userId)!.get(pollId);
  if (!poll) throw notFound('poll');
  return poll;
}

/** Poll cards (`share: { type: "poll", id }`), for members of the poll's conversation only. */
export const pollShareCards: ShareCardProvider = {
  async resolve(ctx, viewerId, ids) {
    const polls = (await pollViewsFor(ctx, [viewerId], ids)).get(viewerId)!;
    return new Map([...polls].map(([id, poll]) => [id, { poll }]));
  },
  async resolveForViewers(ctx, viewerIds, ids) {
    const views = await pollViewsFor(ctx, viewerIds, ids);
    return new Map([...views].map(([viewer, polls]) => [viewer, new Map([...polls].map(([id, poll]) => [id, { poll }]))]));
  },
};

/**
 * POST /products/:id/polls: puts the product to a conversation the caller belongs to, as a
 * message carrying the poll card. If the message cannot be sent, the poll is removed again.
 */
export async function askFriends(ctx: AppContext, userId: string, productId: string, conversationId: string): Promise<{ poll: ProductPoll; message: Message }> {
  await requireProduct(ctx, productId);
  if (!(await conversationMemberIds(ctx, [conversationId])).get(conversationId)?.has(userId)) throw notFound('conversation');
  const row = await frepo.insertPoll(ctx.db, { conversation_id: conversationId, product_id: productId, asker_id: userId });
  const pollId = String(row.id);
  try {
    const [message] = await sendMessagesTogether(ctx, userId, [{ conversationId, body: { clientMsgId: `poll:${pollId}`, share: { type: 'poll', id: pollId } } }], (tx, made) =>
      frepo.setPollMessage(tx, pollId, made[0]!.messageId),
    );
    return { poll: pollOnCard(message) ?? (await visiblePoll(ctx, userId, pollId)), message: message! };
  } catch (err) {
    await frepo.deletePoll(ctx.db, pollId);
    throw err;
  }
}

export async function getPoll(ctx: AppContext, userId: string, pollId: string) {
  return { poll: await visiblePoll(ctx, userId, pollId) };
}

/**
 * The poll's row if `userId` may see it (a member of its conversation; its product goes with it,
 * ON DELETE CASCADE); otherwise 404. Who may vote, without building the poll's view.
 */
async function requireMemberPoll(ctx: AppContext, userId: string, pollId: string) {
  const [row] = isId(pollId) ? await frepo.findPolls(ctx.db, [pollId]) : [];
  const conversationId = row ? String(row.conversation_id) : '';
  if (!row || !(await conversationMemberIds(ctx, [conversationId])).get(conversationId)?.has(userId)) throw notFound('poll');
  return row;
}

/**
 * A member votes (or, with null, takes their vote back); every member's card updates live. The
 * poll's views are built once for all members (republishMessage resolves every member's card in
 * one go), and the voter's answer is their card from it.
 */
export async function votePoll(ctx: AppContext, userId: string, pollId: string, choice: PollChoice | null) {
  const row = await requireMemberPoll(ctx, userId, pollId);
  if (choice) await frepo.setVote(ctx.db, pollId, userId, choice);
  else await frepo.clearVote(ctx.db, pollId, userId);
  const sent = row.message_id ? await republishMessage(ctx, String(row.message_id)) : new Map<string, Message>();
  // Without a card (the message is gone), the poll alone.
  return { poll: pollOnCard(sent.get(userId)) ?? (await visiblePoll(ctx, userId, pollId)) };
}

/** The poll a message's card shows as sent to its reader (this module's own card, `pollShareCards`: `{ poll }`). */
function pollOnCard(message: Message | undefined): ProductPoll | undefined {
  return (message?.share?.card as { poll?: ProductPoll } | null | undefined)?.poll;
}

// ---- wishlists ----

export async function saveToWishlist(ctx: AppContext, userId: string, productId: string, saved: boolean) {
  await requireProduct(ctx, productId);
  if (saved) await frepo.addToWishlist(ctx.db, userId, productId);
  else await frepo.removeFromWishlist(ctx.db, userId, productId);
  return { saved };
}

/**
 * GET /users/:id/wishlist: the person themself and their friends (mutual follows) only; to anyone
 * else — and for anyone who does not exist — a 404, so a stranger cannot even tell.
 */
export async function listWishlist(ctx: AppContext, viewerId: string, ownerId: string, q: { cursor?: string; limit: number }) {
  if (viewerId !== ownerId && !(await areFriends(ctx, viewerId, ownerId))) throw notFound('wishlist');
  const scope = { list: `wishlist:${ownerId}`, viewer: viewerId };
  const after = decodeCursor(scope, q.cursor, 2);
  const rows = await frepo.listWishlist(ctx.db, ownerId, after ? { at: String(after[0]), id: String(after[1]) } : null, q.limit + 1);
  const views = new Map((await toProductViews(ctx, viewerId, await repo.findProducts(ctx.db, rows.map((r) => String(r.product_id))))).map((p) => [p.id, p]));
  const page = toPage(scope, rows, q.limit, (r) => views.get(String(r.product_id)), (r) => [r.at, String(r.product_id)]);
  return { items: page.items.filter((p): p is Product => p !== undefined), nextCursor: page.nextCursor };
}
