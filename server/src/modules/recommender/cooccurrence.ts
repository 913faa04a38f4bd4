import type { History, Interactions } from './interactions.ts';

/**
 * Item-to-item co-occurrence: for every clip its `k` nearest clips by cosine similarity of
 * their audiences (people who watched both / √(audience sizes)). A person's score for a clip
 * sums its similarity to the clips they watched, each weighted by how recently they watched
 * it (a half-life), so the last few swipes steer what comes next.
 */
export interface Neighbours {
  ptr: Int32Array;
  items: Int32Array;
  sims: Float32Array;
}

export interface NeighbourOptions {
  /** Neighbours kept per clip at most. */
  k: number;
  /**
   * Neighbour pairs kept in all at most: while every neighbour fits, all are kept (pruning a
   * rarely watched clip's list drops the popular clips it leads to); beyond, each list keeps
   * its best `max(k', budget / clips)`.
   */
  budget?: number;
  /** Only these rows (all clips when absent). */
  rows?: Int32Array;
}

/**
 * Builds the neighbour lists: for each clip, the audiences of its audience are counted in one
 * dense accumulator (Σ over people of their history length² operations in all).
 */
export async function buildNeighbours(x: Interactions, o: NeighbourOptions, pause?: () => Promise<void>): Promise<Neighbours> {
  const nI = x.items.length;
  const rows = o.rows ?? Int32Array.from({ length: nI }, (_, i) => i);
  const acc = new Float64Array(nI);
  const touched = new Int32Array(nI);
  const ptr = new Int32Array(nI + 1);
  const outItems: Int32Array[] = [];
  const outSims: Float32Array[] = [];
  const isRow = new Uint8Array(nI);
  for (const r of rows) isRow[r] = 1;
  let total = 0;
  for (let j = 0; j < nI; j++) {
    ptr[j] = total;
    if (!isRow[j]) continue;
    let n = 0;
    for (let p = x.iPtr[j]!; p < x.iPtr[j + 1]!; p++) {
      const u = x.iUsers[p]!;
      for (let q = x.uPtr[u]!; q < x.uPtr[u + 1]!; q++) {
        const i = x.uItems[q]!;
        if (i === j) continue;
        if (acc[i] === 0) touched[n++] = i;
        acc[i]! += 1;
      }
    }
    const pj = x.popularity[j]!;
    const cand = new Int32Array(touched.subarray(0, n));
    const sim = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      const i = cand[t]!;
      sim[t] = acc[i]! / Math.sqrt(pj * x.popularity[i]!);
      acc[i] = 0;
    }
    let keep = Array.from({ length: n }, (_, t) => t);
    if (n > o.k) keep = keep.sort((a, b) => sim[b]! - sim[a]!).slice(0, o.k);
    outItems.push(Int32Array.from(keep, (t) => cand[t]!));
    outSims.push(Float32Array.from(keep, (t) => sim[t]!));
    total += keep.length;
    if ((j & 255) === 0) await pause?.();
  }
  ptr[nI] = total;
  if (o.budget && total > o.budget) {
    const k = Math.max(50, Math.floor(o.budget / Math.max(rows.length, 1)));
    total = 0;
    let r = 0;
    for (let j = 0; j < nI; j++) {
      ptr[j] = total;
      if (!isRow[j]) continue;
      const its = outItems[r]!;
      const ss = outSims[r]!;
      if (its.length > k) {
        const keep = Array.from(its.keys()).sort((a, b) => ss[b]! - ss[a]!).slice(0, k);
        outItems[r] = Int32Array.from(keep, (t) => its[t]!);
        outSims[r] = Float32Array.from(keep, (t) => ss[t]!);
      }
      total += outItems[r]!.length;
      r++;
    }
    ptr[nI] = total;
  }
  const items = new Int32Array(total);
  const sims = new Float32Array(total);
  let at = 0;
  for (let r = 0; r < outItems.length; r++) {
    items.set(outItems[r]!, at);
    sims.set(outSims[r]!, at);
    at += outItems[r]!.length;
  }
  return { ptr, items, sims };
}

/**
 * How much each history entry counts: halves every `halfLifeSeconds` before the newest entry.
 * Without times (all equal) every entry counts the same.
 */
export function recencyWeights(h: History, halfLifeSeconds: number): Float64Array {
  const n = h.items.length;
  const w = new Float64Array(n);
  let newest = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) newest = Math.max(newest, h.times[k]!);
  for (let k = 0; k < n; k++) w[k] = 0.5 ** ((newest - h.times[k]!) / halfLifeSeconds);
  return w;
}

/** Σ over the person's clips j of recency(j) · weight(j) · sim(j, i), into `out` (one entry per clip). */
export function cooccurrenceScores(nb: Neighbours, h: History, recency: Float64Array, out: Float64Array): Float64Array {
  out.fill(0);
  for (let k = 0; k < h.items.length; k++) {
    const j = h.items[k]!;
    if (j < 0) continue;
    const w = recency[k]! * Math.min(h.weights[k]!, 4);
    for (let p = nb.ptr[j]!; p < nb.ptr[j + 1]!; p++) out[nb.items[p]!]! += w * nb.sims[p]!;
  }
  return out;
}

/** Per neighbour table, clip → position among the candidates being scored (−1 elsewhere), reset after each use. */
const slots = new WeakMap<Neighbours, Int32Array>();

/**
 * `cooccurrenceScores` for the clips `items` only (`out[t]` for `items[t]`): the person's
 * clips' neighbour lists are walked as there, in the same order (so the sums are the same to
 * the last bit), but only candidates accumulate. The cost is the person's neighbour lists,
 * not the catalogue.
 */
export function cooccurrenceScoresFor(nb: Neighbours, h: History, recency: Float64Array, items: Int32Array, out: Float64Array): Float64Array {
  let slot = slots.get(nb);
  if (!slot) {
    slot = new Int32Array(nb.ptr.length - 1).fill(-1);
    slots.set(nb, slot);
  }
  out.fill(0);
  for (let t = 0; t < items.length; t++) if (slot[items[t]!] === -1) slot[items[t]!] = t;
  try {
    for (let k = 0; k < h.items.length; k++) {
      const j = h.items[k]!;
      if (j < 0) continue;
      const w = recency[k]! * Math.min(h.weights[k]!, 4);
      for (let p = nb.ptr[j]!; p < nb.ptr[j + 1]!; p++) {
        const t = slot[nb.items[p]!]!;
        if (t >= 0) out[t]! += w * nb.sims[p]!;
      }
    }
    // A clip asked for twice gets its first slot's sum.
    for (let t = 0; t < items.length; t++) out[t] = out[slot[items[t]!]!]!;
  } finally {
    for (let t = 0; t < items.length; t++) slot[items[t]!] = -1;
  }
  return out;
}
