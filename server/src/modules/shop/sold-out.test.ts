import { afterEach, describe, expect, it, vi } from 'vitest';
import { SoldOutMarks } from './sold-out.ts';

const line = (productId: string, quantity = 1, variantId: string | null = null) => ({ productId, variantId, quantity });

function listening() {
  const marks = new SoldOutMarks();
  marks.listening = true;
  return marks;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SoldOutMarks', () => {
  it('refuses a buyer of more units than a read saw left, and no one else', () => {
    const marks = listening();
    marks.mark(line('1'), 0, marks.now);
    marks.mark(line('2', 3), 2, marks.now);
    expect(marks.refuses([line('1')])).toBe(true);
    expect(marks.refuses([line('2', 3)])).toBe(true);
    expect(marks.refuses([line('2', 2)])).toBe(false);
    expect(marks.refuses([line('3')])).toBe(false);
    expect(marks.refuses([line('3'), line('1')])).toBe(true);
  });

  it('marks a variant apart from its product and the other variants; a clear of the product drops them all', () => {
    const marks = listening();
    marks.mark(line('1', 1, '10'), 0, marks.now);
    expect(marks.refuses([line('1', 1, '10')])).toBe(true);
    expect(marks.refuses([line('1', 1, '11')])).toBe(false);
    expect(marks.refuses([line('1')])).toBe(false);
    marks.clear(['1']);
    expect(marks.refuses([line('1', 1, '10')])).toBe(false);
  });

  it('does not keep a mark from a read that started before a clear of that product', () => {
    const marks = listening();
    const since = marks.now;
    marks.clear(['1']); // a restock committed while the read was in flight
    marks.mark(line('1'), 0, since);
    marks.mark(line('2'), 0, since); // another product: kept
    expect(marks.refuses([line('1')])).toBe(false);
    expect(marks.refuses([line('2')])).toBe(true);
    marks.mark(line('1'), 0, marks.now);
    expect(marks.refuses([line('1')])).toBe(true);
  });

  it('forgets everything (and every read in flight) when told that anything may have changed', () => {
    const marks = listening();
    const since = marks.now;
    marks.mark(line('1'), 0, since);
    marks.clearAll();
    expect(marks.refuses([line('1')])).toBe(false);
    marks.mark(line('2'), 0, since);
    expect(marks.refuses([line('2')])).toBe(false);
  });

  it('trusts a mark for a few seconds only (a clear lost between nodes)', () => {
    vi.useFakeTimers();
    const marks = listening();
    marks.mark(line('1'), 0, marks.now);
    vi.advanceTimersByTime(4_000);
    expect(marks.refuses([line('1')])).toBe(true);
    vi.advanceTimersByTime(1_001);
    expect(marks.refuses([line('1')])).toBe(false);
  });

  it('marks nothing until clears from other nodes can arrive', () => {
    const marks = new SoldOutMarks();
    marks.mark(line('1'), 0, marks.now);
    expect(marks.refuses([line('1')])).toBe(false);
  });
});
