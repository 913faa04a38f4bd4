import type { Redis } from 'ioredis';

export interface RateVerdict {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets (for `Retry-After`). */
  retryAfterSec: number;
}

/**
 * Fixed-window counters keyed by purpose and subject ("login-fail:alice").
 * In-process by default; Redis when several nodes must share the counts.
 *
 * There is deliberately no "look without counting": a check followed by a separate count lets
 * every concurrent request pass the check before any of them counts. Claim first with `hit`
 * (one atomic step), and `release` the claim if it turned out not to count.
 */
export interface RateLimiter {
  /** Counts one event, atomically, and says whether it is still within `limit` for the window. */
  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
  /** Gives back one event counted by `hit` in the current window (nothing when the window is gone). */
  release(key: string): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  // Expired windows are swept so the map cannot grow without bound.
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
  }, 60_000);
  sweep.unref();
  const current = (key: string, windowMs: number) => {
    const t = now();
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + windowMs };
      windows.set(key, w);
    }
    return w;
  };
  return {
    async hit(key, limit, windowMs) {
      const w = current(key, windowMs);
      w.count += 1;
      return { allowed: w.count <= limit, count: w.count, retryAfterSec: Math.max(1, Math.ceil((w.resetAt - now()) / 1000)) };
    },
    async release(key) {
      const w = windows.get(key);
      if (w && w.resetAt > now() && w.count > 0) w.count -= 1;
    },
    async close() {
      clearInterval(sweep);
    },
  };
}

// Decrements only a window that still exists: a DECR on an expired key would create one without a TTL.
const RELEASE = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0";

export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const keyOf = (key: string) => `${prefix}rl:${key}`;
  return {
    async hit(key, limit, windowMs) {
      // MULTI/EXEC: the increment and the expiry are one atomic step, shared by every node.
      const res = (await redis.multi().incr(keyOf(key)).pexpire(keyOf(key), windowMs, 'NX').pttl(keyOf(key)).exec()) ?? [];
      const count = Number(res[0]?.[1] ?? 0);
      const ttl = Number(res[2]?.[1] ?? windowMs);
      return { count, allowed: count <= limit, retryAfterSec: Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000)) };
    },
    async release(key) {
      await redis.eval(RELEASE, 1, keyOf(key));
    },
    async close() {},
  };
}
