import type { AppContext } from '../../app/context.ts';
import { type PersonSignals, signalWeight, trainingInteractions } from '../media/index.ts';
import { blendScore } from './blend.ts';
import { buildInteractions } from './interactions.ts';
import { candidateSourceScores, catalogueScores, fitRecommender, type PersonState, personState, type RecommenderModel } from './model.ts';

/**
 * The live recommender: a model fitted from the signal log, kept in memory by every process
 * that serves For You, and refitted when older than RECOMMENDER_REFIT_MINUTES (the worker also
 * refits on its housekeeping timer, so the first page after a quiet spell does not wait).
 * Each process fits from the same shared log, so nodes agree. Between refits every new event
 * still counts at once: a person's vector is folded in from their latest events on each page.
 */
interface State {
  model: RecommenderModel | null;
  fittedAt: number;
  fitting: Promise<RecommenderModel | null> | null;
}

const states = new WeakMap<AppContext, State>();
const stateOf = (ctx: AppContext) => {
  let s = states.get(ctx);
  if (!s) {
    s = { model: null, fittedAt: 0, fitting: null };
    states.set(ctx, s);
  }
  return s;
};

/** The training window: the last 60 days of signals, at most two million events. */
const TRAINING = { days: 60, limit: 2_000_000 };
/** Below this many interactions the model is not worth fitting: affinities and trending rank alone. */
const MIN_INTERACTIONS = 20;

/** Refits now (single-flight per process) and returns the new model (null when there is too little data). */
export function refitRecommender(ctx: AppContext): Promise<RecommenderModel | null> {
  const s = stateOf(ctx);
  if (s.fitting) return s.fitting;
  s.fitting = (async () => {
    try {
      const rows = await trainingInteractions(ctx, TRAINING);
      const model = rows.length >= MIN_INTERACTIONS ? await fitRecommender(buildInteractions(rows), { validationPeople: 500 }, yieldToEventLoop()) : null;
      s.model = model;
      s.fittedAt = Date.now();
      ctx.log.info({ interactions: rows.length, fitted: Boolean(model), blend: model?.validation?.chosen }, 'recommender refitted');
      return model;
    } finally {
      s.fitting = null;
    }
  })();
  return s.fitting;
}

/** Refits when the model is older than the configured age; never throws (a failed refit keeps the old model). */
export async function refitRecommenderIfDue(ctx: AppContext): Promise<void> {
  const s = stateOf(ctx);
  const age = ctx.config.recommenderRefitMs;
  if (!age || Date.now() - s.fittedAt < age) return;
  await refitRecommender(ctx).catch((err) => ctx.log.warn({ err }, 'recommender refit failed; keeping the previous model'));
}

/** A fit may take seconds: it hands the event loop back every 20 ms so requests keep flowing. */
function yieldToEventLoop() {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 20) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

/**
 * The learned model's opinion of each candidate for this person, from their latest signals
 * (fold-in: one small solve), or null when there is no model yet. Clips the model has not
 * seen get no score (the caller ranks them by affinity and freshness). Only the candidates are
 * scored (model.ts `candidateSourceScores`): a request's cost does not grow with the catalogue.
 */
export function modelScores(
  ctx: AppContext,
  person: PersonSignals,
  videoIds: readonly string[],
  opts: { rankAmongAll?: boolean } = {},
): (Map<string, number> & { rank?: number }) | null {
  const s = stateOf(ctx);
  void refitRecommenderIfDue(ctx);
  const m = s.model;
  if (!m) return null;
  const p = personOf(m, person);
  if (!p) return null;
  const out: Map<string, number> & { rank?: number } = new Map<string, number>();
  const idx = m.data.itemIndex;
  const ids = [...new Set(videoIds)].filter((id) => idx.has(id));
  const scores = candidateSourceScores(m, p, Int32Array.from(ids, (id) => idx.get(id)!));
  for (let t = 0; t < ids.length; t++) out.set(ids[t]!, blendScore(m.weights, scores, t));
  // For "why": the share of the catalogue the (first) clip beats for this person. It asks about
  // one clip, on demand, so it may score the whole catalogue (a few milliseconds at 200k model
  // clips; a sample would make the figure shown to the person wobble between two opens).
  const first = videoIds[0] !== undefined ? out.get(videoIds[0]) : undefined;
  if (opts.rankAmongAll && first !== undefined) {
    const all = catalogueScores(m, p);
    let below = 0;
    const n = m.data.items.length;
    for (let i = 0; i < n; i++) if (blendScore(m.weights, all, i) < first) below++;
    out.rank = below / Math.max(1, n - 1);
  }
  return out;
}

/**
 * A person as the model sees them (history in the model's clips, fold-in), kept for the
 * request: a page of For You asks for several candidate lists (each stream, each round) with
 * the same person, and the fold-in needs doing once.
 */
const personStates = new WeakMap<PersonSignals, { model: RecommenderModel; state: PersonState | null }>();
function personOf(m: RecommenderModel, person: PersonSignals): PersonState | null {
  const kept = personStates.get(person);
  if (kept?.model === m) return kept.state;
  const idx = m.data.itemIndex;
  // The person's history in the model's clips: per clip the summed signal weight, positive only, oldest first.
  const weights = new Map<string, number>();
  const times = new Map<string, number>();
  for (const e of [...person.events].reverse()) {
    if (!idx.has(e.videoId)) continue;
    weights.set(e.videoId, (weights.get(e.videoId) ?? 0) + signalWeight(e));
    times.set(e.videoId, e.at);
  }
  const pos = [...weights.entries()].filter(([, w]) => w > 0).sort((a, b) => times.get(a[0])! - times.get(b[0])!);
  const h = {
    items: Int32Array.from(pos, ([id]) => idx.get(id)!),
    weights: Float32Array.from(pos, ([, w]) => w),
    times: Float64Array.from(pos, ([id]) => times.get(id)!),
  };
  const state = pos.length ? personState(m, h, { fold: true, halfLifeSeconds: m.options.halfLifeSeconds }) : null;
  personStates.set(person, { model: m, state });
  return state;
}
