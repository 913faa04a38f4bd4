import { describe, expect, it } from 'vitest';
import { AHEAD, broughtNothingNew, replaceAhead, requeue, rerankQuery } from './feed-paging.ts';

const clip = (id: string) => ({ id });
const page = (ids: string[], nextCursor: string | null = 'next') => ({ items: ids.map(clip), nextCursor });
const ids = (d: { pages: { items: { id: string }[] }[] }) => d.pages.flatMap((p) => p.items.map((c) => c.id));

describe('For You re-rank on every swipe', () => {
  it('asks for a look-ahead and names the clips queued, so the ranking can keep them', () => {
    expect(AHEAD).toBe(2);
    expect(rerankQuery([clip('c'), clip('d'), clip('e')])).toEqual({ limit: AHEAD, ahead: ['c', 'd'] });
    // Nothing queued (swiped faster than the last answer came): nothing to keep.
    expect(rerankQuery([])).toEqual({ limit: AHEAD, ahead: [] });
  });

  it('queues the fresh page without the clip on screen or repeats', () => {
    expect(requeue([clip('b'), clip('a'), clip('c'), clip('c'), clip('d')], 'a').map((c) => c.id)).toEqual(['b', 'c', 'd']);
    expect(requeue([clip('x')]).map((c) => c.id)).toEqual(['x']);
  });

  it('replaces what lies beyond the clip on screen, leaving what was seen in place', () => {
    // Pages a b c d | e f; on screen: b (index 1); c, d, e and f give way to the fresh page (which kept c).
    const data = { pages: [page(['a', 'b', 'c', 'd'], 'c1'), page(['e', 'f'], 'c2')], pageParams: [undefined, 'c1'] };
    const out = replaceAhead(data, 1, page(['c', 'g'], 'c3'), 'c2');
    expect(ids(out)).toEqual(['a', 'b', 'c', 'g']);
    expect(out.pageParams).toEqual([undefined, 'c2']);
    expect(out.pages.at(-1)!.nextCursor).toBe('c3');
    // The ranking changed its mind about c: it gives way.
    const swapped = replaceAhead(data, 1, page(['h', 'g'], 'c3'), 'c2');
    expect(ids(swapped)).toEqual(['a', 'b', 'h', 'g']);
    // On screen: the last clip: the fresh page follows it (a clip already seen may come round again, not next to itself).
    const end = replaceAhead(out, 3, page(['g', 'a'], 'c4'), 'c3');
    expect(ids(end)).toEqual(['a', 'b', 'c', 'g', 'a']);
    expect(end.pageParams).toEqual([undefined, 'c2', 'c3']);
  });

  it('asks again when the answer brought nothing after the clip on screen (a small catalogue comes round quickly)', () => {
    // On screen a; the answer is a again: nothing after it, so a swipe would find nothing.
    const data = { pages: [page(['a', 'b'], 'c1')], pageParams: [undefined] };
    const out = replaceAhead(data, 0, page(['a'], 'c2'), 'c1');
    expect(ids(out)).toEqual(['a']);
    expect(broughtNothingNew(ids(out).length - 1)).toBe(true);
    const again = replaceAhead(out, 0, page(['c'], 'c3'), 'c2');
    expect(ids(again)).toEqual(['a', 'c']);
    expect(broughtNothingNew(ids(again).length - 1)).toBe(false);
  });
});
