import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/random/seeded-random.ts';
import { buildSocialGraph, CandidateCollector, friendshipsOf, oneWayFollowsOf } from './suggestion-graph.ts';
import { SUGGESTION_LIMITS } from './suggestion-ranking.ts';
import { popularityGraph } from './synthetic-graphs.ts';

describe('candidates from the graph in memory', () => {
  // Friends: 0—1, 0—2, 1—3, 2—3, 2—4, 4—5, 4—6, 4—7. One-way: 8→0 (a fan), 1→9 and 2→9 (friends follow 9), 0→7.
  const g = buildSocialGraph(
    10,
    Int32Array.from([0, 1, 0, 2, 1, 3, 2, 3, 2, 4, 4, 5, 4, 6, 4, 7]),
    Int32Array.from([8, 0, 1, 9, 2, 9, 0, 7]),
  );

  it('gathers friends of friends, people friends follow and followers, never yourself, friends or followed', () => {
    const c = new CandidateCollector(g, SUGGESTION_LIMITS).collect(0);
    const at = (id: number) => [...c.ids].indexOf(id);
    expect([...c.ids].sort()).toEqual([3, 4, 8, 9]);
    expect(c.mutualFriends[at(3)]).toBe(2);
    expect(c.resourceAllocation[at(3)]).toBeCloseTo(1 / 2 + 1 / 3);
    expect(c.adamicAdar[at(3)]).toBeCloseTo(1 / Math.log(2) + 1 / Math.log(3));
    expect(c.mutualFriends[at(4)]).toBe(1);
    expect(c.followedByFriends[at(9)]).toBe(2);
    expect(c.followsYou[at(8)]).toBe(1);
    expect(c.pool.map((s) => c.ids[s]).sort()).toEqual([3, 4, 8, 9]);
  });

  it('keeps the pool the service would: the best by resource allocation, ties to the higher id', () => {
    const n = 300;
    const big = buildSocialGraph(n, popularityGraph(n, 12, 7));
    const limits = { ...SUGGESTION_LIMITS, topByResourceAllocation: 15 };
    const collector = new CandidateCollector(big, limits);
    const adj = Array.from({ length: n }, (_, v) => new Set(big.friends.subarray(big.friendStart[v], big.friendStart[v + 1])));
    for (const u of [0, 5, 17, 42, 99]) {
      const c = collector.collect(u);
      // Brute force: every friend of a friend with its RA, sorted as graphCandidates sorts.
      const ra = new Map<number, number>();
      for (const z of adj[u]!) for (const x of adj[z]!) if (x !== u && !adj[u]!.has(x)) ra.set(x, (ra.get(x) ?? 0) + 1 / adj[z]!.size);
      const expected = [...ra].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, 15).map(([id]) => id);
      const got = c.pool.map((s) => c.ids[s]!);
      expect(new Set(got)).toEqual(new Set(expected));
      for (const s of c.pool) expect(c.resourceAllocation[s]).toBeCloseTo(ra.get(c.ids[s]!)!, 12);
    }
  });

  it('round-trips friendships and one-way follows', () => {
    expect(friendshipsOf(g)).toEqual(Int32Array.from([0, 1, 0, 2, 1, 3, 2, 3, 2, 4, 4, 5, 4, 6, 4, 7]));
    expect([...oneWayFollowsOf(g)]).toEqual([0, 7, 1, 9, 2, 9, 8, 0]);
    expect(seededRandom(3)()).toBe(seededRandom(3)());
  });
});
