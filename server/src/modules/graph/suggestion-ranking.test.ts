import { describe, expect, it } from 'vitest';
import { graphScore, suggestionReasons, suggestionScore, twoHopFeatures } from './suggestion-ranking.ts';

describe('suggestion ranking', () => {
  // 0 — 1, 0 — 2, 1 — 3, 2 — 3, 2 — 4, 4 — 5, 4 — 6, 4 — 7
  const adj = [[1, 2], [0, 3], [0, 3, 4], [1, 2], [2, 5, 6, 7], [4], [4], [4]];

  it('computes mutual friends and resource allocation over two hops, skipping self and friends', () => {
    const f = twoHopFeatures(adj, 0);
    expect([...f.keys()].sort()).toEqual([3, 4]);
    expect(f.get(3)).toEqual({ mutualFriends: 2, resourceAllocation: 1 / 2 + 1 / 3, candidateDegree: 2 });
    expect(f.get(4)).toEqual({ mutualFriends: 1, resourceAllocation: 1 / 3, candidateDegree: 4 });
  });

  it('discounts well-connected candidates for the same resource allocation', () => {
    const small = graphScore({ mutualFriends: 2, resourceAllocation: 0.5, candidateDegree: 10 });
    const big = graphScore({ mutualFriends: 2, resourceAllocation: 0.5, candidateDegree: 1000 });
    expect(small).toBeGreaterThan(big);
    expect(big).toBeGreaterThan(0);
    expect(graphScore({ mutualFriends: 0, resourceAllocation: 0, candidateDegree: 5 })).toBe(0);
    // More RA still wins against a moderate degree difference.
    expect(graphScore({ mutualFriends: 3, resourceAllocation: 1, candidateDegree: 200 })).toBeGreaterThan(small);
  });

  it('lifts contacts and followers without a graph signal, and explains each suggestion', () => {
    const contact = { mutualFriends: 0, resourceAllocation: 0, candidateDegree: 0, inContacts: true };
    const fan = { mutualFriends: 0, resourceAllocation: 0, candidateDegree: 3, followsYou: true };
    expect(suggestionScore(contact)).toBeGreaterThan(suggestionScore(fan));
    expect(suggestionScore(fan)).toBeGreaterThan(0);
    expect(suggestionReasons(contact)).toEqual(['In your contacts']);
    expect(suggestionReasons({ mutualFriends: 3, resourceAllocation: 1, candidateDegree: 9, followsYou: true })).toEqual(['3 mutual friends', 'Follows you']);
    expect(suggestionReasons({ mutualFriends: 1, resourceAllocation: 1, candidateDegree: 9 })).toEqual(['1 mutual friend']);
    expect(suggestionReasons({ mutualFriends: 0, resourceAllocation: 0, candidateDegree: 9, followedByFriends: 4 })).toEqual(['Followed by 4 of your friends']);
  });
});
