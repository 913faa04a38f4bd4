import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';

const followersOf7 = { list: 'followers:7', viewer: '1' };

describe('keyset cursors', () => {
  it('round-trips positions', () => {
    expect(decodeCursor(followersOf7, encodeCursor(followersOf7, [3, 'abc', '12']), 3)).toEqual([3, 'abc', '12']);
    expect(decodeCursor(followersOf7, undefined, 2)).toBeNull();
  });

  it('refuses cursors it did not give out with a 400 naming the field', () => {
    const forged = Buffer.from('["not a time","1"]').toString('base64url');
    const [, signature] = encodeCursor(followersOf7, ['2026-01-01', '1']).split('.');
    for (const bad of [
      'nonsense',
      encodeCursor(followersOf7, [1]),
      Buffer.from('{"a":1}').toString('base64url'),
      forged,
      `${forged}.${signature}`,
      `${encodeCursor(followersOf7, [1, 2])}.x`,
    ]) {
      expect(() => decodeCursor(followersOf7, bad, 2)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_cursor', extra: { field: 'cursor' } }));
    }
  });

  it('refuses a cursor given out for another list, another subject, another person or signed out', () => {
    const cursor = encodeCursor(followersOf7, ['2026-01-01T00:00:00.000Z', '5']);
    for (const scope of [
      { list: 'blocks', viewer: '1' },
      { list: 'followers:8', viewer: '1' },
      { list: 'followers:7', viewer: '2' },
      { list: 'followers:7', viewer: null },
    ]) {
      expect(() => decodeCursor(scope, cursor, 2)).toThrow(expect.objectContaining({ status: 400, code: 'invalid_cursor' }));
    }
    expect(decodeCursor(followersOf7, cursor, 2)).toEqual(['2026-01-01T00:00:00.000Z', '5']);
  });

  it('cuts limit+1 rows into a page with a next cursor only when more exist', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const full = toPage(followersOf7, rows, 2, (r) => r.id, (r) => [r.id]);
    expect(full.items).toEqual([1, 2]);
    expect(decodeCursor(followersOf7, full.nextCursor!, 1)).toEqual([2]);
    expect(toPage(followersOf7, rows, 3, (r) => r.id, (r) => [r.id]).nextCursor).toBeNull();
  });
});
