import { describe, expect, it } from 'vitest';
import { personalScore } from './feed-personal.ts';
import { currentTopics, exploreEvery, LEAD_SCORE, pendingTopics, sessionScore, sessionTaste, trustsPast, unexplored } from './feed-session.ts';

// Events newest first, as personSignals gives them: a finished clip and a skipped one.
const finished = (id: string, topic: string, author = `a${id}`) => [
  { videoId: id, type: 'completion', watchedMs: null, durationMs: 15_000, authorId: author, caption: `#${topic}` },
  { videoId: id, type: 'watch', watchedMs: 15_000, durationMs: 15_000, authorId: author, caption: `#${topic}` },
  { videoId: id, type: 'impression', watchedMs: null, durationMs: 15_000, authorId: author, caption: `#${topic}` },
];
const skipped = (id: string, topic: string, author = `a${id}`) => [
  { videoId: id, type: 'skip', watchedMs: 1_500, durationMs: 15_000, authorId: author, caption: `#${topic}` },
  { videoId: id, type: 'impression', watchedMs: null, durationMs: 15_000, authorId: author, caption: `#${topic}` },
];

describe('session taste', () => {
  it('lets the last three skips outweigh six earlier finishes of a topic, and one finish lift a topic with no recent evidence', () => {
    const events = [...finished('9', 'dogs'), ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...skipped('10', 'cats'), ...[1, 2, 3, 4, 5, 6].flatMap((i) => finished(String(i), 'cats'))];
    const t = sessionTaste(events);
    expect(t.topics.get('cats')!).toBeLessThan(0);
    expect(t.topics.get('dogs')!).toBeGreaterThan(0.4);
    expect(sessionScore(t, 'a9', ['dogs'])).toBeGreaterThan(sessionScore(t, 'a1', ['cats']));
    expect(currentTopics(t, new Map([['cats', 5]]))).toEqual(['dogs']);
  });

  it('marks topics with no recent clip as unexplored, and explores more only when nothing works', () => {
    const t = sessionTaste([...skipped('3', 'cats'), ...skipped('2', 'cats'), ...skipped('1', 'cars')]);
    expect(unexplored(t, 'x', ['dogs'])).toBe(true);
    expect(unexplored(t, 'x', ['cats'])).toBe(false);
    expect(unexplored(t, 'a1', [])).toBe(false);
    // Nothing liked yet: skips start no exploration, but every other slot explores while nothing works.
    expect(t.exploring).toBe(false);
    expect(exploreEvery(t, 10)).toBe(2);
    expect(exploreEvery(sessionTaste([...finished('4', 'dogs'), ...skipped('3', 'cats'), ...skipped('2', 'cats')]), 10)).toBe(10);
    expect(exploreEvery(sessionTaste([]), 10)).toBe(10);
  });

  it('after a skip streak explores every slot, topics outside the streak only, the best-ranked first', () => {
    // Six finishes of cats, then two skips of cats (the clip on screen has an impression only).
    const onScreen = [{ videoId: '20', type: 'impression', watchedMs: null, durationMs: 15_000, authorId: 'a20', caption: '#birds' }];
    const cats = [1, 2, 3, 4, 5, 6].flatMap((i) => finished(String(i), 'cats'));
    const dogs = ['d1', 'd2', 'd3'].flatMap((id) => finished(id, 'dogs'));
    const t = sessionTaste([...onScreen, ...skipped('8', 'cats'), ...skipped('7', 'dogs'), ...cats, ...dogs]);
    expect(t.skipStreak).toBe(2);
    expect(exploreEvery(t, 10)).toBe(1);
    // What came before the streak does not lift what was skipped in it.
    expect(t.topics.get('cats')!).toBeLessThanOrEqual(-0.5);
    expect(unexplored(t, 'x', ['cats'])).toBe(false);
    expect(unexplored(t, 'x', ['dogs'])).toBe(false);
    expect(unexplored(t, 'x', ['birds'])).toBe(true);
    // A topic outside the streak finished just before it is explored first: it scores best among the untried.
    const u = sessionTaste([...skipped('12', 'cats'), ...skipped('11', 'cats'), ...finished('10', 'birds'), ...cats]);
    expect(exploreEvery(u, 10)).toBe(1);
    expect(unexplored(u, 'x', ['birds'])).toBe(true);
    expect(sessionScore(u, 'x', ['birds'])).toBeGreaterThan(sessionScore(u, 'x', ['dogs']));
    // A finish stops the every-slot exploration (it becomes a lead, below).
    expect(sessionTaste([...finished('9', 'birds'), ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...cats]).exploring).toBe(false);
    // A streak long enough to have tried every topic tries again what it skipped longest ago.
    const tried = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].flatMap((topic, i) => skipped(String(30 + i), topic));
    const long = sessionTaste([...tried, ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...cats]);
    expect(unexplored(long, 'x', ['a'])).toBe(false);
    expect(unexplored(long, 'x', ['h'])).toBe(true);
  });

  it('starts an exploration only on skips of what the person was known to like', () => {
    const cats = [1, 2, 3, 4, 5, 6].flatMap((i) => finished(String(i), 'cats'));
    // Someone who likes cats skips other topics all the time: no news, however many in a row.
    const others = sessionTaste([...skipped('12', 'cars'), ...skipped('11', 'dogs'), ...skipped('10', 'birds'), ...cats]);
    expect(others.exploring).toBe(false);
    expect(others.skipStreak).toBe(0);
    expect(trustsPast(others, 'x', ['cats'])).toBe(true);
    expect(exploreEvery(others, 10)).toBe(10);
    // Two skips of cats start one, whatever other skips came between them.
    const favoured = sessionTaste([...skipped('12', 'cats'), ...skipped('11', 'dogs'), ...skipped('10', 'cats'), ...cats]);
    expect(favoured.exploring).toBe(true);
    expect(favoured.skipStreak).toBe(2);
    expect(trustsPast(favoured, 'x', ['cats'])).toBe(false);
    // A finish in between ends the streak.
    expect(sessionTaste([...skipped('12', 'cats'), ...finished('11', 'cats'), ...skipped('10', 'cats'), ...cats]).exploring).toBe(false);
  });

  it('counts as being tried only the clip on screen without an outcome yet', () => {
    const onScreen = { videoId: '20', type: 'impression', watchedMs: null, durationMs: 15_000, authorId: 'a20', caption: '#birds #cats' };
    expect(pendingTopics([onScreen, ...skipped('8', 'cats')])).toEqual(new Set(['birds']));
    // Its outcome is in: nothing is pending.
    expect(pendingTopics([...finished('20', 'birds'), ...skipped('8', 'cats')])).toEqual(new Set());
    // A clip without hashtags is tried as its author.
    expect(pendingTopics([{ ...onScreen, caption: 'no tags' }])).toEqual(new Set(['a20']));
    expect(pendingTopics([])).toEqual(new Set());
  });

  it('hedges after one skip of a favourite: the slots after the next clip explore until the next outcome', () => {
    const cats = [1, 2, 3, 4, 5, 6].flatMap((i) => finished(String(i), 'cats'));
    const once = sessionTaste([...skipped('10', 'cats'), ...finished('9', 'dogs'), ...cats]);
    expect(once.hedging).toBe(true);
    expect(once.exploring).toBe(false);
    expect(exploreEvery(once, 10)).toBe(1);
    // Any topic but the one just skipped is worth a try, also one seen lately.
    expect(unexplored(once, 'x', ['dogs'])).toBe(true);
    expect(unexplored(once, 'x', ['cats'])).toBe(false);
    // The past still holds (one skip is not yet a change of taste).
    expect(trustsPast(once, 'x', ['cats'])).toBe(true);
    // A finish after it: it was a one-off.
    const oneOff = sessionTaste([...finished('11', 'cats'), ...skipped('10', 'cats'), ...cats]);
    expect(oneOff.hedging).toBe(false);
    expect(exploreEvery(oneOff, 10)).toBe(10);
    // Skips of what the person was not known to like hedge nothing.
    expect(sessionTaste([...skipped('10', 'dogs'), ...cats]).hedging).toBe(false);
    // A second skip: an exploration, no longer a hedge.
    const twice = sessionTaste([...skipped('11', 'cats'), ...skipped('10', 'cats'), ...cats]);
    expect([twice.exploring, twice.hedging]).toEqual([true, false]);
  });

  it('gives the long-term profile no say over a clip whose topic was skipped lately', () => {
    expect(personalScore({ hot: 0, model: undefined, affinity: 5, session: -0.5 })).toBeLessThan(personalScore({ hot: 0, model: undefined, affinity: 0, session: 0 }));
    expect(personalScore({ hot: 0, model: undefined, affinity: 5, session: 0 })).toBeGreaterThan(personalScore({ hot: 0, model: undefined, affinity: 0, session: 0 }));
  });

  it('follows a finish after a skip streak at once as a lead, tests it one clip at a time, and confirms or drops it', () => {
    const cats = [1, 2, 3, 4, 5, 6].flatMap((i) => finished(String(i), 'cats'));
    // The taste changed: two skips of cats, then dogs skipped, then birds finished.
    const lead = sessionTaste([...finished('10', 'birds'), ...skipped('9', 'dogs'), ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...cats]);
    expect([...lead.leads]).toEqual(['birds']);
    expect(lead.exploring).toBe(false);
    expect(lead.testing).toBe(true);
    expect(lead.topics.get('birds')!).toBeGreaterThanOrEqual(LEAD_SCORE);
    // Its next clip comes at once; while that one is out, the other slots go on exploring.
    expect(exploreEvery(lead, 10)).toBe(10);
    expect(exploreEvery(lead, 10, new Set(['birds']))).toBe(1);
    expect(unexplored(lead, 'x', ['birds'])).toBe(false);
    // The long-term profile (cats, six finishes) counts for the lead only, right after the change.
    expect(trustsPast(lead, 'x', ['cats'])).toBe(false);
    expect(trustsPast(lead, 'x', ['birds'])).toBe(true);
    // A skip of the lead drops it: the exploration goes on, birds now among what it tried.
    const lost = sessionTaste([...skipped('11', 'birds'), ...finished('10', 'birds'), ...skipped('9', 'dogs'), ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...cats]);
    expect(lost.leads.size).toBe(0);
    expect(lost.exploring).toBe(true);
    expect(lost.skipStreak).toBe(4);
    expect(exploreEvery(lost, 10)).toBe(1);
    expect(unexplored(lost, 'x', ['birds'])).toBe(false);
    expect(unexplored(lost, 'x', ['fish'])).toBe(true);
    // A second finish confirms it: the exploration ends, the lead stays first.
    const confirmed = sessionTaste([...finished('11', 'birds'), ...finished('10', 'birds'), ...skipped('9', 'dogs'), ...skipped('8', 'cats'), ...skipped('7', 'cats'), ...cats]);
    expect(confirmed.exploring || confirmed.testing).toBe(false);
    expect(confirmed.skipStreak).toBe(0);
    expect(sessionScore(confirmed, 'x', ['birds'])).toBeGreaterThan(sessionScore(confirmed, 'x', ['cats']));
    expect(trustsPast(confirmed, 'x', ['cats'])).toBe(false);
    // Without a streak a finish is just a finish: no lead, the past counts.
    const usual = sessionTaste([...finished('10', 'birds'), ...skipped('9', 'dogs'), ...cats]);
    expect(usual.leads.size).toBe(0);
    expect(trustsPast(usual, 'x', ['cats'])).toBe(true);
  });
});
