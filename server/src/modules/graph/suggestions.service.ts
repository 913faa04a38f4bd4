import type { Suggestion } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import type { Executor } from '../../platform/db/tx.ts';
import { discoverableByIdentifiers, discoverableIds, getUserViews } from '../accounts/index.ts';
import * as contactsRepo from './contacts.repo.ts';
import { type ActiveModel, activeModel } from './suggestion-model.service.ts';
import { type CandidateFeatures, followBackRate, SUGGESTION_LIMITS, suggestionReasons, suggestionScore } from './suggestion-ranking.ts';
import * as repo from './suggestions.repo.ts';

/**
 * "People you may know", precomputed per user into `suggestions` and served from there.
 * Serving is a single indexed read that re-checks follows, requests, blocks and dismissals,
 * so a cached row can be old but never wrong. A refresh recomputes the whole list: inline
 * on first use; afterwards, when the graph changed or the list is old, in the background
 * while the stored list keeps serving (reads stay one indexed query at any graph size).
 * Signals that must show at once (an address-book match, a contact signing up) are merged
 * into the stored rows directly. Ranking: the model the worker fits on the live graph
 * (suggestion-model.service.ts); a new model re-ranks each list at its next read.
 */

/** What the ranking knows about the viewer, the same for each of their candidates. */
type Viewer = Pick<CandidateFeatures, 'viewerDegree' | 'viewerFollowBackRate'>;

async function viewerOf(db: Executor, userId: string): Promise<Viewer> {
  const c = await repo.viewerCounts(db, userId, SUGGESTION_LIMITS.degreeCountCap);
  return { viewerDegree: c.friends, viewerFollowBackRate: followBackRate(c.friends, c.oneWayFollowers) };
}

const toFeatures = (r: repo.StoredSuggestion, viewer: Viewer): CandidateFeatures => ({
  ...viewer,
  mutualFriends: r.mutual_friends,
  resourceAllocation: r.resource_allocation,
  adamicAdar: r.adamic_adar,
  candidateDegree: r.candidate_degree,
  followsYou: r.follows_you,
  inContacts: r.in_contacts,
  followedByFriends: r.followed_by_friends,
});

const toStored = (id: string, f: CandidateFeatures, active: ActiveModel): repo.StoredSuggestion => ({
  candidate_id: id,
  score: suggestionScore(active.model, f),
  mutual_friends: f.mutualFriends,
  resource_allocation: f.resourceAllocation,
  adamic_adar: f.adamicAdar,
  candidate_degree: f.candidateDegree,
  follows_you: Boolean(f.followsYou),
  in_contacts: Boolean(f.inContacts),
  followed_by_friends: f.followedByFriends ?? 0,
});

/** Recomputes one person's suggestions from the live graph and their uploaded contacts. */
export async function refreshSuggestions(ctx: AppContext, userId: string): Promise<void> {
  const L = SUGGESTION_LIMITS;
  const [graph, followers, contacts, viewer, active] = await Promise.all([
    repo.graphCandidates(ctx.db, userId, { maxFriends: L.maxFriendsExpanded, topRa: L.topByResourceAllocation, topFollowed: L.topFollowedByFriends }),
    repo.followerCandidates(ctx.db, userId, L.followers),
    matchedContactIds(ctx, userId, L.contacts),
    viewerOf(ctx.db, userId),
    activeModel(ctx),
  ]);
  const feats = new Map<string, CandidateFeatures>();
  const get = (id: string) => {
    let f = feats.get(id);
    if (!f) {
      f = { ...viewer, mutualFriends: 0, resourceAllocation: 0, adamicAdar: 0, candidateDegree: 0 };
      feats.set(id, f);
    }
    return f;
  };
  for (const g of graph) {
    const f = get(g.id);
    f.mutualFriends = g.mutual_friends;
    f.resourceAllocation = g.resource_allocation;
    f.adamicAdar = g.adamic_adar;
    // Friends who follow them without being their friend: "followed by many of your friends".
    f.followedByFriends = g.followed_by_friends - g.mutual_friends;
  }
  for (const id of followers) get(id).followsYou = true;
  // Contacts and followers did not pass the graph query's exclusions: check them now.
  const fromGraph = new Set(graph.map((g) => g.id));
  const extra = [...new Set([...followers, ...contacts])].filter((id) => !fromGraph.has(id));
  const eligible = await repo.stillEligible(ctx.db, userId, extra);
  for (const id of contacts) get(id).inContacts = true;
  for (const id of extra) if (!eligible.has(id)) feats.delete(id);

  const degrees = await repo.friendCounts(ctx.db, [...feats.keys()], L.degreeCountCap);
  for (const [id, f] of feats) f.candidateDegree = degrees.get(id) ?? 0;
  const ranked = [...feats].map(([id, f]) => toStored(id, f, active)).filter((r) => r.score > 0);
  ranked.sort((a, b) => b.score - a.score || Number(BigInt(b.candidate_id) - BigInt(a.candidate_id)));
  await inTransaction(ctx.db, (tx) => repo.replaceAll(tx, userId, ranked.slice(0, L.kept), active.id));
}

// Background refreshes run one at a time per process, oldest request first: a burst of
// graph changes (or a celebrity's follow storm) queues work instead of taking every
// database connection away from the requests being served.
const queue: Array<{ ctx: AppContext; userId: string }> = [];
const queued = new Set<string>();
let worker: Promise<void> | null = null;

function refreshInBackground(ctx: AppContext, userId: string) {
  if (queued.has(userId)) return;
  queued.add(userId);
  queue.push({ ctx, userId });
  worker ??= (async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      try {
        await refreshSuggestions(job.ctx, job.userId);
      } catch (err) {
        job.ctx.log.warn({ err, userId: job.userId }, 'suggestion refresh failed');
      } finally {
        queued.delete(job.userId);
      }
    }
    worker = null;
  })();
}

/** Waits until queued background refreshes are done (benchmarks call this before closing). */
export async function settleSuggestionRefreshes() {
  while (worker) await worker;
}

/**
 * Schedules a refresh when the stored list is stale (the graph changed, it is old, or another
 * model ranked it); false when there is none yet (compute inline).
 */
function scheduleIfStale(ctx: AppContext, userId: string, state: { computed_at: Date; dirty: boolean; model_id: string | null } | undefined, modelId: string | null): boolean {
  if (!state) return false;
  const old = Date.now() - state.computed_at.getTime() > SUGGESTION_LIMITS.maxAgeMs;
  const otherModel = (state.model_id === null ? null : String(state.model_id)) !== modelId;
  if (state.dirty || old || otherModel) refreshInBackground(ctx, userId);
  return true;
}

/** Discoverable people matching anything `userId` uploaded from their address book. */
async function matchedContactIds(ctx: AppContext, userId: string, limit: number): Promise<string[]> {
  const hashes = await contactsRepo.hashesOf(ctx.db, userId);
  return (await discoverableByIdentifiers(ctx.db, hashes, userId, limit)).map((u) => u.id);
}

type StoredRow = Awaited<ReturnType<typeof repo.readPage>>[number];

/**
 * Up to `limit + 1` suggestions after `position` that may still be shown: someone known only
 * from an address book stays only while they allow discovery by contacts (an accounts setting,
 * asked in one call per read). Reads further when that leaves a page short.
 */
async function readShown(ctx: AppContext, userId: string, limit: number, position: { score: number; id: string } | null) {
  const out: Array<StoredRow & { discoverable: boolean }> = [];
  const want = limit + 1;
  for (;;) {
    const rows = await repo.readPage(ctx.db, userId, want, position);
    const discoverable = await discoverableIds(ctx.db, rows.map((r) => r.candidate_id));
    for (const r of rows) {
      const d = discoverable.has(r.candidate_id);
      if (d || r.mutual_friends > 0 || r.followed_by_friends > 0 || r.follows_you) out.push({ ...r, discoverable: d });
    }
    const last = rows.at(-1);
    if (out.length >= want || rows.length < want || !last) return out.slice(0, want);
    position = { score: last.score, id: last.candidate_id };
  }
}

/** GET /me/suggestions: best first, keyset-paged on (score, id). */
export async function listSuggestions(ctx: AppContext, userId: string, page: { cursor?: string; limit: number }) {
  const scope = { list: 'suggestions', viewer: userId };
  const after = decodeCursor(scope, page.cursor, 2);
  const position = after ? { score: Number(after[0]), id: String(after[1]) } : null;
  // The state and the page are read side by side (one round trip of latency, not two); only
  // a person who never had a list waits for it to be computed, then reads again.
  let [state, rows, active] = await Promise.all([after ? undefined : repo.getState(ctx.db, userId), readShown(ctx, userId, page.limit, position), activeModel(ctx)]);
  if (!after && !scheduleIfStale(ctx, userId, state, active.id)) {
    await refreshSuggestions(ctx, userId);
    rows = await readShown(ctx, userId, page.limit, position);
  }
  const views = await getUserViews(ctx, rows.map((r) => r.candidate_id));
  return toPage(
    scope,
    rows.filter((r) => views.has(r.candidate_id)),
    page.limit,
    (r): Suggestion => ({
      user: views.get(r.candidate_id)!,
      reasons: suggestionReasons({
        mutualFriends: r.mutual_friends,
        followsYou: r.follows_you,
        inContacts: r.in_contacts && r.discoverable,
        followedByFriends: r.followed_by_friends,
      }),
      score: Math.round(r.score * 1e6) / 1e6,
    }),
    (r) => [r.score, r.candidate_id],
  );
}

/**
 * Adds or removes the "in your contacts" signal on stored suggestions at once (an upload,
 * a contact signing up, a delete) without waiting for a full refresh, scored by the active
 * model (a list ranked by an older one is re-ranked at its next read anyway).
 */
export async function setContactSignal(ctx: AppContext, db: Executor, userId: string, candidateIds: readonly string[], inContacts: boolean) {
  const stored = inContacts ? await repo.storedFor(db, userId, candidateIds) : await repo.storedInContacts(db, userId);
  const byId = new Map(stored.map((r) => [String(r.candidate_id), r]));
  const ids = inContacts ? candidateIds : [...byId.keys()];
  if (ids.length === 0) return;
  const viewer = await viewerOf(db, userId);
  const active = await activeModel(ctx, db);
  const rows = ids.map((id) => {
    const before = byId.get(id);
    const f: CandidateFeatures = before ? toFeatures(before, viewer) : { ...viewer, mutualFriends: 0, resourceAllocation: 0, adamicAdar: 0, candidateDegree: 0 };
    f.inContacts = inContacts;
    return toStored(id, f, active);
  });
  await repo.upsertRows(db, userId, rows);
}

export const markSuggestionsDirty = repo.markDirty;
export const dismissSuggestion = (ctx: AppContext, userId: string, dismissedId: string) => repo.insertDismissal(ctx.db, userId, dismissedId);
