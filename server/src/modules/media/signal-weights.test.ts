import { describe, expect, it } from 'vitest';
import { affinitiesOf, affinityScore, hashtagsOf, signalWeight } from './signal-weights.ts';

const ev = (type: string, authorId: string, caption: string, watchedMs: number | null = null) => ({ type, authorId, caption, watchedMs, durationMs: 10_000 });

describe('signal weights', () => {
  it('count watching by the share watched, finishing and explicit actions more, skips against', () => {
    expect(signalWeight({ type: 'watch', watchedMs: 5000, durationMs: 10_000 })).toBeCloseTo(0.5);
    expect(signalWeight({ type: 'watch', watchedMs: 1000, durationMs: 10_000 })).toBeLessThan(0);
    expect(signalWeight({ type: 'watch', watchedMs: 60_000, durationMs: 10_000 })).toBe(2);
    expect(signalWeight({ type: 'share', watchedMs: null, durationMs: 1 })).toBeGreaterThan(signalWeight({ type: 'completion', watchedMs: null, durationMs: 1 }));
    expect(signalWeight({ type: 'skip', watchedMs: 300, durationMs: 1 })).toBeLessThan(0);
    expect(signalWeight({ type: 'impression', watchedMs: null, durationMs: 1 })).toBe(0);
  });

  it('find hashtags case-insensitively, not inside words', () => {
    expect(hashtagsOf('#Cats and #cats, a#b, #123 #dogs_2')).toEqual(['cats', 'dogs_2']);
  });

  it('lean toward what a person finished and away from what they skipped, recent events counting more', () => {
    const a = affinitiesOf([ev('completion', 'x', '#cats'), ev('skip', 'y', '#cars'), ev('completion', 'y', '#cars')]);
    expect(affinityScore(a, 'z', '#cats')).toBeGreaterThan(0);
    expect(affinityScore(a, 'z', '#cats')).toBeGreaterThan(affinityScore(a, 'z', '#cars'));
    const dismissed = affinitiesOf([ev('not_interested', 'y', '#cars')]);
    expect(dismissed.dismissedAuthors).toEqual(new Set(['y']));
    expect(affinityScore(dismissed, 'y', '')).toBeLessThan(0);
  });
});
