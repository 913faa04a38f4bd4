import { ALS_DEFAULTS, type AlsModel, type AlsOptions, alsScores, foldIn, trainAls } from './als.ts';
import { blendScore, FEATURE_COUNT, FEATURES, featuresOf, fitPairwise, PRIOR_WEIGHTS, type SourceScores, standardise } from './blend.ts';
import { buildNeighbours, cooccurrenceScores, type Neighbours, recencyWeights } from './cooccurrence.ts';
import { type EaseModel, type EaseOptions, easeScores, trainEase } from './ease.ts';
import { type History, historyOf, type Interactions, subset } from './interactions.ts';
import { seededRandom } from '../../platform/random/seeded-random.ts';

/**
 * Loop's recommender: three candidate sources learned from the interaction matrix — implicit
 * ALS (long-term taste, folded in per event), time-decayed item co-occurrence (what goes with
 * the last clips watched) and EASE (the head of the catalogue) — beside popularity, ranked by
 * a blend fitted on interactions held out from the training data. The same `recommend` serves
 * `/feed/for-you`, `npm run recommend:offline` and the offline evaluation.
 */
export interface RecommenderOptions {
  als: Partial<AlsOptions>;
  ease: Partial<EaseOptions>;
  /** Co-occurrence neighbours kept per clip, and in all (see NeighbourOptions). */
  neighbours: number;
  neighbourBudget: number;
  /** Co-occurrence recency half-life (seconds of the history's own clock). */
  halfLifeSeconds: number;
  /** Share of each person's interactions held out to fit the blend and choose among settings. */
  holdout: number;
  /** People whose held-out interactions teach the blend at most (a sample keeps the fit short). */
  validationPeople: number;
  /** Candidates each source contributes before ranking. */
  perSource: number;
  /** ALS confidence scales tried on validation (unless `als.alpha` is given). */
  alphaGrid: number[];
  seed: number;
  /**
   * The clips the model will be asked to rank (1 = may be recommended), when serving ranks a
   * subset of the catalogue for people who have not watched it. Validation then does that same
   * task: each validation person's interactions with candidate clips are held out and the
   * candidates are ranked from the rest of their history, so the blend is chosen for what it
   * will do rather than for recovering random rows of the log.
   */
  candidates?: Uint8Array;
}

export const RECOMMENDER_DEFAULTS: RecommenderOptions = {
  als: {},
  ease: {},
  neighbours: Number.POSITIVE_INFINITY,
  neighbourBudget: 30_000_000,
  halfLifeSeconds: 3 * 24 * 3600,
  holdout: 0.2,
  validationPeople: 1500,
  perSource: 200,
  alphaGrid: [4, 40],
  seed: 1,
};

export interface RecommenderModel {
  data: Interactions;
  als: AlsModel;
  neighbours: Neighbours;
  ease: EaseModel;
  /** Standardised log(1 + popularity) per clip. */
  popularity: Float64Array;
  weights: Float64Array;
  options: RecommenderOptions;
  /** What the validation said (docs and the eval print it). */
  validation: ValidationReport | null;
}

export interface ValidationReport {
  people: number;
  pairs: number;
  /** NDCG@10 on the check half of the validation people, per candidate blend. */
  ndcg: Record<string, number>;
  chosen: string;
  /** ALS's confidence scale, chosen on validation. */
  alpha: number;
}

/** The components on `x` (no blend yet). */
async function trainComponents(x: Interactions, o: RecommenderOptions, pause?: () => Promise<void>) {
  const als = await trainAls(x, { seed: o.seed, ...o.als }, pause);
  const neighbours = await buildNeighbours(x, { k: o.neighbours, budget: o.neighbourBudget }, pause);
  const ease = await trainEase(x, o.ease, pause);
  const popularity = standardise(Float64Array.from(x.popularity, (p) => Math.log1p(p)));
  return { data: x, als, neighbours, ease, popularity };
}

type Components = Awaited<ReturnType<typeof trainComponents>>;

/**
 * Each source's scores for one person over the whole catalogue. `userIndex` uses the
 * trained vector; otherwise (or with `fold: true`) the vector is folded in from `h`.
 */
export function sourceScores(m: Components, h: History, opts: { userIndex?: number; fold?: boolean; halfLifeSeconds: number }): SourceScores {
  const n = m.data.items.length;
  const recency = recencyWeights(h, opts.halfLifeSeconds);
  const d = m.als.d;
  const vec =
    opts.userIndex !== undefined && opts.userIndex >= 0 && !opts.fold
      ? m.als.userFactors.subarray(opts.userIndex * d, opts.userIndex * d + d)
      : foldIn(m.als, h, recency);
  // Calibrated, not standardised per person: a predicted preference near 0 for everything (a
  // person whose clips the model barely knows) should weigh little, not be blown up to unit
  // variance. Co-occurrence is the mean similarity to the person's (recency-weighted) clips.
  const als = alsScores(m.als, vec, new Float64Array(n));
  const cooccurrence = cooccurrenceScores(m.neighbours, h, recency, new Float64Array(n));
  let mass = 0;
  for (let k = 0; k < h.items.length; k++) if (h.items[k]! >= 0) mass += recency[k]! * Math.min(h.weights[k]!, 4);
  if (mass > 0) for (let i = 0; i < n; i++) cooccurrence[i]! /= mass;
  const ease = easeScores(m.ease, h, new Float64Array(n));
  const inHead = new Uint8Array(n);
  for (const i of m.ease.head) inHead[i] = 1;
  return { als, cooccurrence, ease, popularity: m.popularity, inHead };
}

/** Indices of the `n` largest `scores[i]` with `ok(i)`, best first. */
export function topN(scores: Float64Array, n: number, ok: (i: number) => boolean): number[] {
  // A small min-heap of the best so far.
  const heap: number[] = [];
  const less = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  const down = (k: number) => {
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === k) return;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (!ok(i)) continue;
    if (heap.length < n) {
      heap.push(i);
      for (let k = heap.length - 1; k > 0; ) {
        const p = (k - 1) >> 1;
        if (!less(heap[k]!, heap[p]!)) break;
        [heap[k], heap[p]] = [heap[p]!, heap[k]!];
        k = p;
      }
    } else if (less(heap[0]!, i)) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
}

/**
 * Candidate sources → ranking for one person: each source's best `perSource` clips that pass
 * `ok` (the caller's rules: not seen, allowed), then the blend orders their union.
 */
export function rankCandidates(m: Components, s: SourceScores, weights: Float64Array, k: number, perSource: number, ok: (i: number) => boolean) {
  const pool = new Set<number>();
  for (const src of [s.als, s.cooccurrence, s.ease, s.popularity]) for (const i of topN(src, perSource, ok)) pool.add(i);
  const scored = [...pool].map((i) => ({ i, score: blendScore(weights, s, i) }));
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  void m;
  return scored.slice(0, k);
}

/** The top `k` for a person of the training data, none they already have (the offline runner). */
export function recommendForUser(m: RecommenderModel, u: number, k: number, allowed?: Uint8Array) {
  const h = historyOf(m.data, u);
  const s = sourceScores(m, h, { userIndex: u, halfLifeSeconds: m.options.halfLifeSeconds });
  const own = new Set(h.items);
  return rankCandidates(m, s, m.weights, k, m.options.perSource, (i) => !own.has(i) && (!allowed || allowed[i] === 1));
}

const dcg = (hits: boolean[]) => hits.reduce((s, h, r) => s + (h ? 1 / Math.log2(r + 2) : 0), 0);
/** NDCG@k with binary relevance (the ideal puts min(k, |relevant|) hits first). */
export function ndcgAt(ranked: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  const hits = ranked.slice(0, k).map((i) => relevant.has(i));
  const ideal = dcg(Array.from({ length: Math.min(k, relevant.size) }, () => true));
  return ideal ? dcg(hits) / ideal : 0;
}

/** Candidates per source in the pool the blend's training pairs come from. */
const POOL_FOR_PAIRS = 50;

/** Blends tried on validation: the prior, the full fit, and fits without the interactions. */
const only = (...names: string[]) => FEATURES.map((f) => names.includes(f));
const CANDIDATE_BLENDS: Array<{ name: string; l2: number; mask?: boolean[] }> = [
  { name: 'ALS only', l2: 0.01, mask: only('als') },
  { name: 'co-occurrence only', l2: 0.01, mask: only('cooccurrence') },
  { name: 'linear, l2 0.01', l2: 0.01, mask: FEATURES.map((_, j) => j < 5) },
  { name: 'with interactions, l2 0.01', l2: 0.01 },
  { name: 'with interactions, l2 0.1', l2: 0.1 },
];

/**
 * Fits the recommender on `x`: holds out a share of each person's interactions (their latest
 * when times are known, a seeded random share otherwise), trains the sources on the rest, fits
 * the blend on pairs (held-out clip ≻ other candidate) of half the validation people and picks
 * the blend that ranks best for the other half; then retrains the sources on all of `x`.
 */
export async function fitRecommender(x: Interactions, opts: Partial<RecommenderOptions> = {}, pause?: () => Promise<void>): Promise<RecommenderModel> {
  const o: RecommenderOptions = { ...RECOMMENDER_DEFAULTS, ...opts };
  const rnd = seededRandom(o.seed);
  const candidate = (i: number) => !o.candidates || o.candidates[i] === 1;
  const held = new Uint8Array(x.uItems.length);
  const people: number[] = [];
  for (let u = 0; u < x.users.length; u++) {
    const a = x.uPtr[u]!;
    const n = x.uPtr[u + 1]! - a;
    if (o.candidates) {
      let onCandidates = 0;
      for (let k = a; k < a + n; k++) onCandidates += o.candidates[x.uItems[k]!] === 1 ? 1 : 0;
      if (onCandidates < 1 || n - onCandidates < 3) continue;
      people.push(u);
      for (let k = a; k < a + n; k++) if (o.candidates[x.uItems[k]!] === 1) held[k] = 1;
      continue;
    }
    const out = Math.floor(n * o.holdout);
    if (n < 3 || out < 1) continue;
    people.push(u);
    const timed = x.uTimes[a] !== x.uTimes[a + n - 1];
    if (timed) for (let k = n - out; k < n; k++) held[a + k] = 1;
    else {
      const order = Array.from({ length: n }, (_, k) => k);
      for (let k = n - 1; k > 0; k--) {
        const j = Math.floor(rnd() * (k + 1));
        [order[k], order[j]] = [order[j]!, order[k]!];
      }
      for (const k of order.slice(0, out)) held[a + k] = 1;
    }
  }
  let weights: Float64Array = Float64Array.from(PRIOR_WEIGHTS);
  let chosenAlpha = o.als.alpha ?? ALS_DEFAULTS.alpha;
  let validation: ValidationReport | null = null;
  if (people.length >= 20) {
    const train = subset(x, (_, k) => !held[k]);
    const comp = await trainComponents(train, o, pause);
    for (let k = people.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [people[k], people[j]] = [people[j]!, people[k]!];
    }
    const sample = people.slice(0, o.validationPeople);
    const fitPeople = sample.slice(0, Math.ceil(sample.length / 2));
    const checkPeople = sample.slice(fitPeople.length);
    // ALS's confidence scale α: chosen on the fit half by ALS's own NDCG@10 (a small α shrinks
    // rarely watched clips' factors to nothing; a large one trusts every interaction).
    const alsNdcg: Record<string, number> = {};
    if (!o.als.alpha && o.alphaGrid.length > 1) {
      let best = { alpha: comp.als.alpha, ndcg: Number.NEGATIVE_INFINITY, als: comp.als };
      const probe = fitPeople.slice(0, 300);
      for (const alpha of o.alphaGrid) {
        const als = alpha === comp.als.alpha ? comp.als : await trainAls(train, { seed: o.seed, ...o.als, alpha }, pause);
        let ndcg = 0;
        for (const u of probe) {
          const h = historyOf(train, u);
          const own = new Set(h.items);
          const s = sourceScores({ ...comp, als }, h, { userIndex: u, halfLifeSeconds: o.halfLifeSeconds });
          ndcg += ndcgAt(topN(s.als, 10, (i) => !own.has(i) && candidate(i)), heldOf(x, held, u, candidate), 10) / Math.max(probe.length, 1);
        }
        alsNdcg[`α ${alpha}`] = ndcg;
        if (ndcg > best.ndcg) best = { alpha, ndcg, als };
      }
      comp.als = best.als;
      chosenAlpha = best.alpha;
    }
    const diffs: number[] = [];
    const f = new Float64Array(FEATURE_COUNT * 2);
    for (const u of fitPeople) {
      const h = historyOf(train, u);
      const s = sourceScores(comp, h, { userIndex: u, halfLifeSeconds: o.halfLifeSeconds });
      const own = new Set(h.items);
      const held_ = heldOf(x, held, u, candidate);
      // Pairs within the candidate pool only: that is what the blend ranks. (A held-out clip
      // outside the pool paired with pool clips would teach that high source scores are bad.)
      const pool = rankCandidates(comp, s, PRIOR_WEIGHTS, Number.POSITIVE_INFINITY, POOL_FOR_PAIRS, (i) => !own.has(i) && candidate(i)).map((c) => c.i);
      const positives = pool.filter((i) => held_.has(i));
      const negatives = pool.filter((i) => !held_.has(i));
      if (!negatives.length || !positives.length) continue;
      for (const p of positives) {
        for (let t = 0; t < 8; t++) {
          const q = negatives[Math.floor(rnd() * negatives.length)]!;
          featuresOf(s, p, f, 0);
          featuresOf(s, q, f, FEATURE_COUNT);
          for (let j = 0; j < FEATURE_COUNT; j++) diffs.push(f[j]! - f[FEATURE_COUNT + j]!);
        }
      }
      await pause?.();
    }
    // Features on one scale for the penalty (weights are turned back into raw units after).
    const scale = new Float64Array(FEATURE_COUNT);
    const pairs = diffs.length / FEATURE_COUNT;
    for (let r = 0; r < pairs; r++) for (let j = 0; j < FEATURE_COUNT; j++) scale[j]! += diffs[r * FEATURE_COUNT + j]! ** 2;
    for (let j = 0; j < FEATURE_COUNT; j++) scale[j] = Math.sqrt(scale[j]! / Math.max(pairs, 1)) || 1;
    const scaled = Float64Array.from(diffs, (v, k) => v / scale[k % FEATURE_COUNT]!);
    const fits = CANDIDATE_BLENDS.map((b) => ({ name: b.name, w: fitPairwise(scaled, b.l2, b.mask).map((w, j) => w / scale[j]!) }));
    fits.unshift({ name: 'prior', w: Float64Array.from(PRIOR_WEIGHTS) });
    const ndcg: Record<string, number> = {};
    for (const b of fits) ndcg[b.name] = 0;
    for (const u of checkPeople) {
      const h = historyOf(train, u);
      const s = sourceScores(comp, h, { userIndex: u, halfLifeSeconds: o.halfLifeSeconds });
      const own = new Set(h.items);
      const positives = heldOf(x, held, u, candidate);
      if (!positives.size) continue;
      for (const b of fits) ndcg[b.name]! += ndcgAt(rankCandidates(comp, s, b.w, 10, o.perSource, (i) => !own.has(i) && candidate(i)).map((c) => c.i), positives, 10) / checkPeople.length;
      await pause?.();
    }
    const best = fits.reduce((a, b) => (ndcg[b.name]! > ndcg[a.name]! ? b : a));
    weights = best.w;
    validation = { people: sample.length, pairs: diffs.length / FEATURE_COUNT, ndcg: { ...alsNdcg, ...ndcg }, chosen: best.name, alpha: chosenAlpha };
  }
  const comp = await trainComponents(x, { ...o, als: { ...o.als, alpha: chosenAlpha } }, pause);
  return { ...comp, weights, options: o, validation };
}

function heldOf(x: Interactions, held: Uint8Array, u: number, keep: (i: number) => boolean = () => true): Set<number> {
  const s = new Set<number>();
  for (let k = x.uPtr[u]!; k < x.uPtr[u + 1]!; k++) if (held[k] && keep(x.uItems[k]!)) s.add(x.uItems[k]!);
  return s;
}
