import { ALS_DEFAULTS, type AlsModel, type AlsOptions, alsScores, alsScoresFor, foldIn, trainAls } from './als.ts';
import { blendScore, FEATURE_COUNT, FEATURES, featuresOf, fitPairwise, PRIOR_WEIGHTS, type SourceScores, spreadOf, standardise } from './blend.ts';
import { buildNeighbours, cooccurrenceScores, cooccurrenceScoresFor, type Neighbours, recencyWeights } from './cooccurrence.ts';
import { type EaseModel, type EaseOptions, easeScores, easeScoresFor, trainEase } from './ease.ts';
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
  /** The clips each person's source spread is measured on (`SourceScores.spread`). */
  reference: Int32Array;
  weights: Float64Array;
  options: RecommenderOptions;
  /** What the validation said (docs and the eval print it). */
  validation: ValidationReport | null;
}

export interface ValidationReport {
  people: number;
  pairs: number;
  /**
   * NDCG@10 per candidate blend over all validation people, each half scored by the blend
   * fitted on the other half (two-fold cross-fitting: twice the people of one split).
   */
  ndcg: Record<string, number>;
  chosen: string;
  /** ALS's confidence scale, chosen on validation. */
  alpha: number;
}

/**
 * Reference clips per model: the most watched of those the model may be asked to rank. A
 * person's spread of each source is measured on them (cheap, and the same clips for everyone,
 * so a scorer that scores only some candidates can measure it too).
 */
const REFERENCE_CLIPS = 1000;

/** The components on `x` (no blend yet). */
async function trainComponents(x: Interactions, o: RecommenderOptions, pause?: () => Promise<void>) {
  const als = await trainAls(x, { seed: o.seed, ...o.als }, pause);
  const neighbours = await buildNeighbours(x, { k: o.neighbours, budget: o.neighbourBudget }, pause);
  const ease = await trainEase(x, o.ease, pause);
  const popularity = standardise(Float64Array.from(x.popularity, (p) => Math.log1p(p)));
  const reference: Int32Array = Int32Array.from(topN(x.popularity, REFERENCE_CLIPS, (i) => x.popularity[i]! > 0 && (!o.candidates || o.candidates[i] === 1)));
  return { data: x, als, neighbours, ease, popularity, reference };
}

type Components = Awaited<ReturnType<typeof trainComponents>>;

/**
 * What the sources need of one person, computed once: their history, its recency weights, their
 * ALS vector (`userIndex` uses the trained one; otherwise, or with `fold: true`, it is folded in
 * from `h`) and the co-occurrence normaliser (the person's recency-weighted mass).
 */
export interface PersonState {
  h: History;
  recency: Float64Array;
  vec: Float32Array;
  mass: number;
  /** The sources' spread over the reference clips, computed the first time a candidate list needs it. */
  spread?: Float64Array;
}

export function personState(m: Components, h: History, opts: { userIndex?: number; fold?: boolean; halfLifeSeconds: number }): PersonState {
  const recency = recencyWeights(h, opts.halfLifeSeconds);
  const d = m.als.d;
  const vec =
    opts.userIndex !== undefined && opts.userIndex >= 0 && !opts.fold
      ? m.als.userFactors.subarray(opts.userIndex * d, opts.userIndex * d + d)
      : foldIn(m.als, h, recency);
  let mass = 0;
  for (let k = 0; k < h.items.length; k++) if (h.items[k]! >= 0) mass += recency[k]! * Math.min(h.weights[k]!, 4);
  return { h, recency, vec, mass };
}

/**
 * Each source's scores for one person over the whole catalogue (the offline runner, the
 * evaluation and validation rank every clip; serving scores its candidates with
 * `candidateSourceScores`, which gives the same numbers for those clips).
 */
export function sourceScores(m: Components, h: History, opts: { userIndex?: number; fold?: boolean; halfLifeSeconds: number }): SourceScores {
  return catalogueScores(m, personState(m, h, opts));
}

/** `sourceScores` for a person already folded in (serving keeps the state for the request). */
export function catalogueScores(m: Components, p: PersonState): SourceScores {
  const n = m.data.items.length;
  const h = p.h;
  // Calibrated, not standardised per person: a predicted preference near 0 for everything (a
  // person whose clips the model barely knows) should weigh little, not be blown up to unit
  // variance. Co-occurrence is the mean similarity to the person's (recency-weighted) clips.
  const als = alsScores(m.als, p.vec, new Float64Array(n));
  const cooccurrence = cooccurrenceScores(m.neighbours, h, p.recency, new Float64Array(n));
  if (p.mass > 0) for (let i = 0; i < n; i++) cooccurrence[i]! /= p.mass;
  const ease = easeScores(m.ease, h, new Float64Array(n));
  const inHead = new Uint8Array(n);
  for (const i of m.ease.head) inHead[i] = 1;
  return { als, cooccurrence, ease, popularity: m.popularity, inHead, spread: spreadOf(m.reference, als, cooccurrence, ease) };
}

/**
 * The sources' scores for the clips `items` only, indexed by position (`blendScore(w, s, t)` is
 * the score of `items[t]`): one dot product per candidate, the person's neighbour lists and the
 * candidates' EASE columns. Per request this costs the candidates and the person's history,
 * not the catalogue; the numbers are those of `sourceScores` (model.test.ts checks).
 */
export function candidateSourceScores(m: Components, p: PersonState, items: Int32Array): SourceScores {
  const { als, cooccurrence, ease } = personalScoresFor(m, p, items);
  const popularity = Float64Array.from(items, (i) => m.popularity[i]!);
  const inHead = Uint8Array.from(items, (i) => (m.ease.pos[i]! >= 0 ? 1 : 0));
  // How much each source varies for this person over the model's reference clips (the blend's
  // per-person scale): the same reference clips as `sourceScores`, scored once per person.
  p.spread ??= referenceSpread(m, p);
  return { als, cooccurrence, ease, popularity, inHead, spread: p.spread };
}

/** The personal sources (ALS, co-occurrence, EASE) for the clips `items`, by position. */
function personalScoresFor(m: Components, p: PersonState, items: Int32Array) {
  const n = items.length;
  const als = alsScoresFor(m.als, p.vec, items, new Float64Array(n));
  const cooccurrence = cooccurrenceScoresFor(m.neighbours, p.h, p.recency, items, new Float64Array(n));
  if (p.mass > 0) for (let t = 0; t < n; t++) cooccurrence[t]! /= p.mass;
  const ease = easeScoresFor(m.ease, p.h, items, new Float64Array(n));
  return { als, cooccurrence, ease };
}

function referenceSpread(m: Components, p: PersonState): Float64Array {
  const { als, cooccurrence, ease } = personalScoresFor(m, p, m.reference);
  return spreadOf(Int32Array.from(m.reference, (_, t) => t), als, cooccurrence, ease);
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
  const scored = candidatePool(s, perSource, ok).map((i) => ({ i, score: blendScore(weights, s, i) }));
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  void m;
  return scored.slice(0, k);
}

/** The union of each source's best `perSource` clips that pass `ok` (the candidates the blend orders). */
function candidatePool(s: SourceScores, perSource: number, ok: (i: number) => boolean): number[] {
  const pool = new Set<number>();
  for (const src of [s.als, s.cooccurrence, s.ease, s.popularity]) for (const i of topN(src, perSource, ok)) pool.add(i);
  return [...pool];
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

/**
 * Blends tried on validation: the prior, and pairwise fits over feature sets (masks). Few on
 * purpose: every extra candidate is one more chance to pick a blend that won by luck.
 */
const only = (...names: Array<(typeof FEATURES)[number]>) => FEATURES.map((f) => names.includes(f));
const CANDIDATE_BLENDS: Array<{ name: string; l2: number; mask: boolean[] }> = [
  { name: 'ALS only', l2: 0.01, mask: only('als') },
  { name: 'co-occurrence only', l2: 0.01, mask: only('cooccurrence') },
  { name: 'linear, l2 0.01', l2: 0.01, mask: only('als', 'cooccurrence', 'ease', 'popularity', 'inHead') },
  { name: 'with interactions, l2 0.01', l2: 0.01, mask: only('als', 'cooccurrence', 'ease', 'popularity', 'inHead', 'als×cooccurrence', 'cooccurrence×ease') },
  { name: 'per-person spread, l2 0.01', l2: 0.01, mask: only('als/spread', 'cooccurrence/spread', 'ease/spread', 'popularity', 'inHead') },
  {
    name: 'raw and per-person spread, l2 0.01',
    l2: 0.01,
    mask: only('als', 'cooccurrence', 'ease', 'popularity', 'inHead', 'als/spread', 'cooccurrence/spread', 'ease/spread'),
  },
];

/** A validation person's candidate pool: its features (row per clip) and which clips were held out. */
interface ValidationPool {
  items: Int32Array;
  features: Float64Array;
  held: Uint8Array;
  relevant: number;
}

/** Mean NDCG@10 of ranking each pool by `w` (ties by clip index, as `rankCandidates`). */
function poolNdcg(pools: readonly ValidationPool[], w: Float64Array): number {
  let sum = 0;
  for (const p of pools) {
    const rows = Array.from(p.items.keys(), (r) => {
      let z = 0;
      for (let j = 0; j < FEATURE_COUNT; j++) z += w[j]! * p.features[r * FEATURE_COUNT + j]!;
      return { r, z };
    });
    rows.sort((a, b) => b.z - a.z || p.items[a.r]! - p.items[b.r]!);
    // Held-out clips outside the pool count in the ideal DCG all the same (as ndcgAt).
    let got = 0;
    for (let k = 0; k < Math.min(10, rows.length); k++) if (p.held[rows[k]!.r]) got += 1 / Math.log2(k + 2);
    let ideal = 0;
    for (let k = 0; k < Math.min(10, p.relevant); k++) ideal += 1 / Math.log2(k + 2);
    sum += ideal ? got / ideal : 0;
  }
  return pools.length ? sum / pools.length : 0;
}

/**
 * The pairwise logistic blend on `pools`: each held-out clip against 8 random other clips of
 * its pool, features put on one scale for the penalty (the weights come back in raw units).
 */
function fitBlend(pools: readonly ValidationPool[], l2: number, mask: readonly boolean[], seed: number): Float64Array {
  const rnd = seededRandom(seed);
  const diffs: number[] = [];
  for (const p of pools) {
    const pos: number[] = [];
    const neg: number[] = [];
    for (let r = 0; r < p.held.length; r++) (p.held[r] ? pos : neg).push(r);
    if (!pos.length || !neg.length) continue;
    for (const a of pos) {
      for (let t = 0; t < 8; t++) {
        const b = neg[Math.floor(rnd() * neg.length)]!;
        for (let j = 0; j < FEATURE_COUNT; j++) diffs.push(p.features[a * FEATURE_COUNT + j]! - p.features[b * FEATURE_COUNT + j]!);
      }
    }
  }
  const pairs = diffs.length / FEATURE_COUNT;
  const scale = new Float64Array(FEATURE_COUNT);
  for (let r = 0; r < pairs; r++) for (let j = 0; j < FEATURE_COUNT; j++) scale[j]! += diffs[r * FEATURE_COUNT + j]! ** 2;
  for (let j = 0; j < FEATURE_COUNT; j++) scale[j] = Math.sqrt(scale[j]! / Math.max(pairs, 1)) || 1;
  const scaled = Float64Array.from(diffs, (v, k) => v / scale[k % FEATURE_COUNT]!);
  return fitPairwise(scaled, l2, mask).map((w, j) => w / scale[j]!);
}

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
      if (onCandidates >= 1 && n - onCandidates >= 3) people.push(u);
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
  if (o.candidates) {
    // Only a sample of people lose their candidate rows: everyone else keeps co-watching the
    // candidates, as at serving time, when the people being served are the only ones who have
    // not watched them. (Hiding them from every eligible person leaves almost no co-watching
    // between the rest of the catalogue and the candidates, and validation then prefers
    // popularity to what people watched together.)
    shuffle(people, rnd);
    people.length = Math.min(people.length, o.validationPeople);
    for (const u of people) for (let k = x.uPtr[u]!; k < x.uPtr[u + 1]!; k++) if (o.candidates[x.uItems[k]!] === 1) held[k] = 1;
  }
  let weights: Float64Array = Float64Array.from(PRIOR_WEIGHTS);
  let chosenAlpha = o.als.alpha ?? ALS_DEFAULTS.alpha;
  let validation: ValidationReport | null = null;
  if (people.length >= 20) {
    const train = subset(x, (_, k) => !held[k]);
    const comp = await trainComponents(train, o, pause);
    shuffle(people, rnd);
    const sample = people.slice(0, o.validationPeople);
    // ALS's confidence scale α: chosen on some validation people by ALS's own NDCG@10 (a small α shrinks
    // rarely watched clips' factors to nothing; a large one trusts every interaction).
    const alsNdcg: Record<string, number> = {};
    if (!o.als.alpha && o.alphaGrid.length > 1) {
      let best = { alpha: comp.als.alpha, ndcg: Number.NEGATIVE_INFINITY, als: comp.als };
      const probe = sample.slice(0, 300);
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
    // Each validation person's candidate pool (the clips the blend orders, as serving does),
    // its features and which of its clips were held out: computed once, then every candidate
    // blend is fitted and scored on them.
    const pools: ValidationPool[] = [];
    for (const u of sample) {
      const h = historyOf(train, u);
      const s = sourceScores(comp, h, { userIndex: u, halfLifeSeconds: o.halfLifeSeconds });
      const own = new Set(h.items);
      const positives = heldOf(x, held, u, candidate);
      if (!positives.size) continue;
      const items = Int32Array.from(candidatePool(s, o.perSource, (i) => !own.has(i) && candidate(i)));
      const features = new Float64Array(items.length * FEATURE_COUNT);
      for (let r = 0; r < items.length; r++) featuresOf(s, items[r]!, features, r * FEATURE_COUNT);
      pools.push({ items, features, held: Uint8Array.from(items, (i) => (positives.has(i) ? 1 : 0)), relevant: positives.size });
      await pause?.();
    }
    // Two-fold cross-fitting: each half is scored by the blend fitted on the other, so every
    // validation person checks every blend (twice the people of a fit/check split: blends that
    // differ by a few thousandths are told apart more often). The chosen blend is then refitted
    // on both halves.
    const halves = [pools.filter((_, k) => k % 2 === 0), pools.filter((_, k) => k % 2 === 1)] as const;
    const ndcg: Record<string, number> = { prior: poolNdcg(pools, PRIOR_WEIGHTS) };
    for (const b of CANDIDATE_BLENDS) {
      let sum = 0;
      for (const [fitOn, checkOn] of [[0, 1] as const, [1, 0] as const]) {
        sum += poolNdcg(halves[checkOn], fitBlend(halves[fitOn], b.l2, b.mask, o.seed)) * halves[checkOn].length;
        await pause?.();
      }
      ndcg[b.name] = sum / Math.max(pools.length, 1);
    }
    const chosen = Object.keys(ndcg).reduce((a, b) => (ndcg[b]! > ndcg[a]! ? b : a));
    const blend = CANDIDATE_BLENDS.find((b) => b.name === chosen);
    if (blend) weights = fitBlend(pools, blend.l2, blend.mask, o.seed);
    let pairs = 0;
    for (const p of pools) for (const h of p.held) pairs += h * 8;
    validation = { people: pools.length, pairs, ndcg: { ...alsNdcg, ...ndcg }, chosen, alpha: chosenAlpha };
  }
  const comp = await trainComponents(x, { ...o, als: { ...o.als, alpha: chosenAlpha } }, pause);
  return { ...comp, weights, options: o, validation };
}

/** In place, seeded (Fisher–Yates). */
function shuffle<T>(a: T[], rnd: () => number): T[] {
  for (let k = a.length - 1; k > 0; k--) {
    const j = Math.floor(rnd() * (k + 1));
    [a[k], a[j]] = [a[j]!, a[k]!];
  }
  return a;
}

function heldOf(x: Interactions, held: Uint8Array, u: number, keep: (i: number) => boolean = () => true): Set<number> {
  const s = new Set<number>();
  for (let k = x.uPtr[u]!; k < x.uPtr[u + 1]!; k++) if (held[k] && keep(x.uItems[k]!)) s.add(x.uItems[k]!);
  return s;
}
