import type { AppContext } from '../../app/context.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import type { Executor } from '../../platform/db/tx.ts';
import { enqueue, hasPendingJob, type JobRun } from '../../platform/jobs/queue.ts';
import { fitSuggestionModel } from './suggestion-fitting.ts';
import { buildSocialGraph, type SocialGraph } from './suggestion-graph.ts';
import { FEATURE_COUNT, FEATURE_NAMES, PRIOR_MODEL, type RankingModel, SUGGESTION_LIMITS } from './suggestion-ranking.ts';
import * as repo from './suggestions.repo.ts';

/**
 * The friend-suggestion model's life: a worker job refits it on the live graph
 * (suggestion-fitting.ts) and stores it; every node ranks with the newest stored one.
 */

/** A node re-reads which model is newest at most this often (a refit elsewhere shows within it). */
const MODEL_RELOAD_MS = 60_000;
/** Past models kept for inspection. */
const MODELS_KEPT = 20;
/** Rows per page when the fit reads the follows table. */
const FOLLOWS_PAGE = 20_000;

export interface ActiveModel {
  /** The stored model's id; null when none is stored yet (the prior). */
  id: string | null;
  model: RankingModel;
}

// Per application context (a test process may run several), not per process.
const loaded = new WeakMap<AppContext, ActiveModel & { at: number }>();

/** Weights stored for this code's features, or null (none stored, or fitted for other features). */
function usable(stored: repo.StoredModel | null): RankingModel | null {
  if (!stored || stored.features.length !== FEATURE_COUNT || stored.features.some((f, i) => f !== FEATURE_NAMES[i])) return null;
  return { weights: stored.weights };
}

/** The model to rank with now: the newest stored one, or the prior. `db` is the caller's executor (it may be inside a transaction). */
export async function activeModel(ctx: AppContext, db: Executor = ctx.db): Promise<ActiveModel> {
  const cached = loaded.get(ctx);
  if (cached && Date.now() - cached.at < MODEL_RELOAD_MS) return cached;
  const latest = await repo.latestModel(db);
  const model = latest && usable(latest.model);
  const active = model ? { id: latest.id, model } : { id: null, model: PRIOR_MODEL };
  loaded.set(ctx, { ...active, at: Date.now() });
  return active;
}

/**
 * The live graph in memory: friendships as [who followed first, who followed back] (so the
 * fit can learn what a follow means for following back) and one-way follows.
 */
export async function loadLiveGraph(db: Executor): Promise<{ graph: SocialGraph; followBacks: Int32Array; oneWay: number }> {
  const dense = new Map<number, number>();
  const id = (v: number) => {
    let d = dense.get(v);
    if (d === undefined) {
      d = dense.size;
      dense.set(v, d);
    }
    return d;
  };
  const friendships: number[] = [];
  const oneWay: number[] = [];
  for await (const page of repo.allFollows(db, FOLLOWS_PAGE)) {
    for (const r of page) {
      if (r.backAt === null) oneWay.push(id(r.follower), id(r.followee));
      // A friendship comes once from each side: keep the row of the first follow.
      else if (r.at < r.backAt || (r.at === r.backAt && r.follower < r.followee)) friendships.push(id(r.follower), id(r.followee));
    }
  }
  const followBacks = Int32Array.from(friendships);
  return { graph: buildSocialGraph(dense.size, followBacks, Int32Array.from(oneWay)), followBacks, oneWay: oneWay.length / 2 };
}

/** The job: fits the model on the live graph, stores it, and makes it this node's model at once. */
export async function refitSuggestionModel(ctx: AppContext, job?: Pick<JobRun, 'signal'>): Promise<ActiveModel> {
  const started = Date.now();
  const live = await loadLiveGraph(ctx.db);
  // The same graph always gives the same model (a seed from its size), so a fit can be reproduced.
  const seed = (live.graph.n * 1_000_003 + live.followBacks.length * 31 + live.oneWay) % 2_147_483_647;
  const fit = await fitSuggestionModel(live.graph, { seed, limits: SUGGESTION_LIMITS, followBacks: live.followBacks, signal: job?.signal });
  const report = {
    reason: fit.reason,
    viewers: fit.viewers,
    positives: fit.positives,
    validation: fit.validation,
    seed,
    people: live.graph.n,
    friendships: live.followBacks.length / 2,
    oneWayFollows: live.oneWay,
    ms: Date.now() - started,
  };
  const id = await repo.insertModel(ctx.db, { source: fit.source, model: { features: [...FEATURE_NAMES], weights: [...fit.model.weights] }, report }, MODELS_KEPT);
  const active = { id, model: fit.model };
  loaded.set(ctx, { ...active, at: Date.now() });
  ctx.log.info({ modelId: id, source: fit.source, ...report }, 'suggestion model refitted');
  return active;
}

/** Enqueues a refit now (operators, tests). */
export async function requestSuggestionModelRefit(ctx: AppContext): Promise<string> {
  return inTransaction(ctx.db, (tx) => enqueue(tx, { kind: 'suggestions.fit' }, { maxAttempts: 3 }));
}

/**
 * Enqueues a refit when the stored model is missing, fitted for other features or older than
 * SUGGESTION_MODEL_REFIT_HOURS (0: never), unless one is already queued or running. The worker calls it
 * periodically; two workers racing may both enqueue, which costs one extra fit, nothing else.
 */
export async function refitSuggestionModelIfDue(ctx: AppContext): Promise<boolean> {
  if (ctx.config.suggestionModelRefitMs === 0) return false;
  const latest = await repo.latestModel(ctx.db);
  const due = !latest || !usable(latest.model) || Date.now() - latest.fittedAt.getTime() >= ctx.config.suggestionModelRefitMs;
  if (!due || (await hasPendingJob(ctx.db, 'suggestions.fit'))) return false;
  await requestSuggestionModelRefit(ctx);
  return true;
}
