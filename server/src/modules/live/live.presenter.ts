import type { Live, LiveChatMessage, LivePinned, User } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { getUserViews } from '../accounts/index.ts';
import { getProduct } from '../shop/index.ts';
import * as repo from './live.repo.ts';
import type { ChatRow, LiveRow } from './live.repo.ts';

/** Turns rows into API objects (API.md "Live streams"): the live, its chat messages. */

/** A row of a node's viewer count is counted while younger than this (nodes write every few seconds). */
export const VIEWER_COUNT_FRESH_MS = 15_000;

export const hlsUrlOf = (id: string) => `/api/v1/lives/${id}/hls/index.m3u8`;

const DELETED_USER: User = { id: '0', username: 'deleted', displayName: 'Deleted account', bio: '', avatarUrl: null };

export async function toChatViews(ctx: AppContext, rows: readonly ChatRow[]): Promise<LiveChatMessage[]> {
  const users = await getUserViews(ctx, [...new Set(rows.map((r) => String(r.user_id)))]);
  return rows.map((r) => chatView(r, users.get(String(r.user_id)) ?? DELETED_USER));
}

export function chatView(r: Pick<ChatRow, 'id' | 'text' | 'created_at'>, user: User): LiveChatMessage {
  return { id: String(r.id), user, text: r.text, createdAt: new Date(r.created_at).toISOString() };
}

async function pinnedView(ctx: AppContext, row: LiveRow): Promise<LivePinned | null> {
  if (!row.pinned_type || !row.pinned_id) return null;
  const id = String(row.pinned_id);
  if (row.pinned_type === 'message') {
    const m = await repo.findChat(ctx.db, String(row.id), id);
    if (!m || m.deleted_at) return null;
    const [message] = await toChatViews(ctx, [m]);
    return { type: 'message', id, message: message! };
  }
  // A product that went away since it was pinned is shown as the bare reference.
  const product = await getProduct(ctx, null, id).then(
    (p) => p.product,
    () => undefined,
  );
  return { type: 'product', id, ...(product && { product }) };
}

/** A live as `viewerId` sees it (`viewerCount` given when the caller already has it). */
export async function toLiveView(ctx: AppContext, viewerId: string | null, row: LiveRow, viewerCount?: number): Promise<Live> {
  const id = String(row.id);
  const [hosts, pinned, counts] = await Promise.all([
    getUserViews(ctx, [String(row.host_id)]),
    pinnedView(ctx, row),
    viewerCount === undefined && row.status !== 'ended' ? repo.viewerCounts(ctx.db, [id], new Date(Date.now() - VIEWER_COUNT_FRESH_MS)) : null,
  ]);
  const isHost = viewerId === String(row.host_id);
  return {
    id,
    host: hosts.get(String(row.host_id)) ?? DELETED_USER,
    title: row.title,
    visibility: row.visibility,
    status: row.status,
    hlsUrl: row.status === 'live' ? hlsUrlOf(id) : null,
    // Counted in the waiting room too (people gather before the stream starts).
    viewerCount: row.status !== 'ended' ? (viewerCount ?? counts?.get(id) ?? 0) : 0,
    startedAt: row.started_at ? new Date(row.started_at).toISOString() : null,
    endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
    pinned,
    settings: { slowModeSec: row.slow_mode_sec, followersOnly: row.followers_only },
    heartCount: Number(row.heart_count),
    replayVideoId: isHost && row.replay_video_id ? String(row.replay_video_id) : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/** Several lives for one viewer, their viewer counts read together. */
export async function toLiveViews(ctx: AppContext, viewerId: string | null, rows: readonly LiveRow[]): Promise<Live[]> {
  const counts = await repo.viewerCounts(
    ctx.db,
    rows.map((r) => String(r.id)),
    new Date(Date.now() - VIEWER_COUNT_FRESH_MS),
  );
  return Promise.all(rows.map((r) => toLiveView(ctx, viewerId, r, counts.get(String(r.id)) ?? 0)));
}
