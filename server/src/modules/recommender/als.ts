import { solveSpd } from './dense.ts';
import type { History, Interactions } from './interactions.ts';
import { seededRandom } from '../../platform/random/seeded-random.ts';

/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008): every (person, clip) pair is a 0/1
 * preference, observed pairs with confidence 1 + α·weight, the rest with confidence 1.
 * Training alternates person and clip solves by a few conjugate-gradient steps each (Takács
 * et al. 2011), so an iteration costs O(nnz·d) rather than O(nnz·d²). A person's vector can
 * be recomputed from their current history at any time with one exact d × d solve (fold-in):
 * that is how For You learns from every event without retraining.
 */
export interface AlsOptions {
  factors: number;
  /** L2 regularisation. */
  lambda: number;
  /** Confidence per unit of weight. */
  alpha: number;
  iterations: number;
  cgSteps: number;
  seed: number;
}

export const ALS_DEFAULTS: AlsOptions = { factors: 48, lambda: 5, alpha: 4, iterations: 12, cgSteps: 3, seed: 1 };

export interface AlsModel {
  d: number;
  lambda: number;
  alpha: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  /** Yᵀ Y over all clips (d × d): the part of every fold-in shared by everyone. */
  itemGram: Float64Array;
}

function gram(f: Float32Array, n: number, d: number): Float64Array {
  const g = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let a = 0; a < d; a++) {
      const fa = f[o + a]!;
      if (fa === 0) continue;
      for (let b = a; b < d; b++) g[a * d + b]! += fa * f[o + b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) g[a * d + b] = g[b * d + a]!;
  return g;
}

/**
 * One half-iteration: re-solves each row of `x` (people or clips) against the fixed `y`, by
 * `steps` conjugate-gradient steps started from its current value.
 */
function solveSide(
  x: Float32Array,
  y: Float32Array,
  nx: number,
  ny: number,
  ptr: Int32Array,
  idx: Int32Array,
  weights: Float32Array,
  o: AlsOptions,
) {
  const d = o.factors;
  const yty = gram(y, ny, d);
  for (let a = 0; a < d; a++) yty[a * d + a]! += o.lambda;
  const xr = new Float64Array(d);
  const r = new Float64Array(d);
  const p = new Float64Array(d);
  const ap = new Float64Array(d);
  for (let u = 0; u < nx; u++) {
    const from = ptr[u]!;
    const to = ptr[u + 1]!;
    const off = u * d;
    for (let a = 0; a < d; a++) xr[a] = x[off + a]!;
    // r = b − A x, with b = Σ c·y and A = YᵀY + λI + Σ (c − 1) y yᵀ
    for (let a = 0; a < d; a++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += yty[a * d + b]! * xr[b]!;
      r[a] = -s;
    }
    for (let k = from; k < to; k++) {
      const c = 1 + o.alpha * weights[k]!;
      const yo = idx[k]! * d;
      let dot = 0;
      for (let a = 0; a < d; a++) dot += y[yo + a]! * xr[a]!;
      const f = c - (c - 1) * dot;
      for (let a = 0; a < d; a++) r[a]! += f * y[yo + a]!;
    }
    let rs = 0;
    for (let a = 0; a < d; a++) {
      p[a] = r[a]!;
      rs += r[a]! * r[a]!;
    }
    for (let step = 0; step < o.cgSteps && rs > 1e-10; step++) {
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += yty[a * d + b]! * p[b]!;
        ap[a] = s;
      }
      for (let k = from; k < to; k++) {
        const c1 = o.alpha * weights[k]!;
        const yo = idx[k]! * d;
        let dot = 0;
        for (let a = 0; a < d; a++) dot += y[yo + a]! * p[a]!;
        const f = c1 * dot;
        for (let a = 0; a < d; a++) ap[a]! += f * y[yo + a]!;
      }
      let pap = 0;
      for (let a = 0; a < d; a++) pap += p[a]! * ap[a]!;
      const step_ = rs / pap;
      let rsNew = 0;
      for (let a = 0; a < d; a++) {
        xr[a]! += step_ * p[a]!;
        r[a]! -= step_ * ap[a]!;
        rsNew += r[a]! * r[a]!;
      }
      for (let a = 0; a < d; a++) p[a] = r[a]! + (rsNew / rs) * p[a]!;
      rs = rsNew;
    }
    for (let a = 0; a < d; a++) x[off + a] = xr[a]!;
  }
}

/** Trains on `x`. `pause` is awaited between half-iterations (the worker stays responsive). */
export async function trainAls(x: Interactions, opts: Partial<AlsOptions> = {}, pause?: () => Promise<void>): Promise<AlsModel> {
  const o = { ...ALS_DEFAULTS, ...opts };
  const d = o.factors;
  const nU = x.users.length;
  const nI = x.items.length;
  const rnd = seededRandom(o.seed);
  const init = (n: number) => Float32Array.from({ length: n * d }, () => (rnd() - 0.5) * 0.1);
  const userFactors = init(nU);
  const itemFactors = init(nI);
  for (let it = 0; it < o.iterations; it++) {
    solveSide(userFactors, itemFactors, nU, nI, x.uPtr, x.uItems, x.uWeights, o);
    await pause?.();
    solveSide(itemFactors, userFactors, nI, nU, x.iPtr, x.iUsers, x.iWeights, o);
    await pause?.();
  }
  return { d, lambda: o.lambda, alpha: o.alpha, userFactors, itemFactors, itemGram: gram(itemFactors, nI, d) };
}

/**
 * A person's vector from their history alone (exact least squares, one d × d solve): used for
 * people the model has not trained on and after every new event. `decay` scales each entry's
 * confidence (recent events count more).
 */
export function foldIn(m: AlsModel, h: History, decay?: Float64Array): Float32Array {
  const d = m.d;
  const a = Float64Array.from(m.itemGram);
  for (let k = 0; k < d; k++) a[k * d + k]! += m.lambda;
  const b = new Float64Array(d);
  for (let k = 0; k < h.items.length; k++) {
    const i = h.items[k]!;
    if (i < 0) continue;
    const c1 = m.alpha * h.weights[k]! * (decay ? decay[k]! : 1);
    const yo = i * d;
    for (let p = 0; p < d; p++) {
      const yp = m.itemFactors[yo + p]!;
      b[p]! += (1 + c1) * yp;
      for (let q = 0; q < d; q++) a[p * d + q]! += c1 * yp * m.itemFactors[yo + q]!;
    }
  }
  return Float32Array.from(solveSpd(a, b, d));
}

/** x · y for every clip. */
export function alsScores(m: AlsModel, userVector: Float32Array, out: Float64Array): Float64Array {
  const d = m.d;
  const f = m.itemFactors;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    const o = i * d;
    for (let a = 0; a < d; a++) s += f[o + a]! * userVector[a]!;
    out[i] = s;
  }
  return out;
}

/**
 * x · y for the clips `items` only (`out[t]` for `items[t]`): the same sums as `alsScores`, for
 * serving, which ranks a few hundred candidates rather than the catalogue.
 */
export function alsScoresFor(m: AlsModel, userVector: Float32Array, items: Int32Array, out: Float64Array): Float64Array {
  const d = m.d;
  const f = m.itemFactors;
  for (let t = 0; t < items.length; t++) {
    let s = 0;
    const o = items[t]! * d;
    for (let a = 0; a < d; a++) s += f[o + a]! * userVector[a]!;
    out[t] = s;
  }
  return out;
}
