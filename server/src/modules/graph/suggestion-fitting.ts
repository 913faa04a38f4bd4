/**
 * Fits the suggestion model on the graph it will serve, self-supervised: hide a share of the
 * friendships, gather each affected person's candidates from the rest exactly as the service
 * does, and learn weights under which the hidden friends rank above the other candidates.
 * Pure (no I/O): the worker runs it on the live graph, `npm run eval:suggestions` on the
 * evaluation's training graph.
 */
import { buildSocialGraph, CandidateCollector, friendshipsOf, oneWayFollowsOf, type PoolLimits, type SocialGraph } from './suggestion-graph.ts';
import { FEATURE_COUNT, FIXED_FEATURES, PRIOR_MODEL, type RankingModel, writeFeatures } from './suggestion-ranking.ts';
import { seededRandom } from '../../platform/random/seeded-random.ts';


/** Fisher-Yates shuffle of 0..n-1 with `rnd`. */
export function shuffledIndices(n: number, rnd: () => number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

export interface FitOptions {
  seed: number;
  /** The service's candidate pool limits: the model learns to rank what the service will rank. */
  limits: PoolLimits;
  /** Share of the friendships hidden at a time (default 0.1). */
  holdout?: number;
  /** At most this many people's candidate lists are learned from (bounds time and memory). */
  maxViewers?: number;
  /** Fewer hidden friends than this among the candidates: too little evidence, keep the prior. */
  minPositives?: number;
  /** How many observations' worth the prior counts for (L2 pull towards it). */
  priorStrength?: number;
  /**
   * Friendships as [who followed first, who followed back], when the graph knows (the live
   * graph does; a dataset of undirected edges does not). Each side of a hidden friendship is
   * then learned from as they acted: the first follower without either follow, the one who
   * followed back with the first follow still there (a follower).
   */
  followBacks?: Int32Array;
}

export interface FitReport {
  model: RankingModel;
  /** 'fitted': learned here; 'prior': too little graph, or the fit ranked held-out friends clearly worse. */
  source: 'fitted' | 'prior';
  reason: string;
  /** People learned from and hidden friends among their candidates. */
  viewers: number;
  positives: number;
  /**
   * Over the candidate pools of held-out people, the mean reciprocal rank of their hidden
   * friends (each against the other candidates) under the fitted model and under the prior.
   */
  validation: { viewers: number; fitted: number; prior: number };
}

/** One person's candidate pool with the hidden friends marked: a training example. */
interface Example {
  size: number;
  x: Float32Array;
  positive: Uint8Array;
}

const DEFAULTS = { holdout: 0.1, maxViewers: 2000, minPositives: 50, priorStrength: 10 };
type Resolved = FitOptions & typeof DEFAULTS;

/**
 * Lets a long fit share the event loop (the worker may run in the process that serves
 * requests) and stop when its job is cancelled: every ~20 ms of work it yields once.
 */
function breather(signal?: AbortSignal) {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 20) return;
    await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    last = performance.now();
  };
}

/** Fits the model on `graph`; falls back to PRIOR_MODEL when the graph is too small to learn from. */
export async function fitSuggestionModel(graph: SocialGraph, opts: FitOptions & { signal?: AbortSignal }): Promise<FitReport> {
  const o: Resolved = { ...DEFAULTS, ...opts };
  const rnd = seededRandom(o.seed);
  const pause = breather(opts.signal);
  const examples = await collectExamples(graph, o, rnd, pause);
  const positives = examples.reduce((n, e) => n + e.positive.reduce((a, b) => a + b, 0), 0);
  const empty = { viewers: 0, fitted: 0, prior: 0 };
  if (positives < o.minPositives) {
    return { model: PRIOR_MODEL, source: 'prior', reason: `too small to fit: ${positives} hidden friends among candidates (need ${o.minPositives})`, viewers: examples.length, positives, validation: empty };
  }
  // A fifth of the people are kept aside to check that the fit ranks better than the prior.
  const order = shuffledIndices(examples.length, rnd);
  const nVal = Math.floor(examples.length / 5);
  const val = Array.from(order.subarray(0, nVal), (i) => examples[i]!);
  const train = Array.from(order.subarray(nVal), (i) => examples[i]!);
  const model = { weights: await newtonFit(train, PRIOR_MODEL.weights, o.priorStrength, pause) };
  const fitted = val.map((e) => reciprocalRank(e, model));
  const prior = val.map((e) => reciprocalRank(e, PRIOR_MODEL));
  const validation = { viewers: val.length, fitted: mean(fitted), prior: mean(prior) };
  const base = { viewers: examples.length, positives, validation };
  // Held-out people are few on a small graph, so the check is a paired test, not a comparison
  // of two noisy means: keep the prior only when the fit is worse beyond doubt (two standard errors).
  const diff = fitted.map((f, i) => f - prior[i]!);
  const se = Math.sqrt(mean(diff.map((x) => (x - mean(diff)) ** 2)) / Math.max(1, diff.length - 1));
  if (mean(diff) + 2 * se < 0) {
    return { model: PRIOR_MODEL, source: 'prior', reason: 'the fitted model ranked held-out friends worse than the prior', ...base };
  }
  return { model, source: 'fitted', reason: 'fitted', ...base };
}

type Lost = Map<number, Set<number>>;
const lose = (lost: Lost, v: number, friend: number) => {
  const s = lost.get(v);
  if (s) s.add(friend);
  else lost.set(v, new Set([friend]));
};

/**
 * Hides friendships a share at a time (several disjoint shares on a small graph, so every
 * friendship can teach once) and records, for people who lost one, their candidate pool on the
 * rest of the graph with the hidden friends marked. A friendship whose order is known is seen
 * twice, each side as it was when they acted: the one who followed first, on a graph without
 * either follow; the one who followed back, with the first follow still there.
 */
async function collectExamples(graph: SocialGraph, o: Resolved, rnd: () => number, pause: () => Promise<void>): Promise<Example[]> {
  const oriented = Boolean(o.followBacks);
  const pairs = o.followBacks ?? friendshipsOf(graph);
  const m = pairs.length >> 1;
  if (m === 0) return [];
  const perRound = Math.max(1, Math.round(m * o.holdout));
  const rounds = Math.min(Math.ceil(m / perRound), Math.max(1, Math.ceil(o.maxViewers / perRound)));
  const order = shuffledIndices(m, rnd);
  const oneWay = oneWayFollowsOf(graph);
  const examples: Example[] = [];
  for (let r = 0; r < rounds; r++) {
    const hidden = new Uint8Array(m);
    const from = r * perRound;
    const to = Math.min(m, from + perRound);
    for (let k = from; k < to; k++) hidden[order[k]!] = 1;
    const kept = new Int32Array(2 * (m - (to - from)));
    const firstFollows: number[] = [];
    const lostBefore: Lost = new Map();
    const lostAfterFirstFollow: Lost = new Map();
    let k = 0;
    for (let i = 0; i < m; i++) {
      const a = pairs[2 * i]!;
      const b = pairs[2 * i + 1]!;
      if (!hidden[i]) {
        kept[k++] = a;
        kept[k++] = b;
      } else if (oriented) {
        lose(lostBefore, a, b);
        firstFollows.push(a, b);
        lose(lostAfterFirstFollow, b, a);
      } else {
        lose(lostBefore, a, b);
        lose(lostBefore, b, a);
      }
    }
    const budget = Math.ceil(o.maxViewers / rounds / (oriented ? 2 : 1));
    await learnFrom(buildSocialGraph(graph.n, kept, oneWay), lostBefore, budget, o, rnd, pause, examples);
    if (oriented) await learnFrom(buildSocialGraph(graph.n, kept, concat(oneWay, firstFollows)), lostAfterFirstFollow, budget, o, rnd, pause, examples);
  }
  return examples;
}

/** Adds the examples of up to `budget` people of `lost` (chosen at random), seen on graph `g`. */
async function learnFrom(g: SocialGraph, lost: Lost, budget: number, o: Resolved, rnd: () => number, pause: () => Promise<void>, examples: Example[]) {
  const collector = new CandidateCollector(g, o.limits);
  const viewers = [...lost.keys()];
  const pick = shuffledIndices(viewers.length, rnd);
  const f64 = new Float64Array(FEATURE_COUNT);
  for (let i = 0; i < Math.min(budget, viewers.length); i++) {
    await pause();
    const u = viewers[pick[i]!]!;
    const truth = lost.get(u)!;
    const cands = collector.collect(u);
    const size = cands.pool.length;
    const positive = new Uint8Array(size);
    let count = 0;
    cands.pool.forEach((s, j) => {
      if (truth.has(cands.ids[s]!)) {
        positive[j] = 1;
        count += 1;
      }
    });
    // The softmax learns from a hidden friend against other candidates: it needs both.
    if (count === 0 || count === size) continue;
    const x = new Float32Array(size * FEATURE_COUNT);
    cands.pool.forEach((s, j) => {
      writeFeatures(collector.features(u, cands, s), f64);
      x.set(f64, j * FEATURE_COUNT);
    });
    examples.push({ size, x, positive });
  }
}

function concat(a: Int32Array, b: number[]): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Minimises Σ over hidden friends p of −log softmax(p against the person's other candidates)
 * + (λ/2)·|w − prior|² by Newton's method. The softmax loss weighs the candidates a model
 * ranks highest the most, which is what a top-10 list needs; the log-linear score keeps it
 * convex, so a handful of Newton steps (11 weights: an 11×11 solve) converge.
 */
async function newtonFit(examples: Example[], prior: readonly number[], lambda: number, pause: () => Promise<void>): Promise<number[]> {
  const d = FEATURE_COUNT;
  const w = Float64Array.from(prior);
  const free = Array.from({ length: d }, (_, i) => !FIXED_FEATURES.has(i));
  let loss = await objective(examples, w, prior, lambda, pause);
  for (let iter = 0; iter < 30; iter++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      grad[i] = lambda * (w[i]! - prior[i]!);
      hess[i * d + i] = lambda;
    }
    for (const e of examples) {
      accumulate(e, w, grad, hess);
      await pause();
    }
    for (let i = 0; i < d; i++) {
      if (free[i]) continue;
      grad[i] = 0;
      for (let j = 0; j < d; j++) hess[i * d + j] = hess[j * d + i] = i === j ? 1 : 0;
    }
    const step = solve(hess, grad, d);
    // Backtracking: a full Newton step almost always lowers the loss; halve it when it does not.
    let t = 1;
    let next = w;
    let nextLoss = loss;
    for (let tries = 0; tries < 20; tries++, t /= 2) {
      next = w.map((v, i) => v - t * step[i]!);
      nextLoss = await objective(examples, next, prior, lambda, pause);
      if (nextLoss <= loss) break;
    }
    if (!(nextLoss <= loss)) break;
    const moved = Math.max(...next.map((v, i) => Math.abs(v - w[i]!)));
    w.set(next);
    const improved = loss - nextLoss;
    loss = nextLoss;
    if (moved < 1e-6 || improved < 1e-9 * Math.max(1, Math.abs(loss))) break;
  }
  return Array.from(w);
}

/** Scores of one example's candidates under `w`. */
function scores(e: Example, w: ArrayLike<number>): Float64Array {
  const d = FEATURE_COUNT;
  const s = new Float64Array(e.size);
  for (let j = 0; j < e.size; j++) {
    let v = 0;
    for (let i = 0; i < d; i++) v += w[i]! * e.x[j * d + i]!;
    s[j] = v;
  }
  return s;
}

async function objective(examples: Example[], w: ArrayLike<number>, prior: readonly number[], lambda: number, pause: () => Promise<void>): Promise<number> {
  let loss = 0;
  for (let i = 0; i < FEATURE_COUNT; i++) loss += (lambda / 2) * (w[i]! - prior[i]!) ** 2;
  for (const e of examples) {
    const s = scores(e, w);
    let max = -Infinity;
    for (let j = 0; j < e.size; j++) max = Math.max(max, s[j]!);
    let zNeg = 0;
    for (let j = 0; j < e.size; j++) if (!e.positive[j]) zNeg += Math.exp(s[j]! - max);
    for (let j = 0; j < e.size; j++) if (e.positive[j]) loss += Math.log(zNeg + Math.exp(s[j]! - max)) + max - s[j]!;
    await pause();
  }
  return loss;
}

/**
 * Adds one example's gradient and Hessian. The moments over the negatives are shared by every
 * hidden friend of the person; each positive then adds only its own term.
 */
function accumulate(e: Example, w: ArrayLike<number>, grad: Float64Array, hess: Float64Array) {
  const d = FEATURE_COUNT;
  const s = scores(e, w);
  let max = -Infinity;
  for (let j = 0; j < e.size; j++) max = Math.max(max, s[j]!);
  let z = 0;
  const m1 = new Float64Array(d);
  const m2 = new Float64Array(d * d);
  for (let j = 0; j < e.size; j++) {
    if (e.positive[j]) continue;
    const p = Math.exp(s[j]! - max);
    z += p;
    const o = j * d;
    for (let a = 0; a < d; a++) {
      const xa = p * e.x[o + a]!;
      m1[a]! += xa;
      for (let b = a; b < d; b++) m2[a * d + b]! += xa * e.x[o + b]!;
    }
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < e.size; j++) {
    if (!e.positive[j]) continue;
    const p = Math.exp(s[j]! - max);
    const total = z + p;
    const o = j * d;
    for (let a = 0; a < d; a++) mean[a] = (m1[a]! + p * e.x[o + a]!) / total;
    for (let a = 0; a < d; a++) {
      grad[a]! += mean[a]! - e.x[o + a]!;
      for (let b = a; b < d; b++) {
        const cov = (m2[a * d + b]! + p * e.x[o + a]! * e.x[o + b]!) / total - mean[a]! * mean[b]!;
        hess[a * d + b]! += cov;
        if (b !== a) hess[b * d + a]! += cov;
      }
    }
  }
}

/** Solves H·x = g for a small symmetric positive definite H (Gaussian elimination, partial pivoting). */
function solve(h: Float64Array, g: Float64Array, d: number): Float64Array {
  const a = Float64Array.from(h);
  const x = Float64Array.from(g);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(a[r * d + c]!) > Math.abs(a[p * d + c]!)) p = r;
    if (p !== c) {
      for (let k = 0; k < d; k++) [a[c * d + k], a[p * d + k]] = [a[p * d + k]!, a[c * d + k]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    const pivot = a[c * d + c]!;
    for (let r = c + 1; r < d; r++) {
      const f = a[r * d + c]! / pivot;
      if (f === 0) continue;
      for (let k = c; k < d; k++) a[r * d + k]! -= f * a[c * d + k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = d - 1; c >= 0; c--) {
    let v = x[c]!;
    for (let k = c + 1; k < d; k++) v -= a[c * d + k]! * x[k]!;
    x[c] = v / a[c * d + c]!;
  }
  return x;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Mean reciprocal rank of a person's hidden friends in their candidate pool under `model` (ties
 * count against it). Unlike P@10 it still tells rankings apart when a pool has fewer than ten.
 */
function reciprocalRank(e: Example, model: RankingModel): number {
  const s = scores(e, model.weights);
  let sum = 0;
  let count = 0;
  for (let j = 0; j < e.size; j++) {
    if (!e.positive[j]) continue;
    let rank = 1;
    for (let k = 0; k < e.size; k++) if (k !== j && !e.positive[k] && s[k]! >= s[j]!) rank += 1;
    sum += 1 / rank;
    count += 1;
  }
  return sum / count;
}
