import { describe, expect, it } from 'vitest';
import { alsScores, foldIn, trainAls } from './als.ts';
import { buildNeighbours, cooccurrenceScores, recencyWeights } from './cooccurrence.ts';
import { invertSpdInPlace, solveSpd } from './dense.ts';
import { buildInteractions, historyOf } from './interactions.ts';
import { seededRandom } from '../../platform/random/seeded-random.ts';

/** 40 people in two camps: even ones watch clips a0–a9, odd ones b0–b9 (a random 6 each). */
function camps() {
  const rnd = seededRandom(5);
  const rows = [];
  for (let p = 0; p < 40; p++) {
    const kind = p % 2 ? 'b' : 'a';
    const picks = Array.from({ length: 10 }, (_, i) => i).sort(() => rnd() - 0.5);
    for (const i of picks.slice(0, 6)) rows.push({ user: `p${p}`, item: `${kind}${i}`, weight: 1, time: p });
  }
  return buildInteractions(rows);
}

describe('recommender pieces', () => {
  it('invert and solve symmetric positive definite systems', async () => {
    const n = 70;
    const rnd = seededRandom(1);
    const m = Float64Array.from({ length: n * n }, () => rnd() - 0.5);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j]! += (m[i * n + k]! * m[j * n + k]!) / n;
    for (let i = 0; i < n; i++) a[i * n + i]! += 0.5;
    const inv = Float64Array.from(a);
    await invertSpdInPlace(inv, n, undefined, 16);
    for (let i = 0; i < n; i += 7) {
      for (let j = 0; j < n; j++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += a[i * n + k]! * inv[k * n + j]!;
        expect(v).toBeCloseTo(i === j ? 1 : 0, 8);
      }
    }
    const b = Float64Array.from({ length: n }, (_, i) => i);
    const x = solveSpd(a, b, n);
    for (let i = 0; i < n; i++) expect(x.reduce((s, xv, k) => s + a[i * n + k]! * xv, 0)).toBeCloseTo(i, 8);
  });

  it('ALS folds a new person in from two clips and ranks their camp first', async () => {
    const x = camps();
    const m = await trainAls(x, { factors: 6, iterations: 8 });
    const h = { items: Int32Array.from([x.itemIndex.get('b1')!, x.itemIndex.get('b2')!]), weights: Float32Array.from([1, 1]), times: new Float64Array(2) };
    const scores = alsScores(m, foldIn(m, h), new Float64Array(x.items.length));
    const top = Array.from(scores.keys())
      .filter((i) => !h.items.includes(i))
      .sort((p, q) => scores[q]! - scores[p]!)
      .slice(0, 6);
    expect(top.every((i) => x.items[i]!.startsWith('b'))).toBe(true);
  });

  it('co-occurrence follows the most recent clips when taste changes', async () => {
    const x = camps();
    const nb = await buildNeighbours(x, { k: 50 });
    // Watched a's long ago, b's just now: b's lead.
    const h = {
      items: Int32Array.from(['a1', 'a2', 'a3', 'b4'].map((i) => x.itemIndex.get(i)!)),
      weights: Float32Array.from([1, 1, 1, 1]),
      times: Float64Array.from([0, 0, 0, 100_000]),
    };
    const s = cooccurrenceScores(nb, h, recencyWeights(h, 3600), new Float64Array(x.items.length));
    expect(s[x.itemIndex.get('b5')!]!).toBeGreaterThan(s[x.itemIndex.get('a5')!]!);
    // Every person's history is kept oldest first.
    const p0 = historyOf(x, x.userIndex.get('p0')!);
    expect(p0.items.length).toBe(6);
  });
});
