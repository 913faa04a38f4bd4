import { solveSpd } from './dense.ts';

/**
 * The learned blend: a linear score over per-(person, clip) features, fitted as a pairwise
 * logistic model (P(clip a is preferred to clip b) = σ(w·(f_a − f_b))) on interactions held
 * out from training, by Newton's method with an L2 penalty. With a handful of features the
 * fit is exact and quick, and it cannot overfit one dataset the way a hand-tuned formula can.
 */

/**
 * The features, in order (docs/recommender.md explains each). The last three are the personal
 * sources over the person's own spread of them (`SourceScores.spread`): the same ranking
 * within one source, but a person whose co-watching is sharply peaked and whose ALS is flat
 * leans on co-watching, and the other way round, where raw scores weigh every person alike.
 */
export const FEATURES = [
  'als',
  'cooccurrence',
  'ease',
  'popularity',
  'inHead',
  'als×cooccurrence',
  'cooccurrence×ease',
  'als/spread',
  'cooccurrence/spread',
  'ease/spread',
] as const;
export const FEATURE_COUNT = FEATURES.length;

/**
 * The weights used until there is enough data to fit, in the features' raw units (ALS and EASE
 * predict a preference near 0–1; co-occurrence is a mean cosine, an order smaller; popularity
 * is standardised): mostly the personal sources, a little popularity.
 */
export const PRIOR_WEIGHTS = Float64Array.from([1, 5, 0.5, 0.1, 0, 0, 0, 0, 0, 0]);

/** Each source's score for one person, one clip at a time (raw, calibrated units; popularity standardised). */
export interface SourceScores {
  als: Float64Array;
  cooccurrence: Float64Array;
  ease: Float64Array;
  /** Standardised log popularity (global). */
  popularity: Float64Array;
  inHead: Uint8Array;
  /**
   * Per person: the standard deviation of als, cooccurrence and ease over the model's reference
   * clips (`spreadOf`), 0 when a source is flat. A scorer that computes the sources for some
   * candidates only computes them for the reference clips too and calls `spreadOf`.
   */
  spread: Float64Array;
}

/** The per-person spread of the three personal sources over `reference` (clip indices). */
export function spreadOf(reference: Int32Array, als: Float64Array, cooccurrence: Float64Array, ease: Float64Array): Float64Array {
  const out = new Float64Array(3);
  const n = reference.length;
  if (!n) return out;
  [als, cooccurrence, ease].forEach((src, j) => {
    let m = 0;
    for (const i of reference) m += src[i]!;
    m /= n;
    let v = 0;
    for (const i of reference) v += (src[i]! - m) ** 2;
    out[j] = Math.sqrt(v / n);
  });
  return out;
}

/** x / spread, or 0 for a flat source (its ranking says nothing; unit-scaling it would amplify rounding noise). */
const over = (x: number, spread: number) => (spread > 1e-12 ? x / spread : 0);

export function featuresOf(s: SourceScores, i: number, out: Float64Array, at = 0): Float64Array {
  const a = s.als[i]!;
  const c = s.cooccurrence[i]!;
  const e = s.ease[i]!;
  out[at] = a;
  out[at + 1] = c;
  out[at + 2] = e;
  out[at + 3] = s.popularity[i]!;
  out[at + 4] = s.inHead[i]!;
  out[at + 5] = a * c;
  out[at + 6] = c * e;
  out[at + 7] = over(a, s.spread[0]!);
  out[at + 8] = over(c, s.spread[1]!);
  out[at + 9] = over(e, s.spread[2]!);
  return out;
}

export function blendScore(w: Float64Array, s: SourceScores, i: number): number {
  const a = s.als[i]!;
  const c = s.cooccurrence[i]!;
  const e = s.ease[i]!;
  const sp = s.spread;
  return (
    w[0]! * a +
    w[1]! * c +
    w[2]! * e +
    w[3]! * s.popularity[i]! +
    w[4]! * s.inHead[i]! +
    w[5]! * a * c +
    w[6]! * c * e +
    w[7]! * over(a, sp[0]!) +
    w[8]! * over(c, sp[1]!) +
    w[9]! * over(e, sp[2]!)
  );
}

/** In place: (x − mean) / sd over the whole array (all zero when constant). */
export function standardise(x: Float64Array): Float64Array {
  const n = x.length;
  if (!n) return x;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (x[i]! - m) ** 2;
  const sd = Math.sqrt(v / n);
  for (let i = 0; i < n; i++) x[i] = sd > 1e-12 ? (x[i]! - m) / sd : 0;
  return x;
}

/**
 * Fits w on preference pairs given as feature differences (rows of `diffs`, FEATURE_COUNT
 * each: preferred minus other). Features can be switched off with `mask` (their weight stays 0).
 */
export function fitPairwise(diffs: Float64Array, l2: number, mask?: readonly boolean[]): Float64Array {
  const d = FEATURE_COUNT;
  const n = diffs.length / d;
  const w = new Float64Array(d);
  const on = (j: number) => !mask || mask[j];
  const loss = (v: Float64Array) => {
    let s = 0;
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += v[j]! * diffs[r * d + j]!;
      s += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
    }
    let reg = 0;
    for (let j = 0; j < d; j++) reg += v[j]! ** 2;
    return s / Math.max(n, 1) + (l2 / 2) * reg;
  };
  let current = loss(w);
  for (let iter = 0; iter < 25; iter++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j]! * diffs[r * d + j]!;
      const p = 1 / (1 + Math.exp(z)); // σ(−z): how wrong the pair is
      const h = p * (1 - p);
      for (let a = 0; a < d; a++) {
        const xa = diffs[r * d + a]!;
        grad[a]! -= p * xa;
        for (let b = a; b < d; b++) hess[a * d + b]! += h * xa * diffs[r * d + b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      grad[a] = grad[a]! / Math.max(n, 1) + l2 * w[a]!;
      for (let b = a; b < d; b++) hess[a * d + b] = hess[b * d + a] = hess[a * d + b]! / Math.max(n, 1) + (a === b ? l2 : 0);
    }
    for (let a = 0; a < d; a++) {
      if (on(a)) continue;
      grad[a] = 0;
      for (let b = 0; b < d; b++) hess[a * d + b] = hess[b * d + a] = a === b ? 1 : 0;
    }
    const step = solveSpd(hess, grad, d);
    let t = 1;
    let next = w;
    let nextLoss = current;
    for (let tries = 0; tries < 20; tries++, t /= 2) {
      next = w.map((v, j) => v - t * step[j]!);
      nextLoss = loss(next);
      if (nextLoss <= current) break;
    }
    const gain = current - nextLoss;
    if (!(gain >= 0)) break;
    w.set(next);
    current = nextLoss;
    if (gain < 1e-9) break;
  }
  return w;
}
