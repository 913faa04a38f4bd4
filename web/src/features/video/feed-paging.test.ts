import { describe, expect, it } from 'vitest';
import { AHEAD, broughtNothingNew, KEEP_AHEAD, replaceAhead, requeue, rerankPlan } from './feed-paging.ts';

const clip = (id: string) => ({ id });
const page = (ids: string[], nextCursor: string | null = 'next') => ({ items: ids.map(clip), nextCursor });
const ids = (d: { pages: { items: { id: string }[] }[] }) => d.pages.flatMap((p) => p.items.map((c) => c.id));

describe('For You re-rank on every swipe', () => {
  it('keeps the clip after the one on screen and asks for the rest', () => {
    expect(KEEP_AHEAD).toBe(1);
    expect(rerankPlan(3)).toEqual({ keep: 1, limit: AHEAD - 1 });
    expect(rerankPlan(1)).toEqual({ keep: 1, limit: AHEAD - 1 });
    // Nothing queued (swiped faster than the last answer came): ask for a whole look-ahead.
    expect(rerankPlan(0)).toEqual({ keep: 0, limit: AHEAD });
  });

  it('puts the fresh page behind the kept clips without repeating them or the clip on screen', () => {
    expect(requeue([clip('b')], [clip('b'), clip('a'), clip('c'), clip('c'), clip('d')], 'a').map((c) => c.id)).toEqual(['b', 'c', 'd']);
    expect(requeue([], [clip('x')]).map((c) => c.id)).toEqual(['x']);
  });

  it('replaces what lies beyond the kept clip, leaving what was seen in place', () => {
    // Pages a b c d | e f; on screen: b (index 1); keep c; d, e and f give way to the fresh page.
    const data = { pages: [page(['a', 'b', 'c', 'd'], 'c1'), page(['e', 'f'], 'c2')], pageParams: [undefined, 'c1'] };
    const out = replaceAhead(data, 3, 1, page(['c', 'g'], 'c3'), 'c2');
    expect(ids(out)).toEqual(['a', 'b', 'c', 'g']);
    expect(out.pageParams).toEqual([undefined, 'c2']);
    expect(out.pages.at(-1)!.nextCursor).toBe('c3');
    // On screen: the last clip, nothing kept: the fresh page follows it (a clip already seen may come round again, not next to itself).
    const end = replaceAhead(out, 4, 3, page(['g', 'a'], 'c4'), 'c3');
    expect(ids(end)).toEqual(['a', 'b', 'c', 'g', 'a']);
    expect(end.pageParams).toEqual([undefined, 'c2', 'c3']);
  });

  it('asks again when the answer only repeated the kept clip (a small catalogue comes round quickly)', () => {
    // On screen a, kept b; the answer is b again: nothing behind b, so a quick second swipe would find nothing.
    const data = { pages: [page(['a', 'b'], 'c1')], pageParams: [undefined] };
    const out = replaceAhead(data, 2, 0, page(['b'], 'c2'), 'c1');
    expect(ids(out)).toEqual(['a', 'b']);
    expect(broughtNothingNew(ids(out).length - 1, 1)).toBe(true);
    const again = replaceAhead(out, 2, 0, page(['c'], 'c3'), 'c2');
    expect(broughtNothingNew(ids(again).length - 1, 1)).toBe(false);
    // Nothing was queued and nothing came: ask again too.
    expect(broughtNothingNew(0, 0)).toBe(true);
  });
});
