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
 */
export interface RateLimiter {
  /** Counts one event and says whether it is still within `limit` for the window. */
  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
  /** Says whether the key is already at its limit, without counting. */
  peek(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
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
  const verdict = (w: { count: number; resetAt: number }, limit: number, counted: boolean): RateVerdict => ({
    allowed: counted ? w.count <= limit : w.count < limit,
    count: w.count,
    retryAfterSec: Math.max(1, Math.ceil((w.resetAt - now()) / 1000)),
  });
  return {
    async hit(key, limit, windowMs) {
      const w = current(key, windowMs);
      w.count += 1;
      return verdict(w, limit, true);
    },
    async peek(key, limit, windowMs) {
      return verdict(current(key, windowMs), limit, false);
    },
    async close() {
      clearInterval(sweep);
    },
  };
}

export function createRedisRateLimiter(redis: Redis, prefix: string): RateLimiter {
  const read = async (key: string, windowMs: number, increment: boolean) => {
    const k = `${prefix}rl:${key}`;
    const m = redis.multi();
    if (increment) m.incr(k);
    else m.get(k);
    m.pexpire(k, windowMs, 'NX');
    m.pttl(k);
    const res = (await m.exec()) ?? [];
    const count = Number(res[0]?.[1] ?? 0);
    const ttl = Number(res[2]?.[1] ?? windowMs);
    return { count, retryAfterSec: Math.max(1, Math.ceil((ttl > 0 ? ttl : windowMs) / 1000)) };
  };
  return {
    async hit(key, limit, windowMs) {
      const r = await read(key, windowMs, true);
      return { ...r, allowed: r.count <= limit };
    },
    async peek(key, limit, windowMs) {
      const r = await read(key, windowMs, false);
      return { ...r, allowed: r.count < limit };
    },
    async close() {},
  };
}
