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
    expect((await rl.hit('other', 3, 60_000)).allowed).toBe(true);
    now += 60_001;
    expect((await rl.hit('k', 3, 60_000)).allowed).toBe(true);
    await rl.close();
  });

  it('release gives back one claim of the current window, never more, and nothing once it has passed', async () => {
    let now = 1_000_000;
    const rl = createMemoryRateLimiter(() => now);
    expect((await rl.hit('r', 1, 60_000)).allowed).toBe(true);
    expect((await rl.hit('r', 1, 60_000)).allowed).toBe(false);
    await rl.release('r');
    await rl.release('r');
    expect((await rl.hit('r', 1, 60_000)).count).toBe(1);
    await rl.release('gone');
    now += 60_001;
    await rl.release('r');
    expect((await rl.hit('r', 1, 60_000)).count).toBe(1);
    await rl.close();
  });
});
