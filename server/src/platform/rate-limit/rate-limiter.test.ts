import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from './rate-limiter.ts';

describe('memory rate limiter', () => {
  it('allows up to the limit per window, then refuses with the time left', async () => {
    let now = 1_000_000;
    const rl = createMemoryRateLimiter(() => now);
    for (let i = 0; i < 3; i++) expect((await rl.hit('k', 3, 60_000)).allowed).toBe(true);
    const over = await rl.hit('k', 3, 60_000);
    expect(over.allowed).toBe(false);
    expect(over.retryAfterSec).toBe(60);
    expect((await rl.peek('k', 3, 60_000)).allowed).toBe(false);
    expect((await rl.hit('other', 3, 60_000)).allowed).toBe(true);
    now += 60_001;
    expect((await rl.hit('k', 3, 60_000)).allowed).toBe(true);
    await rl.close();
  });

  it('peek does not count', async () => {
    const rl = createMemoryRateLimiter();
    for (let i = 0; i < 10; i++) await rl.peek('p', 1, 60_000);
    expect((await rl.hit('p', 1, 60_000)).allowed).toBe(true);
    await rl.close();
  });
});
