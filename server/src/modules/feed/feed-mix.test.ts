import { describe, expect, it } from 'vitest';
import { type Candidate, mix, rank } from './feed-mix.ts';

const c = (id: string, authorId: string, source: 'hot' | 'fresh', score = 0): Candidate => ({ id, authorId, source, score });

describe('For You mix', () => {
  it('never puts two clips of one author in a row', () => {
    const hot = [c('1', 'a', 'hot', 9), c('2', 'a', 'hot', 8), c('3', 'a', 'hot', 7), c('4', 'b', 'hot', 6), c('5', 'c', 'hot', 5)];
    const out = mix(rank(hot, []).hot, [], 10);
    for (let i = 1; i < out.length; i++) expect(out[i]!.authorId).not.toBe(out[i - 1]!.authorId);
    expect(out.map((x) => x.id)).toEqual(['1', '4', '2', '5', '3']);
  });

  it('gives every third slot to a fresh clip', () => {
    const hot = ['1', '2', '3', '4', '5', '6'].map((id, i) => c(id, `h${id}`, 'hot', 10 - i));
    const fresh = [c('f1', 'x', 'fresh'), c('f2', 'y', 'fresh')];
    expect(mix(hot, fresh, 7).map((x) => x.id)).toEqual(['1', '2', 'f1', '3', '4', 'f2', '5']);
  });

  it('does not repeat a clip that is both hot and fresh, and respects the previous page', () => {
    const out = mix([c('1', 'a', 'hot', 2), c('2', 'b', 'hot', 1)], [c('1', 'a', 'fresh')], 5, { lastAuthorId: 'a' });
    expect(out.map((x) => x.id)).toEqual(['2', '1']);
  });

  it('lets clips by the author just shown wait while more candidates may come, and shows them when there are no others', () => {
    const onlyA = [c('1', 'a', 'hot', 2), c('2', 'a', 'hot', 1)];
    expect(mix(onlyA, [], 5, { lastAuthorId: 'a' })).toEqual([]);
    expect(mix(onlyA, [], 5, { lastAuthorId: 'a', relax: true }).map((x) => x.id)).toEqual(['1', '2']);
    // Relaxing never reorders what the rule can place: b still comes between the two a's.
    const ab = [c('1', 'a', 'hot', 3), c('2', 'a', 'hot', 2), c('3', 'b', 'hot', 1)];
    expect(mix(ab, [], 5, { relax: true }).map((x) => x.id)).toEqual(['1', '3', '2']);
  });

  it('spreads an author’s clips out when it knows every candidate, so the rule can hold to the end', () => {
    const list = [c('f', 'x', 'hot', 6), c('o', 'y', 'hot', 5), c('v', 'z', 'hot', 4), c('s1', 's', 'hot', 3), c('s2', 's', 'hot', 2), c('s3', 's', 'hot', 1)];
    expect(mix(list, [], 10, { relax: true }).map((x) => x.id)).toEqual(['f', 's1', 'o', 's2', 'v', 's3']);
  });

  it('shows no clip again within the last ten; when only such clips are left, the one shown longest ago comes first', () => {
    const list = [c('a', 'x', 'hot', 3), c('b', 'y', 'hot', 2), c('c', 'z', 'hot', 1)];
    expect(mix(list, [], 3, { recent: ['c', 'a'] }).map((x) => x.id)).toEqual(['b']);
    expect(mix(list, [], 3, { recent: ['c', 'a'], relax: true }).map((x) => x.id)).toEqual(['b', 'c', 'a']);
    // A catalogue of one: it comes round again and again.
    expect(mix([c('a', 'x', 'hot', 1)], [], 3, { recent: ['a'], relax: true }).map((x) => x.id)).toEqual(['a']);
  });

  it('does not bring back the clip on screen, served long ago, before a clip served since and dropped unseen', () => {
    // Served a, b, c (b and c were replaced unseen by re-ranks); the person is looking at a.
    const list = [c('a', 'x', 'hot', 3), c('b', 'y', 'hot', 2), c('c', 'z', 'hot', 1)];
    expect(mix(list, [], 1, { recent: ['a', 'b', 'c'], relax: true }).map((x) => x.id)).toEqual(['a']);
    expect(mix(list, [], 1, { recent: ['a', 'b', 'c'], relax: true, lastSeen: ['a'] }).map((x) => x.id)).toEqual(['b']);
    // Seen b then a: a is the latest of all, b next, c (never seen) first.
    expect(mix(list, [], 3, { recent: ['a', 'b', 'c'], relax: true, lastSeen: ['b', 'a'] }).map((x) => x.id)).toEqual(['c', 'b', 'a']);
  });

  it('puts no more than two clips of one topic in a row while others are there', () => {
    const t = (id: string, a: string, topic: string, score: number): Candidate => ({ id, authorId: a, source: 'hot', score, topic });
    const list = [t('1', 'a', 'cats', 9), t('2', 'b', 'cats', 8), t('3', 'c', 'cats', 7), t('4', 'd', 'cars', 1), t('5', 'e', 'cats', 6)];
    expect(mix(list, [], 5).map((x) => x.id)).toEqual(['1', '2', '4', '3', '5']);
  });

  it('gives one slot in EXPLORE_EVERY (counted across pages) to the best clip of an unexplored topic, a different topic each time', () => {
    const t = (id: string, topic: string, score: number, explore = false): Candidate => ({ id, authorId: `a${id}`, source: 'hot', score, topic, explore });
    const list = [t('1', 'cats', 9), t('2', 'cats', 8), t('3', 'dogs', 7), t('4', 'cars', 2, true), t('5', 'boats', 3, true), t('6', 'boats', 4, true)];
    const out = mix(list, [], 3, { sinceExplore: 8 });
    expect(out.map((x) => x.id)).toEqual(['1', '6', '2']);
    expect(out[1]!.explored).toBe(true);
    // Every other slot: each exploration slot tries a topic not on the page yet.
    expect(mix(list, [], 4, { sinceExplore: 1, exploreEvery: 2 }).map((x) => x.id)).toEqual(['6', '1', '4', '2']);
    // Without a counter (signed out, clips shown again) there is no exploration slot.
    expect(mix(list, [], 3).map((x) => x.id)).toEqual(['1', '2', '3']);
  });
});
