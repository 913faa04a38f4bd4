import { describe, expect, it } from 'vitest';
import { fitSuggestionModel } from './suggestion-fitting.ts';
import { buildSocialGraph } from './suggestion-graph.ts';
import { FEATURE_NAMES, logScore, PRIOR_MODEL, type RankingModel, SUGGESTION_LIMITS } from './suggestion-ranking.ts';
import { groupsWithCelebritiesGraph, popularityGraph } from './synthetic-graphs.ts';

/** How much a model prefers a candidate with 40 friends over one with 8, all else equal. */
function popularityPreference(m: RankingModel) {
  const f = (candidateDegree: number) => ({ mutualFriends: 1, resourceAllocation: 0.1, adamicAdar: 0.4, candidateDegree, viewerDegree: 8 });
  return logScore(m, f(40)) - logScore(m, f(8));
}
const weight = (m: RankingModel, name: (typeof FEATURE_NAMES)[number]) => m.weights[FEATURE_NAMES.indexOf(name)]!;
const limits = SUGGESTION_LIMITS;

describe('fitting the suggestion model on the graph it serves', () => {
  it('learns a planted rule the prior gets backwards: on a graph where popularity decides, popular candidates rank higher', async () => {
    const n = 800;
    const fit = await fitSuggestionModel(buildSocialGraph(n, popularityGraph(n, 8, 1)), { seed: 1, limits });
    expect(fit.source).toBe('fitted');
    expect(popularityPreference(PRIOR_MODEL)).toBeLessThan(0);
    expect(popularityPreference(fit.model)).toBeGreaterThan(0.5);
    // Friendships it never saw come back higher than under the prior.
    expect(fit.validation.fitted).toBeGreaterThan(fit.validation.prior * 1.3);
  });

  it('learns the opposite where popularity misleads: celebrities befriended by strangers rank lower than the prior ranks them', async () => {
    const n = 600;
    const fit = await fitSuggestionModel(buildSocialGraph(n, groupsWithCelebritiesGraph(n, 1)), { seed: 1, limits });
    expect(fit.source).toBe('fitted');
    expect(popularityPreference(fit.model)).toBeLessThan(popularityPreference(PRIOR_MODEL) - 0.2);
  });

  it('learns what a follow means where the graph knows who followed first, and leaves it at the prior where it does not', async () => {
    const n = 200;
    const pairs = popularityGraph(n, 6, 2);
    const graph = buildSocialGraph(n, pairs);
    // Here each friendship began with the lower id following: the other followed back.
    const oriented = await fitSuggestionModel(graph, { seed: 2, limits, followBacks: pairs });
    expect(oriented.source).toBe('fitted');
    expect(weight(oriented.model, 'follows you')).toBeGreaterThan(weight(PRIOR_MODEL, 'follows you'));
    const undirected = await fitSuggestionModel(graph, { seed: 2, limits });
    expect(weight(undirected.model, 'follows you')).toBe(weight(PRIOR_MODEL, 'follows you'));
    // Contacts cannot be learned from hidden friendships: always the prior's weight.
    expect(weight(oriented.model, 'in your contacts')).toBe(weight(PRIOR_MODEL, 'in your contacts'));
  });

  it('falls back to the prior on a graph too small to learn from', async () => {
    // Two triangles joined by one friendship: a handful of hidden friends at most.
    const tiny = buildSocialGraph(6, Int32Array.from([0, 1, 1, 2, 0, 2, 3, 4, 4, 5, 3, 5, 2, 3]));
    const fit = await fitSuggestionModel(tiny, { seed: 1, limits });
    expect(fit.source).toBe('prior');
    expect(fit.model).toBe(PRIOR_MODEL);
    expect(fit.reason).toMatch(/too small to fit/);
    const empty = await fitSuggestionModel(buildSocialGraph(0, new Int32Array(0)), { seed: 1, limits });
    expect(empty.model).toBe(PRIOR_MODEL);
  });

  it('is deterministic for a seed, and stops when its job is cancelled', async () => {
    const graph = buildSocialGraph(300, popularityGraph(300, 6, 3));
    const a = await fitSuggestionModel(graph, { seed: 5, limits });
    const b = await fitSuggestionModel(graph, { seed: 5, limits });
    expect(a.model.weights).toEqual(b.model.weights);
    const cancelled = new AbortController();
    cancelled.abort(new Error('worker stopping'));
    // Large enough that the fit yields to the event loop, where it checks the signal.
    const big = buildSocialGraph(3000, popularityGraph(3000, 8, 4));
    await expect(fitSuggestionModel(big, { seed: 5, limits, signal: cancelled.signal })).rejects.toThrow('worker stopping');
  });
});
