import type { Relationship } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { registerGraphLens } from '../accounts/accounts.service.ts';
import * as repo from './graph.repo.ts';

/**
 * The social graph as other modules see it. Messaging, feeds and sharing ask these
 * questions; none of them reads the graph's tables.
 */

/** How `viewerId` stands towards `otherId` (the API's `relationship` object). */
export async function relationshipBetween(ctx: AppContext, viewerId: string | null, otherId: string): Promise<Relationship> {
  if (!viewerId || viewerId === otherId) return { following: false, followedBy: false, friends: false, blocked: false, requested: false };
  const e = await repo.edgesBetween(ctx.db, viewerId, otherId);
  return {
    following: e.a_follows_b,
    followedBy: e.b_follows_a,
    friends: e.a_follows_b && e.b_follows_a,
    blocked: e.a_blocks_b,
    requested: e.a_requested_b,
  };
}

/** Friends are people who follow each other. */
export async function areFriends(ctx: AppContext, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const e = await repo.edgesBetween(ctx.db, a, b);
  return e.a_follows_b && e.b_follows_a;
}

/** True when either has blocked the other: then each is invisible to the other everywhere. */
export async function isBlockedEitherWay(ctx: AppContext, a: string, b: string): Promise<boolean> {
  if (a === b) return false;
  const e = await repo.edgesBetween(ctx.db, a, b);
  return e.a_blocks_b || e.b_blocks_a;
}

export const friendIds = (ctx: AppContext, userId: string) => repo.friendIdsOf(ctx.db, userId);
export const followingIds = (ctx: AppContext, userId: string) => repo.followingIdsOf(ctx.db, userId);
export const mutedIds = (ctx: AppContext, userId: string) => repo.mutedIdsOf(ctx.db, userId);
export const blockedEitherWayIds = (ctx: AppContext, userId: string) => repo.blockedEitherWayIdsOf(ctx.db, userId);

/** Counts for a profile; `videos` is filled by the media module when it is present. */
export async function graphCounts(ctx: AppContext, userId: string) {
  return repo.countsFor(ctx.db, userId);
}

type VideoCounter = (ctx: AppContext, authorId: string, viewerId: string | null) => Promise<number>;
let videoCounter: VideoCounter | null = null;
/** The media module says how many clips a profile shows to a viewer. */
export function registerVideoCounter(fn: VideoCounter) {
  videoCounter = fn;
}

registerGraphLens({
  async profileExtras(ctx, viewerId, user) {
    const id = String(user.id);
    if (viewerId && (await isBlockedEitherWay(ctx, viewerId, id))) return null;
    const [counts, relationship, videos] = await Promise.all([
      graphCounts(ctx, id),
      relationshipBetween(ctx, viewerId, id),
      videoCounter ? videoCounter(ctx, id, viewerId) : Promise.resolve(0),
    ]);
    return { counts: { ...counts, videos }, relationship };
  },
  hiddenUserIds: blockedEitherWayIds,
});
