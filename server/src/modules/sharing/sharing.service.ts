import { randomBytes } from 'node:crypto';
import type { Message, ShareTarget, ShareVideoBody, User, VideoCard } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, forbidden } from '../../app/errors.ts';
import { getUserViews } from '../accounts/index.ts';
import * as graph from '../graph/index.ts';
import * as media from '../media/index.ts';
import * as messaging from '../messaging/index.ts';
import { type ShareCardProvider, siteLinkDetector } from '../messaging/index.ts';
import { recordEvent } from '../../platform/events/events.ts';
import * as repo from './sharing.repo.ts';

/**
 * In-app sharing of clips: one action sends a clip to several conversations (through the
 * messaging module's send path, so every messaging rule applies), counts it, and appends a
 * share event per conversation. Also the 'video' share card and the share sheet's ranking.
 * docs/sharing.md explains the design.
 */

const isId = (id: string) => /^[1-9][0-9]{0,18}$/.test(id);
const unique = <T>(xs: readonly T[]) => [...new Set(xs)];

/** PUBLIC_URL/v/:id — what "Copy link" gives and what the share page serves. */
export const videoLink = (ctx: AppContext, id: string) => `${ctx.config.publicUrl}/v/${id}`;

// ---------------------------------------------------------------- share cards

/**
 * Each viewer's clip cards (viewerId → clip id → card) for the clips they may see; everyone else
 * gets nothing (the card reads "unavailable"). The clips and their authors are loaded once and
 * who may see each clip is one query for all viewers, so a share fanned out to twenty people
 * costs what one card costs.
 */
export async function videoCardsForViewers(ctx: AppContext, viewerIds: readonly string[], ids: readonly string[]): Promise<Map<string, Map<string, VideoCard>>> {
  const out = new Map<string, Map<string, VideoCard>>(viewerIds.map((v) => [v, new Map()]));
  const rows = (await media.findVideoRows(ctx, unique(ids.filter(isId)))).filter((r) => r.status === 'ready');
  if (rows.length === 0 || viewerIds.length === 0) return out;
  const [views, allowed] = await Promise.all([
    // Viewer-independent fields only: the card never carries the viewer's likes or saves.
    media.toVideoViews(ctx, null, rows),
    Promise.all(rows.map((r) => media.viewersWhoCanView(ctx, viewerIds, r))),
  ]);
  const cards = new Map(
    views.map((v): [string, VideoCard] => [
      v.id,
      {
        id: v.id,
        author: v.author,
        caption: v.caption,
        durationMs: v.durationMs,
        width: v.width,
        height: v.height,
        posterUrl: v.posterUrl,
        hlsUrl: v.hlsUrl,
        url: videoLink(ctx, v.id),
      },
    ]),
  );
  for (const [n, r] of rows.entries()) {
    const card = cards.get(String(r.id));
    if (card) for (const viewer of allowed[n]!) out.get(viewer)!.set(card.id, card);
  }
  return out;
}

/** One viewer's clip cards. */
export async function videoCardsFor(ctx: AppContext, viewerId: string, ids: readonly string[]): Promise<Map<string, VideoCard>> {
  return (await videoCardsForViewers(ctx, [viewerId], ids)).get(viewerId)!;
}

/** Clip cards, provided to messaging; a Loop link pasted into a chat (PUBLIC_URL/v/:id) becomes one. */
export const videoShareCards: ShareCardProvider = {
  resolve: async (ctx, viewerId, ids) => videoCardsFor(ctx, viewerId, ids) as Promise<Map<string, Record<string, unknown>>>,
  resolveForViewers: async (ctx, viewerIds, ids) => videoCardsForViewers(ctx, viewerIds, ids) as Promise<Map<string, Map<string, Record<string, unknown>>>>,
  detectLink: siteLinkDetector('/v', 'video'),
};

// ---------------------------------------------------------------- settings

/** The author turns sharing of one clip on or off. */
export async function setVideoSharing(ctx: AppContext, userId: string, videoId: string, allowSharing: boolean) {
  const v = await media.loadVisibleVideo(ctx, userId, videoId);
  if (String(v.author_id) !== userId) throw forbidden('not_video_author', 'Only the author can change this video');
  await repo.setSharingAllowed(ctx.db, videoId, allowSharing);
  return { allowSharing };
}

export async function getVideoSharing(ctx: AppContext, userId: string | null, videoId: string) {
  await media.loadVisibleVideo(ctx, userId, videoId);
  const allowed = (await repo.sharingAllowed(ctx.db, [videoId])).get(videoId) ?? true;
  return { allowSharing: allowed, url: videoLink(ctx, videoId) };
}

// ---------------------------------------------------------------- sharing

const notVisibleTo = (field: string) => forbidden('share_not_allowed', `${field}: this clip cannot be shared with someone who may not see it`);

/**
 * Shares a clip: one message per conversation (existing conversations, direct conversations
 * with the people named — created or reused — or one new group), all in one transaction with
 * the share events and the count. Retrying with the same `clientShareId` sends nothing new.
 */
export async function shareVideo(ctx: AppContext, senderId: string, videoId: string, body: ShareVideoBody): Promise<{ messages: Message[] }> {
  if (body.clientShareId) {
    const again = await replayShare(ctx, senderId, videoId, body.clientShareId);
    if (again) return again;
  }
  const conversationIds = unique(body.conversationIds ?? []);
  const userIds = unique(body.userIds ?? []);
  // Independent reads, together; the checks below keep their order (404 for the clip first).
  const [video, allowed, members] = await Promise.all([
    media.loadVisibleVideo(ctx, senderId, videoId),
    repo.sharingAllowed(ctx.db, [videoId]),
    messaging.memberIdsOf(ctx, senderId, conversationIds).catch((err: unknown) => err as Error),
  ]);
  const authorId = String(video.author_id);
  if (video.status !== 'ready') throw new AppError('video_not_ready', 409, 'This clip is still processing');
  if (authorId !== senderId && allowed.get(videoId) === false) {
    throw forbidden('sharing_disabled', 'The author has turned off sharing for this clip');
  }
  if (userIds.includes(senderId)) throw badInput('userIds', 'must not include you');
  if (members instanceof Error) throw members;

  // Everyone who would receive it must be allowed to see the clip: checked before anything is
  // created, for all of them in one query.
  const memberIds = unique([...members.values()].flat());
  const canSee = await media.viewersWhoCanView(ctx, unique([...userIds, ...memberIds]).filter((id) => id !== senderId), video);
  const mayNotSee = (ids: readonly string[]) => ids.some((id) => id !== senderId && !canSee.has(id));
  if (mayNotSee(userIds)) throw notVisibleTo('userIds');
  if (mayNotSee(memberIds)) throw notVisibleTo('conversationIds');

  const targets = [...conversationIds];
  if (userIds.length > 0 && body.asGroup) {
    const { conversation } = await messaging.createConversation(ctx, senderId, { memberIds: userIds, kind: 'group', title: body.groupTitle });
    targets.push(conversation.id);
  } else {
    for (const uid of userIds) {
      const { conversation } = await messaging.createConversation(ctx, senderId, { memberIds: [uid], kind: 'direct' });
      targets.push(conversation.id);
    }
  }

  const key = body.clientShareId ?? randomBytes(12).toString('base64url');
  const items = unique(targets).map((conversationId) => ({
    conversationId,
    body: { clientMsgId: `s:${key}:${conversationId}`, text: body.note, share: { type: 'video' as const, id: videoId } },
  }));
  try {
    const messages = await messaging.sendMessagesTogether(ctx, senderId, items, async (tx, rows) => {
      await repo.insertShareEvents(
        tx,
        rows.map((r) => ({ video_id: videoId, sender_id: senderId, conversation_id: r.conversationId, message_id: r.messageId, client_share_id: body.clientShareId ?? null })),
      );
      await media.countSharesIn(tx, videoId, rows.length);
      const recipientIds = unique([...userIds, ...memberIds]).filter((id) => id !== senderId);
      await recordEvent(tx, { type: 'video.shared', videoId, senderId, recipientIds });
    });
    return { messages };
  } catch (err) {
    // The same share racing itself: the loser answers with what the winner made.
    if ((err as { code?: string }).code === '23505' && body.clientShareId) {
      const again = await replayShare(ctx, senderId, videoId, body.clientShareId);
      if (again) return again;
    }
    throw err;
  }
}

async function replayShare(ctx: AppContext, senderId: string, videoId: string, clientShareId: string) {
  const prior = await repo.findByClientShareId(ctx.db, senderId, clientShareId);
  if (prior.length === 0) return null;
  if (String(prior[0]!.video_id) !== videoId) {
    throw new AppError('client_share_id_reused', 409, 'clientShareId: was already used to share another clip', { field: 'clientShareId' });
  }
  return { messages: await messaging.messagesById(ctx, senderId, prior.map((p) => String(p.message_id))) };
}

// ---------------------------------------------------------------- the share sheet's recipients

/** How far back the ranking looks, and how fast an old share or message fades (half-life). */
const HISTORY_DAYS = 60;
const HALF_LIFE_DAYS = 7;
/** A share into a conversation says more about "whom I send clips to" than one chat message. */
const SHARE_WEIGHT = 3;

const matches = (q: string, ...texts: Array<string | null | undefined>) => texts.some((t) => t?.toLowerCase().includes(q));

/**
 * People and groups to share with: ranked by your own sharing and chatting (decayed frequency:
 * shares into the conversation weigh SHARE_WEIGHT, each message you sent there 1), then your
 * other friends by name. `q` searches friends and conversations (names, usernames, titles).
 */
export async function shareTargets(ctx: AppContext, userId: string, query: { q?: string; limit: number }): Promise<{ items: ShareTarget[] }> {
  const [conversations, chat, shares, friendIds, hidden] = await Promise.all([
    messaging.recentConversations(ctx, userId, 100),
    messaging.recentChatActivity(ctx, userId, { days: HISTORY_DAYS, halfLifeDays: HALF_LIFE_DAYS }),
    repo.shareActivity(ctx.db, userId, HISTORY_DAYS, HALF_LIFE_DAYS),
    graph.friendIds(ctx, userId),
    graph.blockedEitherWayIds(ctx, userId),
  ]);
  const hiddenSet = new Set(hidden.map(String));
  const friends = new Set(friendIds.map(String));
  const shareScore = new Map(shares.map((s) => [String(s.conversation_id), Number(s.score)]));
  const scoreOf = (cid: string) => (chat.get(cid)?.score ?? 0) + SHARE_WEIGHT * (shareScore.get(cid) ?? 0);
  const strip = (u: User): User => ({ id: u.id, username: u.username, displayName: u.displayName, bio: u.bio, avatarUrl: u.avatarUrl });

  const items: Array<ShareTarget & { recency: number }> = [];
  const covered = new Set<string>();
  for (const c of conversations) {
    const recency = c.lastMessageAt ? Date.parse(c.lastMessageAt) : 0;
    const others = c.members.filter((m) => m.id !== userId && !hiddenSet.has(m.id));
    if (c.kind === 'direct') {
      const other = others[0];
      if (!other) continue;
      covered.add(other.id);
      items.push({ kind: 'user', user: strip(other), conversationId: c.id, friend: friends.has(other.id), score: scoreOf(c.id), recency });
    } else {
      items.push({ kind: 'group', conversationId: c.id, title: c.title, members: others.map(strip), score: scoreOf(c.id), recency });
    }
  }
  const rest = [...friends].filter((id) => !covered.has(id) && !hiddenSet.has(id));
  const restViews = await getUserViews(ctx, rest);
  for (const id of rest) {
    const user = restViews.get(id);
    if (user) items.push({ kind: 'user', user, conversationId: null, friend: true, score: 0, recency: 0 });
  }

  const q = query.q?.trim().toLowerCase();
  const found = q
    ? items.filter((t) => (t.kind === 'user' ? matches(q, t.user.username, t.user.displayName) : matches(q, t.title, ...t.members.flatMap((m) => [m.username, m.displayName]))))
    : items;
  const name = (t: ShareTarget) => (t.kind === 'user' ? t.user.displayName || t.user.username : (t.title ?? t.members.map((m) => m.displayName).join(', '))).toLowerCase();
  found.sort((a, b) => b.score - a.score || b.recency - a.recency || name(a).localeCompare(name(b)));
  return { items: found.slice(0, query.limit).map(({ recency: _, ...t }) => t as ShareTarget) };
}
