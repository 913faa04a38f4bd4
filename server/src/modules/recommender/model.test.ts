import { describe, expect, it } from 'vitest';
import { alsScores, foldIn, trainAls } from './als.ts';
import { blendScore, FEATURES, spreadOf } from './blend.ts';
import { buildNeighbours, cooccurrenceScores, recencyWeights } from './cooccurrence.ts';
import { invertSpdInPlace, solveSpd } from './dense.ts';
import { buildInteractions, historyOf } from './interactions.ts';
import { candidateSourceScores, fitRecommender, personState, recommendForUser, sourceScores } from './model.ts';
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

  it('chooses the blend by recommending candidate clips through co-watching, as serving does', async () => {
    // Camp b is twice camp a, so popularity pushes b's candidate clips to everyone; only
    // co-watching (tail clips watched beside candidates by other people) finds a's for a's.
    // The last 24 people have no candidate rows: the ones the model is asked about.
    const rnd = seededRandom(9);
    const rows = [];
    for (let p = 0; p < 144; p++) {
      const kind = p % 3 ? 'b' : 'a';
      const pick = (n: number, of: number) => Array.from({ length: of }, (_, i) => i).sort(() => rnd() - 0.5).slice(0, n);
      for (const i of pick(5, 30)) rows.push({ user: `p${p}`, item: `t${kind}${i}`, weight: 1, time: 0 });
      if (p < 120) for (const i of pick(4, 10)) rows.push({ user: `p${p}`, item: `c${kind}${i}`, weight: 1, time: 0 });
    }
    const x = buildInteractions(rows);
    const candidates = Uint8Array.from(x.items, (i) => (i.startsWith('c') ? 1 : 0));
    const model = await fitRecommender(x, { candidates, validationPeople: 40, als: { factors: 4, iterations: 6 } });
    // Validation people lose their candidate rows, the others keep them: co-watching still
    // links the tail to the candidates (hiding every eligible person's would leave no link).
    expect(model.validation?.people).toBe(40);
    expect(model.validation?.ndcg['co-occurrence only']).toBeGreaterThan(0.5);
    for (let p = 120; p < 144; p++) {
      const top = recommendForUser(model, x.userIndex.get(`p${p}`)!, 3, candidates).map((c) => x.items[c.i]!);
      expect(top.every((i) => i.startsWith(p % 3 ? 'cb' : 'ca'))).toBe(true);
    }
  });

  it('a source flat for a person adds nothing to the spread-scaled blend (no division by zero)', () => {
    // Four clips; this person has no co-watching at all (every co-occurrence score 0).
    const als = Float64Array.from([0.3, 0.1, 0.2, 0.05]);
    const cooccurrence = new Float64Array(4);
    const ease = Float64Array.from([0, 0.02, 0.01, 0]);
    const spread = spreadOf(Int32Array.from([0, 1, 2, 3]), als, cooccurrence, ease);
    expect(spread[1]).toBe(0);
    expect(spread[0]).toBeGreaterThan(0);
    const s = { als, cooccurrence, ease, popularity: new Float64Array(4), inHead: new Uint8Array(4), spread };
    const w = Float64Array.from(FEATURES, (f) => (f === 'als/spread' || f === 'cooccurrence/spread' ? 1 : 0));
    const scores = [0, 1, 2, 3].map((i) => blendScore(w, s, i));
    expect(scores.every(Number.isFinite)).toBe(true);
    // Ordered by ALS alone, in units of this person's ALS spread.
    expect(scores[0]! - scores[1]!).toBeCloseTo((0.3 - 0.1) / spread[0]!, 10);
    expect([0, 1, 2, 3].sort((a, b) => scores[b]! - scores[a]!)).toEqual([0, 2, 1, 3]);
  });

  it('scores only the candidates, with the very numbers of the whole-catalogue pass', async () => {
    // A random log: 120 people, 300 clips, a skewed choice of clips, random weights and times.
    const rnd = seededRandom(21);
    const rows = [];
    for (let p = 0; p < 120; p++)
      for (let k = 0; k < 3 + Math.floor(rnd() * 12); k++)
        rows.push({ user: `p${p}`, item: `c${Math.floor(300 * rnd() ** 2)}`, weight: 0.5 + 3 * rnd(), time: Math.floor(rnd() * 1e6) });
    const x = buildInteractions(rows);
    // A small EASE head, so some candidates are outside it; a budget that prunes neighbour lists.
    const model = await fitRecommender(x, { validationPeople: 40, als: { factors: 5, iterations: 4 }, ease: { head: 60 }, neighbourBudget: 2000 });
    const n = x.items.length;
    for (const u of [0, 7, 33, 90]) {
      for (const opts of [{ userIndex: u }, { fold: true }]) {
        const h = historyOf(x, u);
        const o = { ...opts, halfLifeSeconds: model.options.halfLifeSeconds };
        const all = sourceScores(model, h, o);
        // Random candidates, one of them twice, and a person's own clip among them.
        const items = Int32Array.from({ length: 40 }, () => Math.floor(rnd() * n));
        items[39] = items[3]!;
        items[38] = h.items[0]!;
        const some = candidateSourceScores(model, personState(model, h, o), items);
        items.forEach((i, t) => {
          expect(some.als[t]).toBe(all.als[i]);
          expect(some.cooccurrence[t]).toBe(all.cooccurrence[i]);
          expect(some.ease[t]).toBe(all.ease[i]);
          expect(some.popularity[t]).toBe(all.popularity[i]);
          expect(some.inHead[t]).toBe(all.inHead[i]);
          expect(blendScore(model.weights, some, t)).toBe(blendScore(model.weights, all, i));
          expect(Array.from(some.spread)).toEqual(Array.from(all.spread));
        });
        // The test means something: the sources are not all zero on these candidates.
        expect(items.some((i) => all.cooccurrence[i] !== 0 && all.ease[i] !== 0)).toBe(true);
      }
    }
  });
});
