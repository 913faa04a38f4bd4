import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import { audienceOf, followees, blockedEitherWayIds } from '../graph/index.ts';
import * as repo from './live.repo.ts';
import type { LiveRow } from './live.repo.ts';

/**
 * Who may do what with a live (ARCHITECTURE.md "policies"): one place for its visibility and
 * its roles. A live the viewer may not see does not exist for them (404), whatever they try.
 */

/** Whether `viewerId` may see (and watch, and chat in) the live: public to all, followers to followers, friends to friends; never across a block. */
export async function mayView(ctx: AppContext, viewerId: string | null, live: Pick<LiveRow, 'host_id' | 'visibility'>): Promise<boolean> {
  const hostId = String(live.host_id);
  if (viewerId === hostId) return true;
  const a = await audienceOf(ctx, viewerId, hostId);
  if (a.blocked) return false;
  if (live.visibility === 'public') return true;
  if (live.visibility === 'followers') return a.follows;
  return a.friends;
}

/** The live if the viewer may see it, else 404. */
export async function loadVisibleLive(ctx: AppContext, viewerId: string | null, id: string): Promise<LiveRow> {
  const live = await repo.findLive(ctx.db, id);
  if (!live || !(await mayView(ctx, viewerId, live))) throw notFound('live');
  return live;
}

export type LiveRole = 'host' | 'moderator' | 'viewer';

export async function roleIn(ctx: AppContext, userId: string, live: Pick<LiveRow, 'id' | 'host_id'>): Promise<LiveRole> {
  if (String(live.host_id) === userId) return 'host';
  return (await repo.isModerator(ctx.db, String(live.id), userId)) ? 'moderator' : 'viewer';
}

/** A live the user hosts; 404 when they cannot see it, 403 when they can but are not its host. */
export async function loadHostedLive(ctx: AppContext, userId: string, id: string): Promise<LiveRow> {
  const live = await loadVisibleLive(ctx, userId, id);
  if (String(live.host_id) !== userId) throw new AppError('not_live_host', 403, 'Only the host can do this');
  return live;
}

/** A live the user hosts or moderates; 404 when they cannot see it, 403 when they are only a viewer. */
export async function loadModeratedLive(ctx: AppContext, userId: string, id: string): Promise<{ live: LiveRow; role: LiveRole }> {
  const live = await loadVisibleLive(ctx, userId, id);
  const role = await roleIn(ctx, userId, live);
  if (role === 'viewer') throw new AppError('not_live_moderator', 403, 'Only the host and moderators can do this');
  return { live, role };
}

/** Of these lives, those the viewer may see: one read of their follows and blocks for all of them. */
export async function visibleAmong<T extends Pick<LiveRow, 'host_id' | 'visibility'>>(ctx: AppContext, viewerId: string | null, lives: readonly T[]): Promise<Array<T & { friend: boolean }>> {
  if (lives.length === 0) return [];
  if (!viewerId) return lives.filter((l) => l.visibility === 'public').map((l) => ({ ...l, friend: false }));
  const [follows, blocked] = await Promise.all([followees(ctx, viewerId), blockedEitherWayIds(ctx, viewerId)]);
  const followed = new Map(follows.map((f) => [f.id, f.friend]));
  const hidden = new Set(blocked);
  const out: Array<T & { friend: boolean }> = [];
  for (const l of lives) {
    const host = String(l.host_id);
    if (hidden.has(host)) continue;
    const mine = host === viewerId;
    const follows = followed.has(host);
    const friend = followed.get(host) === true;
    const ok = mine || l.visibility === 'public' || (l.visibility === 'followers' && follows) || (l.visibility === 'friends' && friend);
    if (ok) out.push({ ...l, friend });
  }
  return out;
}
