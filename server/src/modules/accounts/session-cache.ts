import type { AppContext } from '../../app/context.ts';

/**
 * Every API request resolves its token; remembering recent answers for a short while saves
 * a database round trip per request. Logout must still take effect at once everywhere, so
 * a revocation is dropped locally and announced to every node over pub/sub.
 */
const TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;
const CHANNEL = 'sessions:revoked';

interface Entry {
  userId: string;
  cachedUntil: number;
}

class SessionCache {
  private readonly entries = new Map<string, Entry>();
  /** Told of every revocation, from this node or another (the gateway closes that session's sockets). */
  readonly revocationListeners: Array<(key: string) => void> = [];

  get(key: string): string | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.cachedUntil <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return e.userId;
  }

  set(key: string, userId: string, expiresAt: Date) {
    // Map keeps insertion order: dropping the first key evicts the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { userId, cachedUntil: Math.min(Date.now() + TTL_MS, expiresAt.getTime()) });
  }

  delete(key: string) {
    this.entries.delete(key);
  }
}

const caches = new WeakMap<AppContext, SessionCache>();

/** The session cache of one running server (tests run several in one process). */
export function sessionCache(ctx: AppContext): SessionCache {
  let cache = caches.get(ctx);
  if (!cache) {
    const created = new SessionCache();
    caches.set(ctx, created);
    void ctx.pubsub
      .subscribe(CHANNEL, (payload) => {
        if (typeof payload !== 'string') return;
        created.delete(payload);
        for (const fn of created.revocationListeners) fn(payload);
      })
      .catch((err) => ctx.log.warn({ err }, 'could not subscribe to session revocations'));
    cache = created;
  }
  return cache;
}

/** Forgets a session on this node now and on every other node as soon as they hear. */
export async function revokeCachedSession(ctx: AppContext, tokenHash: Buffer) {
  const key = sessionKey(tokenHash);
  sessionCache(ctx).delete(key);
  await ctx.pubsub.publish(CHANNEL, key).catch((err) => ctx.log.warn({ err }, 'could not announce session revocation'));
}

/** `fn(key)` runs whenever a session is revoked anywhere; `key` is `sessionKey(tokenHash)`. */
export function onSessionRevoked(ctx: AppContext, fn: (key: string) => void) {
  sessionCache(ctx).revocationListeners.push(fn);
}

// PGlite returns bytea as a plain Uint8Array, whose toString is not base64: always go through Buffer.
export const sessionKey = (tokenHash: Uint8Array) => Buffer.from(tokenHash).toString('base64url');
