import { describe, expect, it } from 'vitest';
import { formatSeparator, needsTimeSeparator, seenMarkers } from './chat-layout.ts';

const at = (iso: string) => ({ createdAt: iso });

describe('time lines between messages', () => {
  it('go before the first message, after an hour of silence, and where the day changes', () => {
    expect(needsTimeSeparator(undefined, at('2026-03-10T10:00:00'))).toBe(true);
    expect(needsTimeSeparator(at('2026-03-10T10:00:00'), at('2026-03-10T10:59:00'))).toBe(false);
    expect(needsTimeSeparator(at('2026-03-10T10:00:00'), at('2026-03-10T11:00:00'))).toBe(true);
    expect(needsTimeSeparator(at('2026-03-10T23:50:00'), at('2026-03-11T00:05:00'))).toBe(true);
  });

  it('say today, yesterday, the weekday within a week, then the date', () => {
    const now = new Date('2026-03-12T18:00:00');
    expect(formatSeparator(new Date('2026-03-12T14:05:00'), now, 'en-GB')).toBe('Today 14:05');
    expect(formatSeparator(new Date('2026-03-11T09:30:00'), now, 'en-GB')).toBe('Yesterday 9:30');
    expect(formatSeparator(new Date('2026-03-09T09:30:00'), now, 'en-GB')).toBe('Monday 9:30');
    expect(formatSeparator(new Date('2026-02-01T09:30:00'), now, 'en-GB')).toBe('1 Feb, 9:30');
    expect(formatSeparator(new Date('2024-02-01T09:30:00'), now, 'en-GB')).toBe('1 Feb 2024, 9:30');
  });
});

describe('"Seen" marks', () => {
  const me = 'me';
  const ben = { id: 'ben', readSeq: 2 as number | null };
  const msgs = [
    { seq: 1, senderId: me },
    { seq: 2, senderId: me },
    { seq: 3, senderId: me },
  ];

  it('sit under the last message the other person read, not under the last message', () => {
    expect([...seenMarkers(msgs, [ben]).keys()]).toEqual([2]);
  });

  it('go away once they have replied, and come back when they read a later message of mine', () => {
    const withReply = [...msgs, { seq: 4, senderId: 'ben' }];
    expect(seenMarkers(withReply, [{ ...ben, readSeq: 4 }]).size).toBe(0);
    expect([...seenMarkers([...withReply, { seq: 5, senderId: me }], [{ ...ben, readSeq: 5 }]).keys()]).toEqual([5]);
  });

  it('stay hidden while the mark is hidden, and group who read what in a group', () => {
    expect(seenMarkers(msgs, [{ id: 'ben', readSeq: null }]).size).toBe(0);
    const cy = { id: 'cy', readSeq: 3 };
    const di = { id: 'di', readSeq: 3 };
    const marks = seenMarkers(msgs, [ben, cy, di]);
    expect(marks.get(2)).toEqual([ben]);
    expect(marks.get(3)).toEqual([cy, di]);
  });
});
