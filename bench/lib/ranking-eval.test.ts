import { describe, expect, it } from 'vitest';
import { buildInteractions, fitRecommender, type Interaction, recommendForUser, topN } from '../../server/src/modules/recommender/index.ts';
import { evaluateRanker, type Ranker, type RankingTask } from './ranking-eval.ts';
import { seededRandom } from '../../server/src/platform/random/seeded-random.ts';

/**
 * Two kinds of people with disjoint tastes (clips 0–29 for one, 30–59 for the other); each has
 * 10 of their kind in training and 5 more in test. A ranker that can learn finds the kind; one
 * that cannot (popularity, or a random order) gets about half of its picks from the wrong kind.
 */
function twoTastes(seed = 7): RankingTask {
  const rnd = seededRandom(seed);
  const train: Interaction[] = [];
  const testRows: Array<[string, string]> = [];
  for (let p = 0; p < 80; p++) {
    const base = p % 2 === 0 ? 0 : 30;
    const picks = Array.from({ length: 30 }, (_, i) => i).sort(() => rnd() - 0.5);
    for (const i of picks.slice(0, 10)) train.push({ user: `u${p}`, item: `v${base + i}`, weight: 1, time: 0 });
    for (const i of picks.slice(10, 15)) testRows.push([`u${p}`, `v${base + i}`]);
  }
  const x = buildInteractions(train, { items: Array.from({ length: 60 }, (_, i) => `v${i}`) });
  const test = new Map<number, Set<number>>();
  for (const [u, i] of testRows) {
    const ui = x.userIndex.get(u)!;
    test.set(ui, (test.get(ui) ?? new Set()).add(x.itemIndex.get(i)!));
  }
  return { train: x, test };
}

describe('offline ranking evaluation', () => {
  it('scores a recommender that learns far above one that cannot', async () => {
    const task = twoTastes();
    const model = await fitRecommender(task.train, { als: { factors: 8, iterations: 6 }, ease: { head: 60, lambda: 10 }, validationPeople: 80 });
    const loop: Ranker = (u, ok, k) => recommendForUser(model, u, k).map((c) => c.i).filter(ok);
    const popularity: Ranker = (_u, ok, k) => topN(task.train.popularity, k, ok);
    const rnd = seededRandom(3);
    const random: Ranker = (_u, ok, k) =>
      [...task.train.items.keys()]
        .filter(ok)
        .sort(() => rnd() - 0.5)
        .slice(0, k);
    const learned = evaluateRanker(task, loop, 5);
    const pop = evaluateRanker(task, popularity, 5);
    const blind = evaluateRanker(task, random, 5);
    expect(learned.users).toBe(80);
    expect(learned.precision).toBeGreaterThan(0.2);
    expect(learned.precision).toBeGreaterThan(pop.precision + 0.08);
    expect(learned.precision).toBeGreaterThan(blind.precision + 0.08);
    expect(learned.ndcg).toBeGreaterThan(Math.max(pop.ndcg, blind.ndcg));
  });

  it('refuses a ranker that breaks the protocol', () => {
    const task = twoTastes();
    // Recommends what the person already has in training.
    const cheat: Ranker = (u) => [task.train.uItems[task.train.uPtr[u]!]!];
    expect(() => evaluateRanker(task, cheat, 5)).toThrow(/protocol/);
    const dup: Ranker = (_u, ok) => {
      const first = [...task.train.items.keys()].find(ok)!;
      return [first, first];
    };
    expect(() => evaluateRanker(task, dup, 5)).toThrow(/protocol/);
  });

  it('computes P@k and NDCG@k by hand on a one-person case', () => {
    const x = buildInteractions([{ user: 'a', item: 'seen', weight: 1, time: 0 }], { items: ['r1', 'n1', 'r2'] });
    const [r1, n1, r2] = ['r1', 'n1', 'r2'].map((i) => x.itemIndex.get(i)!);
    const task: RankingTask = { train: x, test: new Map([[0, new Set([r1!, r2!])]]) };
    const m = evaluateRanker(task, () => [n1!, r1!, r2!], 3);
    expect(m.precision).toBeCloseTo(2 / 3);
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(m.ndcg).toBeCloseTo(dcg / (1 + 1 / Math.log2(3)));
  });
});
