import { describe, expect, it } from 'vitest';
import { evaluate, splitEdges } from './eval-suggestions.ts';

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

  it('recovers hidden clique edges and reports sane metrics for every method', () => {
    const res = evaluate(edges, 0.1, 3);
    for (const m of Object.values(res)) {
      expect(m.hits).toBe(1);
      expect(m.precision).toBeGreaterThan(0);
      expect(m.precision).toBeLessThanOrEqual(1);
      expect(m.recall).toBeGreaterThan(0.5);
      expect(m.mrr).toBeGreaterThan(0.5);
    }
  });
});
