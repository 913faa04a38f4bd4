import { describe, expect, it } from 'vitest';
import { fitSuggestionModel } from '../server/src/modules/graph/suggestion-fitting.ts';
import type { SocialGraph } from '../server/src/modules/graph/suggestion-graph.ts';
import { PRIOR_MODEL } from '../server/src/modules/graph/suggestion-ranking.ts';
import { evaluate, LOOP, METHODS, splitEdges } from './eval-suggestions.ts';

describe('eval:suggestions', () => {
  const edges: Array<[number, number]> = [];
  // Two dense cliques joined by one edge: hidden edges inside a clique are easy to recover.
  for (const base of [0, 10]) for (let i = 0; i < 10; i++) for (let j = i + 1; j < 10; j++) edges.push([base + i, base + j]);
  edges.push([0, 10]);

  it('hides the same edges for the same seed and different ones for another', () => {
    const a = splitEdges(edges, 0.1, 1);
    expect(a.hidden.length).toBe(Math.round(edges.length * 0.1));
    expect(a.hidden.length + a.train.length).toBe(edges.length);
    expect(splitEdges(edges, 0.1, 1).hidden).toEqual(a.hidden);
    expect(splitEdges(edges, 0.1, 2).hidden).not.toEqual(a.hidden);
  });

  it('recovers hidden clique edges and reports sane metrics for every method, Adamic-Adar included', async () => {
    const { results, fit } = await evaluate(edges, 0.1, 3);
    expect(Object.keys(results)).toEqual(METHODS);
    expect(METHODS).toContain('Adamic-Adar');
    expect(fit?.model.weights).toHaveLength(PRIOR_MODEL.weights.length);
    for (const m of Object.values(results)) {
      expect(m.hits).toBe(1);
      expect(m.precision).toBeGreaterThan(0);
      expect(m.precision).toBeLessThanOrEqual(1);
      expect(m.recall).toBeGreaterThan(0.5);
      expect(m.mrr).toBeGreaterThan(0.5);
    }
  });

  it('fits only on the training graph: the hidden test edges never reach the fit', async () => {
    const given: SocialGraph[] = [];
    const spy: typeof fitSuggestionModel = (graph, o) => {
      given.push(graph);
      return fitSuggestionModel(graph, o);
    };
    await evaluate(edges, 0.1, 3, { fit: spy });
    expect(given).toHaveLength(1);
    const g = given[0]!;
    const friends = (v: number) => [...g.friends.subarray(g.friendStart[v], g.friendStart[v + 1])];
    const { train, hidden } = splitEdges(edges, 0.1, 3);
    expect(g.friends.length / 2).toBe(train.length);
    for (const [a, b] of hidden) expect(friends(a)).not.toContain(b);
    for (const [a, b] of train) expect(friends(a)).toContain(b);
  });

  it('scores with a given model and samples users when asked', async () => {
    const { results } = await evaluate(edges, 0.1, 3, { model: PRIOR_MODEL, users: 5 });
    expect(results[LOOP]!.users).toBe(5);
  });
});
