import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_NAMES, logScore, PRIOR_MODEL, suggestionReasons, suggestionScore, writeFeatures } from './suggestion-ranking.ts';

describe('suggestion ranking', () => {
  const fof = { mutualFriends: 2, resourceAllocation: 0.5, adamicAdar: 1.5, candidateDegree: 10, viewerDegree: 20 };

  it('turns a candidate into one number per named feature', () => {
    const x = new Float64Array(FEATURE_COUNT);
    writeFeatures({ ...fof, followsYou: true, followedByFriends: 3, inContacts: true, viewerFollowBackRate: 0.25 }, x);
    const byName = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, x[i]]));
    expect(byName['log resource allocation']).toBeCloseTo(Math.log(0.5));
    expect(byName['log Adamic-Adar']).toBeCloseTo(Math.log(1.5));
    expect(byName['log mutual friends']).toBeCloseTo(Math.log(2));
    expect(byName.Jaccard).toBeCloseTo(2 / (20 + 10 - 2));
    expect(byName['log candidate degree × log viewer degree']).toBeCloseTo(Math.log(11) * Math.log(21));
    expect(byName['no mutual friend']).toBe(0);
    expect(byName['follows you']).toBe(1);
    expect(byName['log followed by friends']).toBeCloseTo(Math.log(4));
    expect(byName['in your contacts']).toBe(1);
    expect(byName['follows you × your follow-back rate']).toBe(0.25);
    // Without a mutual friend the graph terms are zero, not log(0).
    writeFeatures({ mutualFriends: 0, resourceAllocation: 0, adamicAdar: 0, candidateDegree: 3, viewerDegree: 5 }, x);
    expect([...x].every(Number.isFinite)).toBe(true);
    expect(x[FEATURE_NAMES.indexOf('no mutual friend')]).toBe(1);
  });

  it('the prior is degree-normalised resource allocation, RA · (1 + deg c)^-0.15', () => {
    expect(suggestionScore(PRIOR_MODEL, fof)).toBeCloseTo(0.5 * 11 ** -0.15, 10);
    const big = { ...fof, candidateDegree: 1000 };
    expect(logScore(PRIOR_MODEL, fof)).toBeGreaterThan(logScore(PRIOR_MODEL, big));
    expect(logScore(PRIOR_MODEL, { ...fof, resourceAllocation: 1 })).toBeGreaterThan(logScore(PRIOR_MODEL, fof));
  });

  it('a model scores with its own weights', () => {
    const flipped = { weights: PRIOR_MODEL.weights.map((w, i) => (FEATURE_NAMES[i] === 'log candidate degree' ? 0.5 : w)) };
    const big = { ...fof, candidateDegree: 1000 };
    expect(logScore(flipped, big)).toBeGreaterThan(logScore(flipped, fof));
  });

  it('lifts contacts and followers without a graph signal, and explains each suggestion', () => {
    const none = { mutualFriends: 0, resourceAllocation: 0, adamicAdar: 0, candidateDegree: 3, viewerDegree: 20 };
    const contact = { ...none, inContacts: true };
    const fan = { ...none, followsYou: true };
    expect(suggestionScore(PRIOR_MODEL, contact)).toBeGreaterThan(suggestionScore(PRIOR_MODEL, fan));
    expect(suggestionScore(PRIOR_MODEL, fan)).toBeGreaterThan(suggestionScore(PRIOR_MODEL, none));
    expect(suggestionReasons(contact)).toEqual(['In your contacts']);
    expect(suggestionReasons({ mutualFriends: 3, followsYou: true })).toEqual(['3 mutual friends', 'Follows you']);
    expect(suggestionReasons({ mutualFriends: 1 })).toEqual(['1 mutual friend']);
    expect(suggestionReasons({ mutualFriends: 0, followedByFriends: 4 })).toEqual(['Followed by 4 of your friends']);
  });
});
