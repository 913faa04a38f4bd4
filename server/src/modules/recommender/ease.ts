import { invertSpdInPlace } from './dense.ts';
import type { History, Interactions } from './interactions.ts';

/**
 * EASE (Steck 2019) over the most-watched clips: B = I − P·diag(1/diag P) with
 * P = (XᵀX + λI)⁻¹, a closed-form item-to-item model that is hard to beat on the head of
 * the catalogue. The inversion costs head³, so only the `head` most popular clips take part;
 * the rest score 0 here and are left to the other sources.
 */
export interface EaseModel {
  /** Clip index → position in the head, or −1. */
  pos: Int32Array;
  /** Position in the head → clip index. */
  head: Int32Array;
  /** head × head weights, row = the clip watched, column = the clip scored. */
  b: Float32Array;
}

export interface EaseOptions {
  head: number;
  lambda: number;
  /** Exactly these clips instead of the `head` most popular (the offline baseline). */
  items?: Int32Array;
}

export const EASE_DEFAULTS: EaseOptions = { head: 2000, lambda: 500 };

export async function trainEase(x: Interactions, opts: Partial<EaseOptions> = {}, pause?: () => Promise<void>): Promise<EaseModel> {
  const o = { ...EASE_DEFAULTS, ...opts };
  const nI = x.items.length;
  const byPop = Array.from({ length: nI }, (_, i) => i).sort((a, b) => x.popularity[b]! - x.popularity[a]! || a - b);
  const head = o.items ?? Int32Array.from(byPop.slice(0, Math.min(o.head, nI)).filter((i) => x.popularity[i]! > 0));
  const h = head.length;
  const pos = new Int32Array(nI).fill(-1);
  head.forEach((i, p) => {
    pos[i] = p;
  });
  const g = new Float64Array(h * h);
  const mine = new Int32Array(nI);
  for (let u = 0; u < x.users.length; u++) {
    let n = 0;
    for (let k = x.uPtr[u]!; k < x.uPtr[u + 1]!; k++) {
      const p = pos[x.uItems[k]!]!;
      if (p >= 0) mine[n++] = p;
    }
    for (let a = 0; a < n; a++) {
      const row = mine[a]! * h;
      for (let b = 0; b < n; b++) g[row + mine[b]!]! += 1;
    }
  }
  for (let p = 0; p < h; p++) g[p * h + p]! += o.lambda;
  await invertSpdInPlace(g, h, pause);
  const b = new Float32Array(h * h);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < h; c++) b[r * h + c] = r === c ? 0 : -g[r * h + c]! / g[c * h + c]!;
  }
  return { pos, head, b };
}

/** Σ over the person's head clips of their B rows, into `out` (0 for clips outside the head). */
export function easeScores(m: EaseModel, hist: History, out: Float64Array): Float64Array {
  out.fill(0);
  const h = m.head.length;
  const acc = new Float64Array(h);
  for (let k = 0; k < hist.items.length; k++) {
    const j = hist.items[k]!;
    const p = j >= 0 ? m.pos[j]! : -1;
    if (p < 0) continue;
    const row = p * h;
    for (let c = 0; c < h; c++) acc[c]! += m.b[row + c]!;
  }
  for (let c = 0; c < h; c++) out[m.head[c]!] = acc[c]!;
  return out;
}

/**
 * `easeScores` for the clips `items` only (`out[t]` for `items[t]`): each candidate in the head
 * sums its column over the person's head rows, in the same order as there (the same sums);
 * the cost is candidates × the person's head clips, not history × head.
 */
export function easeScoresFor(m: EaseModel, hist: History, items: Int32Array, out: Float64Array): Float64Array {
  const h = m.head.length;
  const rows: number[] = [];
  for (let k = 0; k < hist.items.length; k++) {
    const j = hist.items[k]!;
    const p = j >= 0 ? m.pos[j]! : -1;
    if (p >= 0) rows.push(p * h);
  }
  for (let t = 0; t < items.length; t++) {
    const c = m.pos[items[t]!]!;
    let s = 0;
    if (c >= 0) for (const row of rows) s += m.b[row + c]!;
    out[t] = s;
  }
  return out;
}
