import type { PageQuery, Relationship } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { badInput, forbidden, notFound } from '../../app/errors.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { type EventHandler, recordEvent } from '../../platform/events/events.ts';
import type { User } from '@loop/contracts';
import { accountFlags, type GraphLens, getUserViews, isPrivateAccountLocked, userRulesChanged } from '../accounts/index.ts';
import * as repo from './graph.repo.ts';
import { dismissSuggestion, markSuggestionsDirty } from './suggestions.service.ts';

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

/**
 * For each pair, keyed `a:b`: blocked either way, friends, and whether `a` follows `b` (what decides
 * whether `a` may see a private account's clips). The batched form of the two questions above.
 */
export async function blocksAndFriendshipAmong(ctx: AppContext, pairs: ReadonlyArray<readonly [string, string]>) {
  const rows = await repo.blocksAndFollowsAmong(ctx.db, pairs);
  return new Map(rows.map((r) => [`${r.a}:${r.b}`, { blocked: r.a !== r.b && r.blocked, friends: r.a !== r.b && r.a_follows_b && r.b_follows_a, follows: r.a !== r.b && r.a_follows_b }]));
}

/**
 * Between `a` and each of `ids`, in one query (checks that fan out to many people: a share's
 * recipients, a card's viewers, the authors of one's liked clips): friends, a block either way,
 * whether they follow `a`, and whether `a` follows them. Oneself is none of these.
 */
export async function friendsAndBlocksWith(
  ctx: AppContext,
  a: string,
  ids: readonly string[],
): Promise<Map<string, { friends: boolean; blocked: boolean; followsA: boolean; followedByA: boolean }>> {
  const others = [...new Set(ids)].filter((id) => id !== a);
  const out = new Map<string, { friends: boolean; blocked: boolean; followsA: boolean; followedByA: boolean }>(
    ids.includes(a) ? [[a, { friends: false, blocked: false, followsA: false, followedByA: false }]] : [],
  );
  const rows = await repo.blocksAndFollowsAmong(
    ctx.db,
    others.map((id) => [a, id] as const),
  );
  for (const r of rows) out.set(r.b, { friends: r.a_follows_b && r.b_follows_a, blocked: r.blocked, followsA: r.b_follows_a, followedByA: r.a_follows_b });
  return out;
}

/**
 * Where `viewerId` (null: signed out) stands towards `authorId` for seeing their clips:
 * whether they follow (on a private account, only approved followers do), are friends, or
 * a block stands between them, and whether the account is private.
 */
export interface Audience {
  follows: boolean;
  friends: boolean;
  blocked: boolean;
  privateAccount: boolean;
}
export async function audienceOf(ctx: AppContext, viewerId: string | null, authorId: string): Promise<Audience> {
  if (viewerId === authorId) return { follows: false, friends: false, blocked: false, privateAccount: false };
  if (!viewerId) {
    const flags = await accountFlags(ctx, authorId);
    return { follows: false, friends: false, blocked: false, privateAccount: flags?.privateAccount ?? false };
  }
  const [a, flags] = await Promise.all([repo.audienceOf(ctx.db, viewerId, authorId), accountFlags(ctx, authorId)]);
  return { follows: a.follows, friends: a.follows && a.followed_by, blocked: a.blocked, privateAccount: flags?.privateAccount ?? false };
}

export const friendIds = (ctx: AppContext, userId: string) => repo.friendIdsOf(ctx.db, userId);
/** Everyone `userId` follows, each with whether they are friends (follow back). */
export const followees = (ctx: AppContext, userId: string) => repo.followeesOf(ctx.db, userId);
/** Everyone who follows `userId`, each marked when they are friends. */
export const followers = (ctx: AppContext, userId: string) => repo.followersOf(ctx.db, userId);
/** People whose clips `userId` must not be shown: muted, or blocked either way. */
export const mutedOrBlockedIds = (ctx: AppContext, userId: string) => repo.mutedOrBlockedIdsOf(ctx.db, userId);
export const blockedEitherWayIds = (ctx: AppContext, userId: string) => repo.blockedEitherWayIdsOf(ctx.db, userId);

/** Counts for a profile; `videos` is filled by the media module when it is present. */
export async function graphCounts(ctx: AppContext, userId: string) {
  return repo.countsFor(ctx.db, userId);
}

/** How many clips a profile shows a viewer: the graph needs one (`videoCounter`, provided by media). */
export type VideoCounter = (ctx: AppContext, authorId: string, viewerId: string | null) => Promise<number>;

/** What the graph provides to accounts: a profile's counts and relationship (null across a block), and who is hidden. */
export const graphLens: GraphLens = {
  async profileExtras(ctx, viewerId, user) {
    const id = String(user.id);
    if (viewerId && (await isBlockedEitherWay(ctx, viewerId, id))) return null;
    const [counts, relationship, videos] = await Promise.all([graphCounts(ctx, id), relationshipBetween(ctx, viewerId, id), ctx.modules.videoCounter(ctx, id, viewerId)]);
    return { counts: { ...counts, videos }, relationship };
  },
  hiddenUserIds: blockedEitherWayIds,
};

/** The rows in order with their people's public views; a row whose account is gone is left out. */
async function withUserViews<R extends { id: string }>(ctx: AppContext, rows: readonly R[]): Promise<Array<R & { user: User }>> {
  const views = await getUserViews(ctx, rows.map((r) => r.id));
  return rows.flatMap((r) => {
    const user = views.get(r.id);
    return user ? [{ ...r, user }] : [];
  });
}

// ——— Follows, requests, blocks and mutes (API.md "Social graph") ———

const noRelationship: Relationship = { following: false, followedBy: false, friends: false, blocked: false, requested: false };

/** The viewer's relationship to each of `ids` (one query), for lists of people. */
export async function relationshipsTo(ctx: AppContext, viewerId: string | null, ids: readonly string[]): Promise<Map<string, Relationship>> {
  if (!viewerId) return new Map(ids.map((id) => [id, noRelationship]));
  const rows = await repo.relationshipsTo(ctx.db, viewerId, ids);
  return new Map(
    rows.map((r) => [
      r.id,
      r.id === viewerId ? noRelationship : { following: r.following, followedBy: r.followed_by, friends: r.following && r.followed_by, blocked: r.blocked, requested: r.requested },
    ]),
  );
}

/** The other person, or 404 when they do not exist or a block stands between them and the viewer. */
async function visibleTarget(ctx: AppContext, viewerId: string | null, targetId: string) {
  const target = await accountFlags(ctx, targetId);
  if (!target || (viewerId && (await isBlockedEitherWay(ctx, viewerId, targetId)))) throw notFound('user');
  return target;
}

function notSelf(viewerId: string, targetId: string, what: string) {
  if (viewerId === targetId) throw badInput('id', `you cannot ${what} yourself`);
}

async function publishFollowFrame(ctx: AppContext, type: 'follow.request' | 'follow.new' | 'follow.accepted', toId: string, aboutId: string) {
  const [views, relationship] = await Promise.all([getUserViews(ctx, [aboutId]), relationshipBetween(ctx, toId, aboutId)]);
  const user = views.get(aboutId);
  if (user) await ctx.pubsub.publish(`user:${toId}`, { type, user, relationship });
}

/**
 * Live frames about follows, made from the domain events after commit: the person followed (or
 * asked) hears `follow.new` / `follow.request`; a requester whose request was accepted hears
 * `follow.accepted`. The relationship is read when the frame is made, so it is the current one.
 */
export const followFrames = {
  'follow.created': {
    name: 'graph.follow-frames',
    handle: (ctx, e) => (e.accepted ? publishFollowFrame(ctx, 'follow.accepted', e.followerId, e.followeeId) : publishFollowFrame(ctx, 'follow.new', e.followeeId, e.followerId)),
  },
  'follow.requested': {
    name: 'graph.follow-request-frames',
    handle: (ctx, e) => publishFollowFrame(ctx, 'follow.request', e.targetId, e.requesterId),
  },
} satisfies { [T in 'follow.created' | 'follow.requested']: EventHandler<AppContext, T> };

/**
 * PUT /users/:id/follow. A private account gets a request instead; following someone who
 * follows you makes you friends on both sides (a friend is a mutual follow).
 */
export async function follow(ctx: AppContext, viewerId: string, targetId: string) {
  notSelf(viewerId, targetId, 'follow');
  await visibleTarget(ctx, viewerId, targetId);
  await inTransaction(ctx.db, async (tx) => {
    // Re-read inside the transaction: a block or a privacy change may have just landed.
    const privateAccount = await isPrivateAccountLocked(tx, targetId);
    const e = await repo.edgesBetween(tx, viewerId, targetId);
    if (e.a_blocks_b || e.b_blocks_a) throw notFound('user');
    if (e.a_follows_b) return;
    if (privateAccount) {
      if (await repo.insertFollowRequest(tx, viewerId, targetId)) {
        await recordEvent(tx, { type: 'follow.requested', requesterId: viewerId, targetId });
      }
      return;
    }
    await repo.deleteFollowRequest(tx, viewerId, targetId);
    if (await repo.insertFollow(tx, viewerId, targetId)) {
      await recordEvent(tx, { type: 'follow.created', followerId: viewerId, followeeId: targetId, mutual: e.b_follows_a });
      await markSuggestionsDirty(tx, [viewerId, targetId]);
      tx.afterCommit(() => userRulesChanged(ctx, [viewerId, targetId]));
    }
  });
  return { relationship: await relationshipBetween(ctx, viewerId, targetId) };
}

/** DELETE /users/:id/follow: unfollows, or withdraws a pending request. */
export async function unfollow(ctx: AppContext, viewerId: string, targetId: string) {
  notSelf(viewerId, targetId, 'unfollow');
  await visibleTarget(ctx, viewerId, targetId);
  await inTransaction(ctx.db, async (tx) => {
    await repo.deleteFollowRequest(tx, viewerId, targetId);
    if (await repo.deleteFollow(tx, viewerId, targetId)) {
      await markSuggestionsDirty(tx, [viewerId, targetId]);
      // No longer friends: "friends only" messaging may now refuse them.
      tx.afterCommit(() => userRulesChanged(ctx, [viewerId, targetId]));
    }
  });
  return { relationship: await relationshipBetween(ctx, viewerId, targetId) };
}

/**
 * GET /users/:id/followers|following|friends. A private account's lists are for its
 * followers (and itself) only: 403 for anyone else; 404 across a block.
 */
export async function listConnections(ctx: AppContext, viewerId: string | null, userId: string, kind: repo.GraphListKind, page: PageQuery) {
  const target = await visibleTarget(ctx, viewerId, userId);
  if (target.privateAccount && viewerId !== userId) {
    const allowed = viewerId ? (await repo.edgesBetween(ctx.db, viewerId, userId)).a_follows_b : false;
    if (!allowed) throw forbidden('private_account', 'This account is private: only its followers see its lists');
  }
  const scope = { list: `${kind}:${userId}`, viewer: viewerId };
  const after = decodeCursor(scope, page.cursor, 2);
  const rows = await repo.listConnections(ctx.db, kind, userId, {
    limit: page.limit,
    after: after ? { at: String(after[0]), id: String(after[1]) } : null,
    excludeIds: viewerId ? await blockedEitherWayIds(ctx, viewerId) : [],
  });
  const [people, rels] = await Promise.all([withUserViews(ctx, rows), relationshipsTo(ctx, viewerId, rows.map((r) => r.id))]);
  return toPage(
    scope,
    people,
    page.limit,
    (r) => ({ ...r.user, relationship: rels.get(r.id) ?? noRelationship }),
    (r) => [r.at, r.id],
  );
}

/** GET /me/follow-requests: people asking to follow the viewer, newest first. */
export async function listFollowRequests(ctx: AppContext, viewerId: string, page: PageQuery) {
  const scope = { list: 'follow-requests', viewer: viewerId };
  const after = decodeCursor(scope, page.cursor, 2);
  const rows = await repo.listFollowRequests(ctx.db, viewerId, page.limit, after ? { at: String(after[0]), id: String(after[1]) } : null);
  return toPage(
    scope,
    await withUserViews(ctx, rows),
    page.limit,
    (r) => ({ user: r.user, requestedAt: new Date(r.at).toISOString() }),
    (r) => [r.at, r.id],
  );
}

/** GET /me/blocks: the people the viewer blocked, newest first (Settings lists them to unblock). */
export async function listBlockedAccounts(ctx: AppContext, viewerId: string, page: PageQuery) {
  const scope = { list: 'blocks', viewer: viewerId };
  const after = decodeCursor(scope, page.cursor, 2);
  const rows = await repo.listBlocked(ctx.db, viewerId, page.limit, after ? { at: String(after[0]), id: String(after[1]) } : null);
  return toPage(
    scope,
    await withUserViews(ctx, rows),
    page.limit,
    (r) => ({ user: r.user, blockedAt: new Date(r.at).toISOString() }),
    (r) => [r.at, r.id],
  );
}

/** POST /me/follow-requests/:userId/accept|decline. */
export async function answerFollowRequest(ctx: AppContext, viewerId: string, requesterId: string, accept: boolean) {
  await inTransaction(ctx.db, async (tx) => {
    if (!(await repo.deleteFollowRequest(tx, requesterId, viewerId))) throw notFound('follow_request');
    if (!accept) return;
    if (await repo.insertFollow(tx, requesterId, viewerId)) {
      const e = await repo.edgesBetween(tx, viewerId, requesterId);
      await recordEvent(tx, { type: 'follow.created', followerId: requesterId, followeeId: viewerId, mutual: e.a_follows_b, accepted: true });
    }
    await markSuggestionsDirty(tx, [viewerId, requesterId]);
    tx.afterCommit(() => userRulesChanged(ctx, [viewerId, requesterId]));
  });
  return { relationship: await relationshipBetween(ctx, viewerId, requesterId) };
}

/** PUT /users/:id/block: removes follows and requests both ways; each then is absent to the other. */
export async function block(ctx: AppContext, viewerId: string, targetId: string) {
  notSelf(viewerId, targetId, 'block');
  if (!(await accountFlags(ctx, targetId))) throw notFound('user');
  await inTransaction(ctx.db, async (tx) => {
    await repo.insertBlock(tx, viewerId, targetId);
    await markSuggestionsDirty(tx, [viewerId, targetId]);
    tx.afterCommit(() => userRulesChanged(ctx, [viewerId, targetId]));
  });
  return { relationship: await relationshipBetween(ctx, viewerId, targetId) };
}

export async function unblock(ctx: AppContext, viewerId: string, targetId: string) {
  notSelf(viewerId, targetId, 'unblock');
  if (!(await accountFlags(ctx, targetId))) throw notFound('user');
  await repo.deleteBlock(ctx.db, viewerId, targetId);
  userRulesChanged(ctx, [viewerId, targetId]);
  return { relationship: await relationshipBetween(ctx, viewerId, targetId) };
}

/** PUT/DELETE /users/:id/mute: hides their content from the viewer's feeds; they are not told. */
export async function setMuted(ctx: AppContext, viewerId: string, targetId: string, muted: boolean) {
  notSelf(viewerId, targetId, 'mute');
  await visibleTarget(ctx, viewerId, targetId);
  if (muted) await repo.insertMute(ctx.db, viewerId, targetId);
  else await repo.deleteMute(ctx.db, viewerId, targetId);
  return { relationship: await relationshipBetween(ctx, viewerId, targetId), muted };
}

/** POST /me/suggestions/:userId/dismiss: never suggest this person again. */
export async function dismiss(ctx: AppContext, viewerId: string, targetId: string) {
  notSelf(viewerId, targetId, 'dismiss');
  await visibleTarget(ctx, viewerId, targetId);
  await dismissSuggestion(ctx, viewerId, targetId);
}
