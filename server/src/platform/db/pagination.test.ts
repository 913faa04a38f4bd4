import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, toPage } from './pagination.ts';

describe('keyset cursors', () => {
  it('round-trips positions', () => {
    expect(decodeCursor(encodeCursor([3, 'abc', '12']), 3)).toEqual([3, 'abc', '12']);
    expect(decodeCursor(undefined, 2)).toBeNull();
  });

  it('refuses cursors it did not give out with a 400 naming the field', () => {
    const forged = Buffer.from('["not a time","1"]').toString('base64url');
    const [, signature] = encodeCursor(['2026-01-01', '1']).split('.');
    for (const bad of ['nonsense', encodeCursor([1]), Buffer.from('{"a":1}').toString('base64url'), forged, `${forged}.${signature}`, `${encodeCursor([1, 2])}.x`]) {
      expect(() => decodeCursor(bad, 2)).toThrow(expect.objectContaining({ status: 400, extra: { field: 'cursor' } }));
    }
  });

  it('cuts limit+1 rows into a page with a next cursor only when more exist', () => {
    const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const full = toPage(rows, 2, (r) => r.id, (r) => [r.id]);
    expect(full.items).toEqual([1, 2]);
    expect(decodeCursor(full.nextCursor!, 1)).toEqual([2]);
    expect(toPage(rows, 3, (r) => r.id, (r) => [r.id]).nextCursor).toBeNull();
  });
});
