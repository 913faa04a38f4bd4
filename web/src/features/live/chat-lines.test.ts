import { describe, expect, it } from 'vitest';
import { mergeSnapshot, type RoomMessage } from './chat-lines.ts';

const user = { id: '1', username: 'vera', displayName: 'Vera', avatarUrl: null } as unknown as RoomMessage['user'];
const line = (id: string, pending = false): RoomMessage => ({ id, user, text: `line ${id}`, createdAt: '2026-11-30T00:00:00Z', ...(pending && { pending }) });

describe('a live room chat after a join snapshot', () => {
  it('keeps a line newer than the snapshot that arrived before it, and this person’s unacknowledged lines', () => {
    const merged = mergeSnapshot([line('5'), line('9'), line('c-1', true)], [line('5'), line('7')]);
    expect(merged.map((m) => m.id)).toEqual(['5', '7', '9', 'c-1']);
  });

  it('drops lines the snapshot no longer has (deleted) that are older than its newest', () => {
    expect(mergeSnapshot([line('3'), line('4')], [line('4'), line('6')]).map((m) => m.id)).toEqual(['4', '6']);
  });

  it('compares ids as numbers, not strings', () => {
    expect(mergeSnapshot([line('10')], [line('9')]).map((m) => m.id)).toEqual(['9', '10']);
  });
});
