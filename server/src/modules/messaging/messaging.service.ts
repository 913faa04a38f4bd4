import {
  type Conversation,
  EDIT_WINDOW_MS,
  GROUP_MAX_MEMBERS,
  type Message,
  type SendMessageBody,
  type ServerFrame,
  type ShareType,
  type ShareView,
  TYPING_TTL_MS,
} from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, forbidden } from '../../app/errors.ts';
import { decodeCursor, encodeCursor } from '../../platform/db/pagination.ts';
import { Batcher } from '../../platform/batch/batcher.ts';
import { inTransaction, type Tx } from '../../platform/db/tx.ts';
import { recordEvent } from '../../platform/events/events.ts';
import { getMessagingPrefs, getUserViews } from '../accounts/index.ts';
import { areFriends, blocksAndFriendshipAmong, isBlockedEitherWay } from '../graph/index.ts';
import { publishToUsers } from './delivery.ts';
import * as repo from './messaging.repo.ts';
import { type CachedConversation, conversationMembersChanged, sendRulesCache } from './send-rules-cache.ts';
import { detectShareLink, hasShareResolver, resolveShares, resolveSharesForViewers } from './share-cards.ts';

/** Direct messages are for people 16 and over, to and from (as on TikTok). */
export const DIRECT_MESSAGE_MIN_AGE = 16;
/** Distinct emojis one person may put on one message. */
const MAX_REACTIONS_PER_USER = 10;

const conversationNotFound = () => new AppError('conversation_not_found', 404, 'No such conversation');
const messageNotFound = () => new AppError('message_not_found', 404, 'No such message');
/** A kind of object no listed module provides cards for (products before the shop exists): refused, never stored unchecked. */
const unsharableKind = (type: ShareType) => new AppError('share_not_found', 404, `share: ${type} cannot be shared on this server`, { field: 'share' });
const userNotFound = (field: string) => new AppError('user_not_found', 404, `${field}: no such user`, { field });

// ---------------------------------------------------------------- views

let lastDate: Date | null = null;
let lastIso = '';
function iso(d: Date | string | null): string | null {
  if (d === null) return null;
  if (!(d instanceof Date)) return new Date(d).toISOString();
  // The messages of one write share one created_at Date: format it once.
  if (d !== lastDate) {
    lastDate = d;
    lastIso = d.toISOString();
  }
  return lastIso;
}

/** Builds API messages for one viewer: reactions grouped, share cards resolved for them. */
export async function toMessages(ctx: AppContext, viewerId: string, rows: repo.MessageRow[], opts: { fresh?: boolean } = {}): Promise<Message[]> {
  if (rows.length === 0) return [];
  const [reactions, shares] = await Promise.all([
    opts.fresh ? new Map<string, Message['reactions']>() : reactionsOf(ctx, rows),
    resolveShares(
      ctx,
      viewerId,
      rows.filter((r) => r.share_type && r.share_id).map((r) => ({ type: r.share_type as ShareType, id: r.share_id! })),
    ),
  ]);
  return rows.map((r) => messageView(r, shareOf(r, shares), reactions.get(String(r.id)) ?? []));
}

/** Each message's reactions, grouped by emoji (message id → reactions; an unsent message has none). */
async function reactionsOf(ctx: AppContext, rows: readonly repo.MessageRow[]): Promise<Map<string, Message['reactions']>> {
  const reactions = await repo.reactionsFor(
    ctx.db,
    rows.filter((r) => r.deleted_at === null).map((r) => r.id),
  );
  const byMessage = new Map<string, Map<string, string[]>>();
  for (const r of reactions) {
    const mid = String(r.message_id);
    let m = byMessage.get(mid);
    if (!m) {
      m = new Map();
      byMessage.set(mid, m);
    }
    let users = m.get(r.emoji);
    if (!users) {
      users = [];
      m.set(r.emoji, users);
    }
    users.push(String(r.user_id));
  }
  return new Map([...byMessage].map(([mid, grouped]) => [mid, [...grouped].map(([emoji, userIds]) => ({ emoji, count: userIds.length, userIds }))]));
}

function shareOf(r: repo.MessageRow, shares: ReadonlyMap<string, ShareView>): ShareView | null {
  return r.share_type && r.share_id ? (shares.get(`${r.share_type}:${r.share_id}`) ?? null) : null;
}

/** One API message from its row, its share card as the viewer sees it, and its reactions. */
function messageView(r: repo.MessageRow, share: ShareView | null, reactions: Message['reactions']): Message {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    seq: Number(r.seq),
    senderId: String(r.sender_id),
    clientMsgId: r.client_msg_id,
    text: r.text,
    replyToSeq: r.reply_to_seq === null ? null : Number(r.reply_to_seq),
    share,
    reactions,
    createdAt: iso(r.created_at)!,
    editedAt: iso(r.edited_at),
    deletedAt: iso(r.deleted_at),
  };
}

type ConversationWithMine = repo.ConversationRow & { my_state: repo.MemberState; my_read_seq: string };

/** Builds API conversations for one viewer (their unread count, state, and what they may see of others' read marks). */
async function toConversations(ctx: AppContext, viewerId: string, rows: ConversationWithMine[]): Promise<Conversation[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => String(r.id));
  const members = await repo.listMembers(ctx.db, ids);
  const users = await getUserViews(ctx, [...new Set(members.map((m) => String(m.user_id)))]);
  const lastRows = await repo.findMessagesBySeqs(
    ctx.db,
    rows.filter((r) => Number(r.last_seq) > 0).map((r) => ({ conversationId: String(r.id), seq: String(r.last_seq) })),
  );
  const lastMessages = new Map((await toMessages(ctx, viewerId, lastRows)).map((m) => [m.conversationId, m]));
  return rows.map((r) => {
    const id = String(r.id);
    const mine = members.filter((m) => String(m.conversation_id) === id);
    return {
      id,
      kind: r.kind,
      title: r.title,
      members: mine.flatMap((m) => {
        const user = users.get(String(m.user_id));
        if (!user) return [];
        const self = String(m.user_id) === viewerId;
        // A request's recipient stays "unread" to the sender until they accept: no read receipts.
        const hidden = !self && m.state !== 'active';
        return [{ ...user, role: m.role, readSeq: hidden ? null : Number(m.read_seq) }];
      }),
      lastMessage: lastMessages.get(id) ?? null,
      lastSeq: Number(r.last_seq),
      unreadCount: Math.max(0, Number(r.last_seq) - Number(r.my_read_seq)),
      state: r.my_state,
      readSeq: Number(r.my_read_seq),
      createdAt: iso(r.created_at)!,
      lastMessageAt: iso(r.last_message_at),
    };
  });
}

async function conversationFor(ctx: AppContext, viewerId: string, id: string): Promise<Conversation> {
  const { conversation, member } = await requireMember(ctx, viewerId, id);
  const [view] = await toConversations(ctx, viewerId, [{ ...conversation, my_state: member.state, my_read_seq: member.read_seq }]);
  return view!;
}

// ---------------------------------------------------------------- rules

/** The conversation and the caller's membership, or 404 — non-members never learn it exists. */
export async function requireMember(ctx: AppContext, userId: string, conversationId: string) {
  const [conversation, member] = await Promise.all([repo.findConversation(ctx.db, conversationId), repo.findMember(ctx.db, conversationId, userId)]);
  if (!conversation || !member) throw conversationNotFound();
  return { conversation, member };
}

/** True when `userId` belongs to the conversation (the gateway's check for typing and read frames). */
export async function isMember(ctx: AppContext, userId: string, conversationId: string): Promise<boolean> {
  return (await repo.findMember(ctx.db, conversationId, userId)) !== undefined;
}

function tooYoung(age: number | null): boolean {
  return age !== null && age < DIRECT_MESSAGE_MIN_AGE;
}

interface DirectMessageCheck {
  senderId: string;
  recipientId: string;
  /** The recipient accepted or wrote here: "who may message me" no longer gates it. */
  recipientEngaged: boolean;
}

/**
 * May each sender write to each recipient one to one? Blocks and age always apply; "who may
 * message me" applies until the recipient has engaged. Answers each check with its refusal (or
 * null), in order, in two queries for any number of checks.
 */
async function directMessageRefusals(ctx: AppContext, checks: readonly DirectMessageCheck[], field: string): Promise<Array<AppError | null>> {
  if (checks.length === 0) return [];
  const [prefs, relations] = await Promise.all([
    getMessagingPrefs(
      ctx,
      checks.flatMap((c) => [c.senderId, c.recipientId]),
    ),
    blocksAndFriendshipAmong(
      ctx,
      checks.map((c) => [c.senderId, c.recipientId] as const),
    ),
  ]);
  return checks.map((c) => {
    const sender = prefs.get(c.senderId);
    const recipient = prefs.get(c.recipientId);
    const relation = relations.get(`${c.senderId}:${c.recipientId}`);
    if (!recipient || relation?.blocked) return userNotFound(field);
    if (tooYoung(sender?.age ?? null)) return forbidden('messaging_age_restricted', `Direct messages are for people ${DIRECT_MESSAGE_MIN_AGE} and over`);
    if (tooYoung(recipient.age)) return forbidden('messaging_age_restricted', `This person cannot receive direct messages`);
    if (c.recipientEngaged) return null;
    if (recipient.dmPolicy === 'nobody') return forbidden('messaging_not_allowed', 'This person does not accept messages');
    if (recipient.dmPolicy === 'friends' && !relation?.friends) return forbidden('messaging_not_allowed', 'This person accepts messages only from friends');
    return null;
  });
}

async function assertMayMessage(ctx: AppContext, senderId: string, recipientId: string, recipientEngaged: boolean, field: string) {
  const [refusal] = await directMessageRefusals(ctx, [{ senderId, recipientId, recipientEngaged }], field);
  if (refusal) throw refusal;
}

/** People added to a group must be friends of whoever adds them, old enough, and not blocked. */
async function assertMayAddToGroup(ctx: AppContext, adderId: string, userIds: readonly string[]) {
  const prefs = await getMessagingPrefs(ctx, [adderId, ...userIds]);
  if (tooYoung(prefs.get(adderId)?.age ?? null)) throw forbidden('messaging_age_restricted', `Group chats are for people ${DIRECT_MESSAGE_MIN_AGE} and over`);
  for (const id of userIds) {
    const theirs = prefs.get(id);
    if (!theirs || (await isBlockedEitherWay(ctx, adderId, id))) throw userNotFound('memberIds');
    if (!(await areFriends(ctx, adderId, id))) throw forbidden('not_friends', 'memberIds: only friends can be added to a group');
    if (tooYoung(theirs.age)) throw forbidden('messaging_age_restricted', 'memberIds: someone here cannot join group chats');
  }
}

// ---------------------------------------------------------------- conversations

/** Opens a direct conversation (reusing the pair's existing one) or creates a group. */
export async function createConversation(
  ctx: AppContext,
  userId: string,
  body: { memberIds: string[]; title?: string; kind?: 'direct' | 'group' },
): Promise<{ conversation: Conversation; created: boolean }> {
  const others = [...new Set(body.memberIds)].filter((id) => id !== userId);
  if (others.length === 0) throw badInput('memberIds', 'must name someone other than you');
  const kind = body.kind ?? (others.length === 1 && body.title === undefined ? 'direct' : 'group');

  if (kind === 'direct') {
    if (others.length !== 1) throw badInput('memberIds', 'a direct conversation has exactly one other person');
    if (body.title !== undefined) throw badInput('title', 'direct conversations have no title');
    const other = others[0]!;
    const key = repo.directKey(userId, other);
    const existing = await repo.findDirectConversation(ctx.db, key);
    const theirs = existing ? await repo.findMember(ctx.db, existing.id, other) : undefined;
    await assertMayMessage(ctx, userId, other, theirs?.engaged ?? false, 'memberIds');
    if (existing) {
      // The pair's conversation is reused; someone who had left a direct chat cannot, so both rows exist.
      return { conversation: await conversationFor(ctx, userId, existing.id), created: false };
    }
    const friends = await areFriends(ctx, userId, other);
    try {
      const id = await inTransaction(ctx.db, async (tx) => {
        const c = await repo.insertConversation(tx, { kind: 'direct', title: null, direct_key: key, created_by: userId });
        await repo.insertMembers(tx, [
          { conversation_id: c.id, user_id: userId, state: 'active', engaged: true },
          // A first message from someone who is not a friend lands in the recipient's Requests folder.
          { conversation_id: c.id, user_id: other, state: friends ? 'active' : 'request', engaged: false },
        ]);
        if (!friends) await recordEvent(tx, { type: 'message.request', conversationId: String(c.id), senderId: userId, recipientId: other });
        return c.id;
      });
      return { conversation: await conversationFor(ctx, userId, id), created: true };
    } catch (err) {
      // Both opened it at once: the unique direct_key decides, the loser reuses the winner's.
      if ((err as { code?: string }).code === '23505') {
        const winner = await repo.findDirectConversation(ctx.db, key);
        if (winner) return { conversation: await conversationFor(ctx, userId, winner.id), created: false };
      }
      throw err;
    }
  }

  if (others.length + 1 > GROUP_MAX_MEMBERS) throw badInput('memberIds', `a group has at most ${GROUP_MAX_MEMBERS} members`);
  await assertMayAddToGroup(ctx, userId, others);
  const id = await inTransaction(ctx.db, async (tx) => {
    const c = await repo.insertConversation(tx, { kind: 'group', title: body.title ?? null, direct_key: null, created_by: userId });
    await repo.insertMembers(tx, [
      { conversation_id: c.id, user_id: userId, role: 'owner', state: 'active', engaged: true },
      ...others.map((o) => ({ conversation_id: c.id, user_id: o, role: 'member' as const, state: 'active' as const, engaged: true })),
    ]);
    return c.id;
  });
  await announceConversation(ctx, id, others);
  return { conversation: await conversationFor(ctx, userId, id), created: true };
}

/** Sends each listed member their own view of the conversation. */
async function announceConversation(ctx: AppContext, conversationId: string, userIds: readonly string[]) {
  const frames: Array<[string, ServerFrame]> = [];
  for (const uid of userIds) {
    try {
      frames.push([uid, { type: 'conversation.updated', conversation: await conversationFor(ctx, uid, conversationId) }]);
    } catch {
      // They left in the meantime: nothing to tell them.
    }
  }
  publishToUsers(ctx, frames);
}

export async function getConversation(ctx: AppContext, userId: string, id: string) {
  return conversationFor(ctx, userId, id);
}

/** The inbox or the Requests folder, most recent first. Declined requests show in neither. */
export async function listConversations(ctx: AppContext, userId: string, q: { folder: 'inbox' | 'requests' | 'shop'; cursor?: string; limit: number }) {
  const scope = { list: `conversations:${q.folder}`, viewer: userId };
  const cursor = decodeCursor(scope, q.cursor, 2);
  const rows = await repo.listConversationsFor(ctx.db, userId, {
    states: q.folder === 'requests' ? ['request'] : ['active'],
    shopSide: q.folder === 'shop' ? 'only' : q.folder === 'inbox' ? 'exclude' : undefined,
    limit: q.limit,
    after: cursor ? { at: String(cursor[0]), id: String(cursor[1]) } : null,
  });
  const more = rows.length > q.limit;
  const kept = more ? rows.slice(0, q.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: await toConversations(ctx, userId, kept),
    nextCursor: more && last ? encodeCursor(scope, [new Date(last.activity_at).toISOString(), String(last.id)]) : null,
  };
}

/** Accepting a request moves it to the inbox and lets the sender see read receipts. */
export async function acceptRequest(ctx: AppContext, userId: string, id: string) {
  const { conversation, member } = await requireMember(ctx, userId, id);
  if (member.state !== 'active' || !member.engaged) {
    await repo.updateMember(ctx.db, id, userId, { state: 'active', engaged: true });
    conversationMembersChanged(ctx, [id]);
  }
  await announceToMembers(ctx, conversation.id);
  return conversationFor(ctx, userId, id);
}

/** Declining hides the request from both folders; the sender is not told. */
export async function declineRequest(ctx: AppContext, userId: string, id: string) {
  const { member } = await requireMember(ctx, userId, id);
  if (member.state === 'active') throw new AppError('not_a_request', 409, 'This conversation is not a message request');
  await repo.updateMember(ctx.db, id, userId, { state: 'declined' });
  conversationMembersChanged(ctx, [id]);
  return conversationFor(ctx, userId, id);
}

async function announceToMembers(ctx: AppContext, conversationId: string) {
  const members = await repo.listMembers(ctx.db, [conversationId]);
  await announceConversation(
    ctx,
    conversationId,
    members.filter((m) => m.state !== 'declined').map((m) => String(m.user_id)),
  );
}

export async function addMembers(ctx: AppContext, userId: string, id: string, userIds: string[]) {
  const { conversation, member } = await requireMember(ctx, userId, id);
  if (conversation.kind !== 'group') throw new AppError('not_a_group', 409, 'Only group conversations have members to add');
  if (member.role !== 'owner') throw forbidden('not_group_owner', 'Only the group owner can add members');
  const current = new Set((await repo.listMembers(ctx.db, [id])).map((m) => String(m.user_id)));
  const fresh = [...new Set(userIds)].filter((u) => !current.has(u));
  if (current.size + fresh.length > GROUP_MAX_MEMBERS) throw new AppError('group_full', 409, `userIds: a group has at most ${GROUP_MAX_MEMBERS} members`, { field: 'userIds' });
  await assertMayAddToGroup(ctx, userId, fresh);
  await repo.insertMembers(
    ctx.db,
    fresh.map((u) => ({ conversation_id: id, user_id: u, role: 'member' as const, state: 'active' as const, engaged: true })),
  );
  conversationMembersChanged(ctx, [id]);
  await announceToMembers(ctx, id);
  return conversationFor(ctx, userId, id);
}

/** The owner removes someone, or a member leaves (target = themselves). An owner who leaves hands the group on. */
export async function removeMember(ctx: AppContext, userId: string, id: string, targetId: string) {
  const { conversation, member } = await requireMember(ctx, userId, id);
  if (conversation.kind !== 'group') throw new AppError('not_a_group', 409, 'You cannot leave or remove people from a direct conversation');
  const leaving = targetId === userId;
  if (!leaving && member.role !== 'owner') throw forbidden('not_group_owner', 'Only the group owner can remove members');
  const target = await repo.findMember(ctx.db, id, targetId);
  if (!target) throw userNotFound('userId');
  await inTransaction(ctx.db, async (tx) => {
    await repo.deleteMember(tx, id, targetId);
    if (target.role === 'owner') {
      const [heir] = await repo.listMembers(tx, [id]);
      if (heir) await repo.updateMember(tx, id, String(heir.user_id), { role: 'owner' });
    }
  });
  conversationMembersChanged(ctx, [id]);
  publishToUsers(ctx, [[targetId, { type: 'conversation.removed', conversationId: id }]]);
  await announceToMembers(ctx, id);
  return leaving ? null : conversationFor(ctx, userId, id);
}

// ---------------------------------------------------------------- messages

export interface SendResult {
  message: Message;
  /** False when this clientMsgId had already made the message (a retry). */
  created: boolean;
}

interface PendingSend {
  senderId: string;
  conversationId: string;
  body: SendMessageBody;
  onCommitted?: (r: SendResult) => void;
}

/** Sends waiting for the current write on this node go to the database together (group commit). */
const MAX_SENDS_PER_WRITE = 500;
const sendLanes = new WeakMap<AppContext, Array<Batcher<PendingSend, WrittenSends, SendResult>>>();

/**
 * Persists a message with the conversation's next seq, commits, then publishes it to every
 * member. `onCommitted` runs after the commit and before the publish (the gateway acks there),
 * so a client hears its ack before its own message echo.
 *
 * Sends are written in batches (`writeSends`, then `finishSends`): whatever arrives while one
 * batch is being written goes in the next, in arrival order, so a connection's messages keep
 * their order and a busy node commits hundreds of messages per round trip instead of one.
 * On PostgreSQL, MESSAGE_WRITE_LANES batches are written at once, each lane for its own share of
 * the conversations (by id), so one conversation's messages always take the same lane and stay
 * in order; messages to different conversations may be acked out of order.
 */
export function sendMessage(
  ctx: AppContext,
  senderId: string,
  conversationId: string,
  body: SendMessageBody,
  onCommitted?: (r: SendResult) => void,
): Promise<SendResult> {
  let lanes = sendLanes.get(ctx);
  if (!lanes) {
    // PGlite runs one statement at a time: more lanes would only make smaller batches.
    const count = ctx.dbEngine === 'postgres' ? ctx.config.messageWriteLanes : 1;
    lanes = Array.from(
      { length: count },
      () =>
        new Batcher<PendingSend, WrittenSends, SendResult>(
          (items) => writeSends(ctx, items),
          (written, items) => finishSends(ctx, written, items),
          MAX_SENDS_PER_WRITE,
        ),
    );
    sendLanes.set(ctx, lanes);
  }
  // Conversation ids are decimal: their last digits spread them evenly.
  const lane = lanes.length === 1 ? lanes[0]! : lanes[Number(conversationId.slice(-6)) % lanes.length]!;
  return lane.add({ senderId, conversationId, body, onCommitted });
}

interface WrittenSends {
  found: Map<string, CachedConversation>;
  /** An item's refusal, once a rule refused it. */
  results: Array<SendResult | Error | undefined>;
  /** The row each written item made (a retry's: the row it made before). */
  rows: Map<number, repo.MessageRow>;
  /** Items answered with an existing message: a retried clientMsgId (`source` = the item itself) or a repeat within the batch. */
  replays: Map<number, number>;
}

/**
 * A batch's checks, then its write. Every rule of a single send applies to each item, and an
 * item that breaks one fails alone. The checks read nothing for conversations in the send-rules
 * cache; the rest are read with a fixed number of queries for the whole batch.
 */
async function writeSends(ctx: AppContext, items: readonly PendingSend[]): Promise<WrittenSends> {
  const results = new Array<SendResult | Error | undefined>(items.length);
  const cache = sendRulesCache(ctx);
  const since = cache.now;
  const found = cache.cached(items.map((i) => i.conversationId));
  // A reply to a seq beyond what this node has seen written may be to a newer message: re-read.
  const stale = new Set(items.filter((i) => (i.body.replyToSeq ?? 0) > Number(found.get(i.conversationId)?.conversation.last_seq ?? 0)).map((i) => i.conversationId));
  const toLoad = [...new Set(items.map((i) => i.conversationId))].filter((id) => !found.has(id) || stale.has(id));
  for (const [id, entry] of await cache.load(toLoad, since, (ids) => repo.findConversationsWithMembers(ctx.db, ids))) found.set(id, entry);

  // Membership, replies and the one-to-one rules.
  const direct: Array<{ n: number; entry: CachedConversation; check: DirectMessageCheck }> = [];
  for (const [n, item] of items.entries()) {
    const entry = found.get(item.conversationId);
    if (!entry?.members.some((m) => String(m.user_id) === item.senderId)) {
      results[n] = conversationNotFound();
      continue;
    }
    if (item.body.replyToSeq !== undefined && item.body.replyToSeq > Number(entry.conversation.last_seq)) {
      results[n] = badInput('replyToSeq', 'is not a message in this conversation');
      continue;
    }
    if (entry.conversation.kind !== 'direct' || entry.cleared.has(item.senderId)) continue;
    const other = entry.members.find((m) => String(m.user_id) !== item.senderId);
    if (other) direct.push({ n, entry, check: { senderId: item.senderId, recipientId: String(other.user_id), recipientEngaged: other.engaged } });
  }
  const refusals = await directMessageRefusals(
    ctx,
    direct.map((d) => d.check),
    'conversationId',
  );
  for (const [k, refusal] of refusals.entries()) {
    const d = direct[k]!;
    if (refusal) results[d.n] = refusal;
    else cache.markCleared(d.entry, d.check.senderId, since);
  }

  // Share cards and pasted Loop links (rare: checked one by one, together).
  const bodies = items.map((i) => i.body);
  const withShares = items.flatMap((item, n) => (!results[n] && (item.body.share || (item.body.text && detectShareLink(ctx, item.body.text))) ? [n] : []));
  await Promise.all(
    withShares.map(async (n) => {
      const item = items[n]!;
      try {
        if (item.body.share) await assertShareVisible(ctx, item.senderId, item.body.share);
        else bodies[n] = await withLinkedShare(ctx, item.senderId, item.body);
      } catch (err) {
        results[n] = err as Error;
      }
    }),
  );

  // The same clientMsgId twice in one batch: the later copy answers with the earlier's message.
  const firstOf = new Map<string, number>();
  const replays = new Map<number, number>();
  for (const [n, item] of items.entries()) {
    if (results[n]) continue;
    const key = `${item.senderId}:${item.body.clientMsgId}`;
    const first = firstOf.get(key);
    if (first === undefined) firstOf.set(key, n);
    else replays.set(n, first);
  }

  let toWrite = [...firstOf.values()];
  const rows = new Map<number, repo.MessageRow>();
  for (let attempt = 0; toWrite.length > 0; attempt++) {
    try {
      const written = await repo.insertMessagesWithNextSeqs(
        ctx.db,
        toWrite.map((n) => newMessageRow(items[n]!, bodies[n]!)),
      );
      for (const [k, n] of toWrite.entries()) rows.set(n, written[k]!);
      break;
    } catch (err) {
      // A retry of a clientMsgId that already made a message (or two nodes racing with it):
      // those answer with the message they made; the rest are written again.
      if ((err as { code?: string }).code !== '23505' || attempt >= 2) throw err;
      const existing = await repo.findMessagesByClientIds(
        ctx.db,
        toWrite.map((n) => ({ senderId: items[n]!.senderId, clientMsgId: items[n]!.body.clientMsgId })),
      );
      const byKey = new Map(existing.map((r) => [`${r.sender_id}:${r.client_msg_id}`, r]));
      toWrite = toWrite.filter((n) => {
        const row = byKey.get(`${items[n]!.senderId}:${items[n]!.body.clientMsgId}`);
        if (!row) return true;
        rows.set(n, row);
        replays.set(n, n);
        return false;
      });
    }
  }

  // Members whose state the write changed: every node reloads those conversations.
  const joined = new Set<string>();
  for (const [n, row] of rows) {
    if (replays.has(n)) continue;
    const { conversationId, senderId } = items[n]!;
    cache.noteSeq(conversationId, Number(row.seq));
    if (joinsBySending(found.get(conversationId)!.members, senderId)) joined.add(conversationId);
  }
  if (joined.size) conversationMembersChanged(ctx, [...joined]);
  return { found, results, rows, replays };
}

/** Acks and publishes a written batch one item at a time, in arrival order (so each conversation's frames go out in seq order). */
async function finishSends(ctx: AppContext, written: WrittenSends, items: readonly PendingSend[]): Promise<Array<SendResult | Error>> {
  const { found, results, rows, replays } = written;
  for (const [n, pending] of items.entries()) {
    if (results[n]) continue;
    const source = replays.get(n);
    const row = rows.get(source ?? n)!;
    const members = found.get(pending.conversationId)!.members;
    try {
      if (source !== undefined) {
        results[n] = await replay(ctx, pending.senderId, pending.conversationId, row, members, pending.onCommitted);
        continue;
      }
      // A new message has no reactions yet: its view needs no further reads unless it shares something.
      const plain = !row.share_type;
      const message = plain ? messageView(row, null, []) : (await toMessages(ctx, pending.senderId, [row], { fresh: true }))[0]!;
      const result = { message, created: true };
      results[n] = result;
      pending.onCommitted?.(result);
      if (plain) publishPlain(ctx, 'message', row, members, message);
      else await publishMessage(ctx, 'message', row, members);
      const member = members.find((m) => String(m.user_id) === pending.senderId);
      if (member && member.state !== 'active') await announceToMembers(ctx, pending.conversationId);
    } catch (err) {
      results[n] ??= err as Error;
    }
  }
  return results as Array<SendResult | Error>;
}

function newMessageRow(item: PendingSend, body: SendMessageBody): repo.NewMessage {
  return {
    conversation_id: item.conversationId,
    sender_id: item.senderId,
    client_msg_id: body.clientMsgId,
    text: body.text ?? null,
    reply_to_seq: body.replyToSeq === undefined ? null : String(body.replyToSeq),
    share_type: body.share?.type ?? null,
    share_id: body.share?.id ?? null,
  };
}


async function replay(
  ctx: AppContext,
  senderId: string,
  conversationId: string,
  row: repo.MessageRow,
  members: repo.MemberRow[],
  onCommitted?: (r: SendResult) => void,
): Promise<SendResult> {
  if (String(row.conversation_id) !== conversationId) {
    throw new AppError('client_msg_id_reused', 409, 'clientMsgId: was already used for a message in another conversation', { field: 'clientMsgId' });
  }
  const [message] = await toMessages(ctx, senderId, [row]);
  const result = { message: message!, created: false };
  onCommitted?.(result);
  // The first attempt may have died between commit and publish; gateways drop seqs a connection already has.
  await publishMessage(ctx, 'message', row, members);
  return result;
}

/**
 * A Loop link pasted into a message (PUBLIC_URL/v/:id) becomes a card, detected here on the
 * server so every client gets it. A link to something the sender may not see stays plain text.
 */
async function withLinkedShare(ctx: AppContext, senderId: string, body: SendMessageBody): Promise<SendMessageBody> {
  const share = detectShareLink(ctx, body.text!);
  if (!share || !hasShareResolver(ctx, share.type)) return body;
  const view = (await resolveShares(ctx, senderId, [share])).get(`${share.type}:${share.id}`);
  return view?.status === 'available' ? { ...body, share } : body;
}

/** A share must name something the sender may see, of a kind some module provides cards for. */
async function assertShareVisible(ctx: AppContext, viewerId: string, share: { type: ShareType; id: string }) {
  if (!hasShareResolver(ctx, share.type)) throw unsharableKind(share.type);
  const view = (await resolveShares(ctx, viewerId, [share])).get(`${share.type}:${share.id}`);
  if (view?.status !== 'available') throw new AppError('share_not_found', 404, 'share: no such thing to share', { field: 'share' });
}

/** Who hears of a message: every member who has not declined, and always its sender. */
function audienceOf(senderId: string, members: readonly repo.MemberRow[]): string[] {
  return members.filter((m) => m.state !== 'declined' || String(m.user_id) === senderId).map((m) => String(m.user_id));
}

/**
 * The insert makes each sender an active, engaged member of where they wrote (their read mark
 * moves, a request they reply to is accepted): true when the sender was not one yet, so the
 * members' states change with this message.
 */
function joinsBySending(members: readonly repo.MemberRow[], senderId: string): boolean {
  const mine = members.find((m) => String(m.user_id) === senderId);
  return mine !== undefined && (mine.state !== 'active' || !mine.engaged);
}

/**
 * Fans a message (or its update) out to its audience, each with their own view of its share card.
 * The reactions are read once and every viewer's card comes from one resolution for all of them
 * (`resolveSharesForViewers`), not one per member: a poll's vote pushes the card to everyone.
 * Returns the message as each member of the audience was sent it.
 */
async function publishMessage(ctx: AppContext, type: 'message' | 'message.updated', row: repo.MessageRow, members: repo.MemberRow[]): Promise<Map<string, Message>> {
  const audience = audienceOf(String(row.sender_id), members);
  if (!row.share_type || !row.share_id) {
    const message = (await toMessages(ctx, String(row.sender_id), [row]))[0]!;
    publishPlain(ctx, type, row, members, message);
    return new Map(audience.map((uid) => [uid, message]));
  }
  const [reactions, cards] = await Promise.all([reactionsOf(ctx, [row]), resolveSharesForViewers(ctx, audience, [{ type: row.share_type as ShareType, id: row.share_id }])]);
  // Viewers who see the same card share one message object, so the gateways serialise it once.
  const built = new Map<ShareView | null, Message>();
  const sent = new Map<string, Message>();
  for (const uid of audience) {
    const share = shareOf(row, cards.get(uid)!);
    let message = built.get(share);
    if (!message) {
      message = messageView(row, share, reactions.get(String(row.id)) ?? []);
      built.set(share, message);
    }
    sent.set(uid, message);
  }
  publishToUsers(
    ctx,
    [...sent].map(([uid, message]): [string, ServerFrame] => [uid, { type, message }]),
  );
  return sent;
}

/** A message without a share card looks the same to everyone: one frame object, which the gateways serialise once. */
function publishPlain(ctx: AppContext, type: 'message' | 'message.updated', row: repo.MessageRow, members: readonly repo.MemberRow[], message: Message) {
  const frame: ServerFrame = { type, message };
  publishToUsers(
    ctx,
    audienceOf(String(row.sender_id), members).map((uid) => [uid, frame]),
  );
}

async function requireMessage(ctx: AppContext, userId: string, conversationId: string, seq: number) {
  const { conversation, member } = await requireMember(ctx, userId, conversationId);
  const row = await repo.findMessageBySeq(ctx.db, conversationId, seq);
  if (!row) throw messageNotFound();
  return { conversation, member, row };
}

export async function editMessage(ctx: AppContext, userId: string, conversationId: string, seq: number, text: string) {
  const { row } = await requireMessage(ctx, userId, conversationId, seq);
  if (String(row.sender_id) !== userId) throw forbidden('not_message_sender', 'Only the sender can edit a message');
  if (row.deleted_at) throw new AppError('message_deleted', 409, 'This message was unsent');
  if (row.text === null) throw new AppError('not_editable', 409, 'Only text messages can be edited');
  if (Date.now() - new Date(row.created_at).getTime() > EDIT_WINDOW_MS) throw new AppError('edit_window_closed', 409, 'Messages can be edited for 15 minutes');
  const updated = await repo.editMessageText(ctx.db, row.id, text);
  return publishUpdate(ctx, userId, updated);
}

export async function unsendMessage(ctx: AppContext, userId: string, conversationId: string, seq: number) {
  const { row } = await requireMessage(ctx, userId, conversationId, seq);
  if (String(row.sender_id) !== userId) throw forbidden('not_message_sender', 'Only the sender can unsend a message');
  if (row.deleted_at) return (await toMessages(ctx, userId, [row]))[0]!;
  const updated = await repo.unsendMessage(ctx.db, row.id);
  return publishUpdate(ctx, userId, updated);
}

export async function setReaction(ctx: AppContext, userId: string, conversationId: string, seq: number, emoji: string, on: boolean) {
  const { row } = await requireMessage(ctx, userId, conversationId, seq);
  if (row.deleted_at) throw new AppError('message_deleted', 409, 'This message was unsent');
  if (on) {
    if ((await repo.countUserReactions(ctx.db, row.id, userId)) >= MAX_REACTIONS_PER_USER) {
      throw new AppError('too_many_reactions', 409, `At most ${MAX_REACTIONS_PER_USER} reactions per message`);
    }
    await repo.addReaction(ctx.db, row.id, userId, emoji);
  } else {
    await repo.removeReaction(ctx.db, row.id, userId, emoji);
  }
  return publishUpdate(ctx, userId, row);
}

async function publishUpdate(ctx: AppContext, viewerId: string, row: repo.MessageRow): Promise<Message> {
  const members = await repo.listMembers(ctx.db, [String(row.conversation_id)]);
  await publishMessage(ctx, 'message.updated', row, members);
  return (await toMessages(ctx, viewerId, [row]))[0]!;
}

/** History in seq order: the latest page, the page before `beforeSeq`, or the page after `afterSeq`. */
export async function listHistory(
  ctx: AppContext,
  userId: string,
  conversationId: string,
  q: { beforeSeq?: number; afterSeq?: number; cursor?: string; limit: number },
) {
  await requireMember(ctx, userId, conversationId);
  let { beforeSeq, afterSeq } = q;
  const scope = { list: `messages:${conversationId}`, viewer: userId };
  const cursor = decodeCursor(scope, q.cursor, 2);
  if (cursor) {
    const [dir, seq] = cursor;
    if (dir === 'b') beforeSeq = Number(seq);
    else afterSeq = Number(seq);
  }
  const forward = afterSeq !== undefined;
  const rows = await repo.listMessages(ctx.db, conversationId, { beforeSeq, afterSeq, limit: q.limit });
  const more = rows.length > q.limit;
  const kept = more ? rows.slice(0, q.limit) : rows;
  if (!forward) kept.reverse();
  const edge = forward ? kept[kept.length - 1] : kept[0];
  return {
    items: await toMessages(ctx, userId, kept),
    nextCursor: more && edge ? encodeCursor(scope, [forward ? 'a' : 'b', Number(edge.seq)]) : null,
  };
}

/** The gateway's catch-up read: messages after `afterSeq`, oldest first. Non-members get nothing. */
export async function messagesAfter(ctx: AppContext, userId: string, conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
  if (!(await isMember(ctx, userId, conversationId))) return [];
  const rows = await repo.listMessages(ctx.db, conversationId, { afterSeq, limit });
  return toMessages(ctx, userId, rows.slice(0, limit));
}

/** conversationId → last seq for every conversation the user belongs to and has not declined. */
export async function conversationSeqs(ctx: AppContext, userId: string): Promise<Map<string, number>> {
  const rows = await repo.conversationSeqsFor(ctx.db, userId);
  return new Map(rows.filter((r) => r.state !== 'declined').map((r) => [String(r.id), Number(r.last_seq)]));
}

/**
 * Full-text search inside one conversation, newest first. Each page looks through a bounded
 * window of messages (repo.SEARCH_WINDOW): a page may hold fewer than `limit` matches, or none,
 * and still have a `nextCursor` to look further back; `nextCursor` is null once the start of
 * the conversation has been searched.
 */
export async function searchConversation(ctx: AppContext, userId: string, conversationId: string, q: { q: string; cursor?: string; limit: number }) {
  const { conversation } = await requireMember(ctx, userId, conversationId);
  const scope = { list: `message-search:${conversationId}`, viewer: userId };
  const cursor = decodeCursor(scope, q.cursor, 1);
  const beforeSeq = cursor ? Number(cursor[0]) : Number(conversation.last_seq) + 1;
  if (!Number.isSafeInteger(beforeSeq) || beforeSeq < 1) throw new AppError('invalid_cursor', 400, 'cursor: is not a cursor this list gave out', { field: 'cursor' });
  const rows = await repo.searchMessages(ctx.db, conversationId, q.q, { beforeSeq, limit: q.limit });
  const more = rows.length > q.limit;
  const kept = more ? rows.slice(0, q.limit) : rows;
  const last = kept[kept.length - 1];
  const windowStart = beforeSeq - repo.SEARCH_WINDOW;
  let next: number | null = null;
  if (more && last) next = Number(last.seq);
  else if (windowStart > 1) next = windowStart;
  return { items: await toMessages(ctx, userId, kept), nextCursor: next === null ? null : encodeCursor(scope, [next]) };
}

/**
 * Moves the caller's read mark and tells the others. While the caller has not accepted a
 * request, only their own devices hear it: the sender gets no read receipts until then.
 */
export async function markRead(ctx: AppContext, userId: string, conversationId: string, seq: number) {
  const { member } = await requireMember(ctx, userId, conversationId);
  const moved = await repo.advanceReadSeq(ctx.db, conversationId, userId, seq);
  const readSeq = moved ?? Number((await repo.findMember(ctx.db, conversationId, userId))?.read_seq ?? member.read_seq);
  if (moved !== null) {
    const frame: ServerFrame = { type: 'read', conversationId, userId, seq: moved };
    const audience =
      member.state === 'active'
        ? (await repo.listMembers(ctx.db, [conversationId])).filter((m) => m.state !== 'declined').map((m) => String(m.user_id))
        : [userId];
    publishToUsers(
      ctx,
      audience.map((u) => [u, frame]),
    );
  }
  return { conversationId, seq: readSeq };
}

/** Typing indicators cost no database writes: a frame to the other members that expires on its own. */
export async function sendTyping(ctx: AppContext, userId: string, conversationId: string) {
  const { member } = await requireMember(ctx, userId, conversationId);
  const members = await repo.listMembers(ctx.db, [conversationId]);
  // Someone who has not accepted a request does not reveal that they are typing.
  if (member.state !== 'active') return;
  const frame: ServerFrame = { type: 'typing', conversationId, userId, expiresInMs: TYPING_TTL_MS };
  publishToUsers(
    ctx,
    members.filter((m) => String(m.user_id) !== userId && m.state !== 'declined').map((m) => [String(m.user_id), frame]),
  );
}

// ---------------------------------------------------------------- several conversations at once

/**
 * Sends one message to each of several conversations as ONE transaction (the sharing module's
 * "send to several people" action). Every rule of `sendMessage` applies to each conversation
 * (membership, blocks, "who may message me", age, share visibility); either every message
 * commits, together with whatever `within` writes in the same transaction, or none does.
 * Then each is published like any message. Returns the sender's view, in the order given.
 *
 * Built for fan-out: a fixed number of round trips however many conversations — the
 * conversations in one read, the rules in one read per kind of fact, every viewer's share cards
 * in one resolution, every message in one statement — and nothing read back after commit.
 */
export async function sendMessagesTogether(
  ctx: AppContext,
  senderId: string,
  items: ReadonlyArray<{ conversationId: string; body: SendMessageBody }>,
  within?: (tx: Tx, rows: ReadonlyArray<{ conversationId: string; messageId: string }>) => Promise<void>,
): Promise<Message[]> {
  const found = await repo.findConversationsWithMembers(
    ctx.db,
    items.map((i) => i.conversationId),
  );
  const shares = new Map<string, { type: ShareType; id: string }>();
  const direct: Array<{ id: string; engaged: boolean }> = [];
  // Who gets each message live: every member who has not declined, and the sender's own devices.
  const audiences: string[][] = [];
  for (const item of items) {
    const f = found.get(item.conversationId);
    if (!f?.members.some((m) => String(m.user_id) === senderId)) throw conversationNotFound();
    if (item.body.replyToSeq !== undefined) throw badInput('replyToSeq', 'cannot reply when sending to several conversations');
    if (f.conversation.kind === 'direct') {
      const other = f.members.find((m) => String(m.user_id) !== senderId);
      if (other) direct.push({ id: String(other.user_id), engaged: other.engaged });
    }
    if (item.body.share) shares.set(`${item.body.share.type}:${item.body.share.id}`, item.body.share);
    audiences.push(audienceOf(senderId, f.members));
  }
  // The rules and everyone's view of the shared things are independent reads: run them together.
  const [, cards] = await Promise.all([
    directMessageRefusals(
      ctx,
      direct.map((d) => ({ senderId, recipientId: d.id, recipientEngaged: d.engaged })),
      'conversationIds',
    ).then((refusals) => {
      const refusal = refusals.find((r) => r !== null);
      if (refusal) throw refusal;
    }),
    resolveSharesForViewers(ctx, [senderId, ...audiences.flat()], [...shares.values()]),
  ]);
  const senderCards = cards.get(senderId)!;
  for (const [key, share] of shares) {
    if (!hasShareResolver(ctx, share.type)) throw unsharableKind(share.type);
    if (senderCards.get(key)?.status !== 'available') {
      throw new AppError('share_not_found', 404, 'share: no such thing to share', { field: 'share' });
    }
  }
  const rows = await inTransaction(ctx.db, async (tx) => {
    const made = await repo.insertMessagesWithNextSeqs(
      tx,
      items.map(({ conversationId, body }) => ({
        conversation_id: conversationId,
        sender_id: senderId,
        reply_to_seq: null,
        client_msg_id: body.clientMsgId,
        text: body.text ?? null,
        share_type: body.share?.type ?? null,
        share_id: body.share?.id ?? null,
      })),
    );
    await within?.(
      tx,
      made.map((r) => ({ conversationId: String(r.conversation_id), messageId: String(r.id) })),
    );
    return made;
  });
  // Each viewer's view of each new message, built from what is in hand. Viewers who see the
  // same card share one message object, so the gateway serialises it once for all of them.
  const built = rows.map(() => new Map<ShareView | null, Message>());
  const viewOf = (n: number, viewerId: string) => {
    const row = rows[n]!;
    const share = shareOf(row, cards.get(viewerId)!);
    let message = built[n]!.get(share);
    if (!message) {
      message = messageView(row, share, []);
      built[n]!.set(share, message);
    }
    return message;
  };
  // Frames go out per recipient, all of one recipient's messages together.
  const byRecipient = new Map<string, number[]>();
  for (const [n, audience] of audiences.entries()) {
    for (const uid of audience) {
      const list = byRecipient.get(uid) ?? [];
      list.push(n);
      byRecipient.set(uid, list);
    }
  }
  const frames: Array<[string, ServerFrame]> = [];
  for (const [uid, theirs] of byRecipient) for (const n of theirs) frames.push([uid, { type: 'message', message: viewOf(n, uid) }]);
  publishToUsers(ctx, frames);
  const joined = items.filter((item) => joinsBySending(found.get(item.conversationId)!.members, senderId));
  if (joined.length) conversationMembersChanged(ctx, joined.map((i) => i.conversationId));
  await Promise.all(
    items.map(async (item) => {
      const mine = found.get(item.conversationId)!.members.find((m) => String(m.user_id) === senderId);
      if (mine && mine.state !== 'active') await announceToMembers(ctx, item.conversationId);
    }),
  );
  return rows.map((_, n) => viewOf(n, senderId));
}

/** Messages by id as `viewerId` sees them, only from conversations they belong to (a retried share's answer). */
export async function messagesById(ctx: AppContext, viewerId: string, ids: readonly string[]): Promise<Message[]> {
  const rows = await repo.findMessagesByIds(ctx.db, ids);
  const mine = new Set((await repo.conversationSeqsFor(ctx.db, viewerId)).map((r) => String(r.id)));
  const byId = new Map(rows.filter((r) => mine.has(String(r.conversation_id))).map((r) => [String(r.id), r]));
  return toMessages(
    ctx,
    viewerId,
    ids.flatMap((id) => byId.get(id) ?? []),
  );
}

/** conversationId → how much `userId` has chatted there lately (decayed; see repo.sentActivity). */
export async function recentChatActivity(ctx: AppContext, userId: string, opts: { days: number; halfLifeDays: number }) {
  const rows = await repo.sentActivity(ctx.db, userId, opts.days, opts.halfLifeDays);
  return new Map(rows.map((r) => [String(r.conversation_id), { score: Number(r.score), lastAt: new Date(r.last_at) }]));
}

/** Member ids of each conversation (declined ones left out), or 404 if the caller is not in one of them. */
export async function memberIdsOf(ctx: AppContext, userId: string, conversationIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = conversationIds.length ? await repo.listMembers(ctx.db, conversationIds) : [];
  const out = new Map<string, string[]>();
  for (const id of conversationIds) {
    const members = rows.filter((m) => String(m.conversation_id) === id);
    if (!members.some((m) => String(m.user_id) === userId)) throw conversationNotFound();
    out.set(
      id,
      members.filter((m) => m.state !== 'declined').map((m) => String(m.user_id)),
    );
  }
  return out;
}

/**
 * Member ids of each conversation (declined ones left out), whoever asks: for a module deciding
 * who may see what it attached to a conversation (a shop's poll card).
 */
export async function conversationMemberIds(ctx: AppContext, conversationIds: readonly string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>(conversationIds.map((id) => [id, new Set()]));
  if (!conversationIds.length) return out;
  for (const m of await repo.listMembers(ctx.db, conversationIds)) if (m.state !== 'declined') out.get(String(m.conversation_id))?.add(String(m.user_id));
  return out;
}

/**
 * Pushes a message again as `message.updated` to its conversation, each member with their own
 * view of its card: for a card whose content changed (a poll's votes). Returns the message as each
 * member was sent it (member id → message; empty when there is no such message), so the caller
 * need not build its own view again.
 */
export async function republishMessage(ctx: AppContext, messageId: string): Promise<Map<string, Message>> {
  const [row] = await repo.findMessagesByIds(ctx.db, [messageId]);
  if (!row) return new Map();
  return publishMessage(ctx, 'message.updated', row, await repo.listMembers(ctx.db, [String(row.conversation_id)]));
}

/** The caller's inbox conversations, most recent first, as API views (the share sheet's recipients). */
export async function recentConversations(ctx: AppContext, userId: string, limit: number) {
  return (await listConversations(ctx, userId, { folder: 'inbox', limit })).items;
}

// ---------------------------------------------------------------- shop conversations

/**
 * Creates a conversation of kind `shop` between a buyer and a shop's owner inside the caller's
 * transaction (the shop module records which shop and buyer it belongs to in the same one). Both
 * are active members at once: a buyer may always write to a shop and the shop answer, whatever
 * their DM settings; the owner's side has the role `owner`, which files it in their `shop` folder.
 */
export async function insertShopConversation(tx: Tx, buyerId: string, ownerId: string, title: string): Promise<string> {
  const c = await repo.insertConversation(tx, { kind: 'shop', title, direct_key: null, created_by: buyerId });
  await repo.insertMembers(tx, [
    { conversation_id: c.id, user_id: buyerId, role: 'member', state: 'active', engaged: true },
    { conversation_id: c.id, user_id: ownerId, role: 'owner', state: 'active', engaged: true },
  ]);
  return String(c.id);
}

/** The conversation as `viewerId` sees it (they must be a member). */
export const conversationView = (ctx: AppContext, viewerId: string, id: string) => conversationFor(ctx, viewerId, id);
