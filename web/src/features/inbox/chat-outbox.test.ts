import { describe, expect, it } from 'vitest';
import { retryDelay } from './chat-outbox.ts';

describe('the backoff of a send the server refused', () => {
  it('doubles from 250 ms, never passes 8 s, and is jittered into [half, full)', () => {
    expect(retryDelay(0, 0.9999)).toBeCloseTo(250, -1);
    expect(retryDelay(1, 0.9999)).toBeCloseTo(500, -1);
    expect(retryDelay(4, 0.9999)).toBeCloseTo(4000, -1);
    for (const attempt of [5, 6, 20, 1000]) expect(retryDelay(attempt, 0.999)).toBeLessThanOrEqual(8000);
    expect(retryDelay(3, 0)).toBe(1000);
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(2);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThan(1000);
    }
  });
});
