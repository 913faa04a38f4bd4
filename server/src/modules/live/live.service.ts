import { createHash, randomBytes } from 'node:crypto';
import type { Live, LiveChatMessage, PatchLiveBody } from '@loop/contracts';
import { LIVE_RECENT_CHAT } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { recordEvent } from '../../platform/events/events.ts';
import { audienceOf } from '../graph/index.ts';
import { getUserViews } from '../accounts/index.ts';
import { getProduct } from '../shop/index.ts';
import { liveRooms } from './live-rooms.ts';
import { chatView, toChatViews, toLiveView, toLiveViews } from './live.presenter.ts';
import { loadHostedLive, loadModeratedLive, loadVisibleLive, roleIn, visibleAmong } from './live.policy.ts';
import * as repo from './live.repo.ts';

/** Lives: creating, settings, roles, bans and chat (API.md "Live streams and chats inside them"; docs/live.md). */

/** The pub/sub channel the ingest listens on: "stop the stream of this live" (it may run on another node). */
export const INGEST_CONTROL_CHANNEL = 'live-ingest';

export const hashStreamKey = (key: string) => createHash('sha256').update(key).digest();

/** Where an encoder sends the stream: the RTMP app `live` on this site's host (OBS: "Server"; the key goes in "Stream Key"). */
export function rtmpUrlOf(ctx: AppContext): string {
  const host = new URL(ctx.config.publicUrl).hostname;
  return `rtmp://${host}:${ctx.config.live.rtmpPort || 1935}/live`;
}

export async function createLive(ctx: AppContext, hostId: string, body: { title: string; visibility?: Live['visibility'] }) {
  const streamKey = `lk_${randomBytes(24).toString('base64url')}`;
  const row = await repo.insertLive(ctx.db, { host_id: hostId, title: body.title.trim(), visibility: body.visibility ?? 'public', stream_key_hash: hashStreamKey(streamKey) });
  return { live: await toLiveView(ctx, hostId, row), ingest: { rtmpUrl: rtmpUrlOf(ctx), streamKey } };
}

export async function getLive(ctx: AppContext, viewerId: string | null, id: string) {
  const row = await loadVisibleLive(ctx, viewerId, id);
  return { live: await toLiveView(ctx, viewerId, row) };
}

export async function updateLive(ctx: AppContext, userId: string, id: string, patch: PatchLiveBody) {
  const { live } = await loadModeratedLive(ctx, userId, id);
  const set: repo.LiveSettingsPatch = {};
  if (patch.slowModeSec !== undefined) set.slow_mode_sec = patch.slowModeSec;
  if (patch.followersOnly !== undefined) set.followers_only = patch.followersOnly;
  if (patch.pinned === null) {
    set.pinned_type = null;
    set.pinned_id = null;
  } else if (patch.pinned) {
    if (patch.pinned.type === 'message') {
      const m = await repo.findChat(ctx.db, id, patch.pinned.id);
      if (!m || m.deleted_at) throw notFound('live_chat_message');
    } else {
      // Throws product_not_found for a product that does not exist (through the shop module's index).
      const { product } = await getProduct(ctx, userId, patch.pinned.id);
      // The live sells what its host sells: a moderator cannot pin someone else's product over the host's stream.
      if (product.shop.ownerId !== String(live.host_id)) throw new AppError('not_host_product', 403, 'pinned: only a product from one of the host’s shops can be pinned', { field: 'pinned' });
    }
    set.pinned_type = patch.pinned.type;
    set.pinned_id = patch.pinned.id;
  }
  const row = Object.keys(set).length ? await repo.updateLiveSettings(ctx.db, id, set) : live;
  if (!row) throw notFound('live');
  if (Object.keys(set).length && row.status !== 'ended') await liveRooms(ctx).publishState(id);
  return { live: await toLiveView(ctx, userId, row) };
}

/** POST /lives/:id/end (host): ends it now; the node running its stream stops it and keeps the recording as a replay. */
export async function endLiveByHost(ctx: AppContext, userId: string, id: string) {
  await loadHostedLive(ctx, userId, id);
  await finishLive(ctx, id);
  const row = await repo.findLive(ctx.db, id);
  return { live: await toLiveView(ctx, userId, row!) };
}

/** Ends a live once (whoever asks: its host, its stream stopping, the sweep); tells the room and the ingest. `onlyIf`: end it only from that status. */
export async function finishLive(ctx: AppContext, id: string, onlyIf?: 'waiting'): Promise<boolean> {
  const ended = await repo.markEnded(ctx.db, id, onlyIf);
  if (!ended) return false;
  await liveRooms(ctx).publish(id, { type: 'live.ended', liveId: id });
  await ctx.pubsub.publish(INGEST_CONTROL_CHANNEL, { stop: id });
  return true;
}

/** Lives one sweep ends at most per call (the periodic task calls again while a call fills it). */
export const SWEEP_BATCH = 200;

/**
 * The worker's sweep: a live created but never sent a stream stays `waiting` (its room open, its key
 * accepted) until `LIVE_WAITING_TIMEOUT_SEC` after it was created; then it ends like any other
 * (the room hears `live.ended`, the key opens nothing). Ends at most SWEEP_BATCH; returns how many ended.
 */
export async function endUnstartedLives(ctx: AppContext): Promise<number> {
  const stale = await repo.listWaitingSince(ctx.db, new Date(Date.now() - ctx.config.live.waitingTimeoutMs), SWEEP_BATCH);
  let ended = 0;
  // finishLive is conditional: a stream that started meanwhile (or another worker's sweep) wins, nothing ends twice.
  for (const id of stale) if (await finishLive(ctx, id, 'waiting')) ended += 1;
  return ended;
}

/** The first playlist exists: waiting → live, and followers hear of it (a domain event, in the same transaction). */
export async function goOnAir(ctx: AppContext, id: string): Promise<boolean> {
  const row = await inTransaction(ctx.db, async (tx) => {
    const r = await repo.markOnAir(tx, id);
    if (r) await recordEvent(tx, { type: 'live.started', liveId: id, hostId: String(r.host_id), visibility: r.visibility });
    return r;
  });
  if (row) await liveRooms(ctx).publishState(id);
  return Boolean(row);
}

/** The live a stream key opens, if it is waiting or on air. */
export const liveForStreamKey = (ctx: AppContext, key: string) => repo.findPublishableByKeyHash(ctx.db, hashStreamKey(key));

export const recordReplay = (ctx: AppContext, id: string, videoId: string) => repo.setReplayVideo(ctx.db, id, videoId);

/** GET /feed/live: lives on air the viewer may see; friends' first, then people they follow, then the rest, newest first in each. */
export async function liveFeed(ctx: AppContext, viewerId: string | null, limit: number) {
  const onAir = await repo.listOnAir(ctx.db, 500);
  const visible = await visibleAmong(ctx, viewerId, onAir);
  const rank = (l: (typeof visible)[number]) => (l.friend ? 0 : 1);
  const sorted = visible.sort((a, b) => rank(a) - rank(b) || +new Date(b.started_at ?? 0) - +new Date(a.started_at ?? 0)).slice(0, limit);
  return { items: await toLiveViews(ctx, viewerId, sorted), nextCursor: null };
}

/** Who among `hostIds` is live now in a live `viewerId` may see (the LIVE ring on avatars): hostId → { id }. */
export async function liveNow(ctx: AppContext, viewerId: string | null, hostIds: readonly string[]): Promise<Map<string, { id: string }>> {
  const lives = await repo.onAirByHosts(ctx.db, [...new Set(hostIds)]);
  const visible = await visibleAmong(
    ctx,
    viewerId,
    lives.map((l) => ({ ...l, visibility: l.visibility as repo.LiveRow['visibility'] })),
  );
  return new Map(visible.map((l) => [l.host_id, { id: l.id }]));
}

// ---- roles and bans ----

async function requireUserExists(ctx: AppContext, userId: string) {
  const users = await getUserViews(ctx, [userId]);
  if (!users.has(userId)) throw notFound('user');
}

export async function setModerator(ctx: AppContext, hostId: string, id: string, userId: string, on: boolean) {
  await loadHostedLive(ctx, hostId, id);
  if (userId === hostId) throw new AppError('invalid_input', 400, 'userId: the host is not one of the moderators', { field: 'userId' });
  await requireUserExists(ctx, userId);
  if (on) await repo.addModerator(ctx.db, id, userId);
  else await repo.removeModerator(ctx.db, id, userId);
}

/** PUT /lives/:id/bans/:userId: a timeout (`durationSec`) or a ban; their sockets leave the room at once. */
export async function banFromLive(ctx: AppContext, userId: string, id: string, targetId: string, durationSec: number | undefined) {
  const { live, role } = await loadModeratedLive(ctx, userId, id);
  if (targetId === String(live.host_id)) throw new AppError('cannot_ban_host', 403, 'The host cannot be banned from their own live');
  await requireUserExists(ctx, targetId);
  if (role === 'moderator' && (await roleIn(ctx, targetId, live)) === 'moderator') throw new AppError('not_live_host', 403, 'Only the host can ban a moderator');
  const until = durationSec ? new Date(Date.now() + durationSec * 1000) : null;
  await repo.upsertBan(ctx.db, id, targetId, until);
  // On the person's own channel, which every node's sockets of theirs joined: each leaves the room as it gets this.
  await ctx.pubsub.publish(`user:${targetId}`, { type: 'live.removed', liveId: id, reason: until ? 'timeout' : 'banned', until: until?.toISOString() ?? null });
}

export async function unbanFromLive(ctx: AppContext, userId: string, id: string, targetId: string) {
  await loadModeratedLive(ctx, userId, id);
  await repo.removeBan(ctx.db, id, targetId);
}

export async function deleteChatMessage(ctx: AppContext, userId: string, id: string, messageId: string) {
  const { live } = await loadModeratedLive(ctx, userId, id);
  if (!(await repo.markChatDeleted(ctx.db, id, messageId))) throw notFound('live_chat_message');
  await liveRooms(ctx).publish(id, { type: 'live.chat.deleted', liveId: id, ids: [messageId] });
  if (live.pinned_type === 'message' && String(live.pinned_id) === messageId) {
    await repo.updateLiveSettings(ctx.db, id, { pinned_type: null, pinned_id: null });
    await liveRooms(ctx).publishState(id);
  }
}

// ---- chat ----

const refusal = (code: string, detail: string, retryAfterSec?: number) => new AppError(code, code === 'rate_limited' || code === 'slow_mode' ? 429 : 403, detail, retryAfterSec ? { retryAfterSec } : {});

/** A ban in force as the refusal it makes. */
function banRefusal(ban: { until: Date | null }) {
  return ban.until ? refusal('banned', `You are timed out of this live until ${ban.until.toISOString()}`) : refusal('banned', 'You are banned from this live');
}

/**
 * A chat message, checked against every rule on the server: the live is visible and on, the
 * sender is not banned or timed out, followers-only, the per-person rate limit, slow mode (host
 * and moderators are exempt from the last and followers-only). Accepted: stored, then batched to the room.
 */
export async function sendLiveChat(ctx: AppContext, userId: string, liveId: string, clientMsgId: string, text: string): Promise<LiveChatMessage> {
  const live = await repo.findLive(ctx.db, liveId);
  if (!live) throw notFound('live');
  const hostId = String(live.host_id);
  const [audience, role, ban] = await Promise.all([audienceOf(ctx, userId, hostId), roleIn(ctx, userId, live), repo.activeBan(ctx.db, liveId, userId)]);
  const visible = userId === hostId || (!audience.blocked && (live.visibility === 'public' || (live.visibility === 'followers' ? audience.follows : audience.friends)));
  if (!visible) throw notFound('live');
  if (live.status === 'ended') throw new AppError('live_ended', 409, 'This live has ended');
  if (ban) throw banRefusal(ban);
  const staff = role !== 'viewer';
  if (!staff && live.followers_only && !audience.follows) throw refusal('followers_only', 'Only followers of the host can chat in this live');
  const { chatMessages, chatWindowMs } = ctx.config.live;
  const rate = await ctx.rateLimiter.hit(`live-chat:${userId}`, chatMessages, chatWindowMs);
  if (!rate.allowed) throw refusal('rate_limited', `At most ${chatMessages} messages per ${chatWindowMs / 1000} s`, rate.retryAfterSec);
  if (!staff && live.slow_mode_sec > 0) {
    const slow = await ctx.rateLimiter.hit(`live-slow:${liveId}:${userId}`, 1, live.slow_mode_sec * 1000);
    if (!slow.allowed) throw refusal('slow_mode', `Slow mode: one message every ${live.slow_mode_sec} s`, slow.retryAfterSec);
  }
  const [{ row, created }, users] = await Promise.all([repo.insertChat(ctx.db, { live_id: liveId, user_id: userId, client_msg_id: clientMsgId, text }), getUserViews(ctx, [userId])]);
  const message = chatView(row, users.get(userId)!);
  if (created) liveRooms(ctx).queueChat(liveId, message);
  return message;
}

/** What a socket gets on `live.join`: the live and its recent chat; refused when banned. */
export async function joinSnapshot(ctx: AppContext, userId: string, liveId: string) {
  const live = await loadVisibleLive(ctx, userId, liveId);
  const ban = await repo.activeBan(ctx.db, liveId, userId);
  if (ban) throw banRefusal(ban);
  return live;
}

export async function snapshotOf(ctx: AppContext, userId: string | null, live: repo.LiveRow) {
  const [view, recent] = await Promise.all([toLiveView(ctx, userId, live), repo.recentChat(ctx.db, String(live.id), LIVE_RECENT_CHAT).then((rows) => toChatViews(ctx, rows))]);
  return { type: 'live.snapshot' as const, live: view, recent };
}

export function addHearts(ctx: AppContext, liveId: string, n: number) {
  liveRooms(ctx).addHearts(liveId, n);
}
