import type { Redis } from 'ioredis';

/**
 * Who is using the app right now, across nodes: a person is *active* while one of their sockets
 * has sent something (a frame, a ping the web app sends on interaction) within `idleMs`. Push
 * notifications go only to people who are not (no socket open, or idle). Best effort by design:
 * a wrong answer costs one extra or one missing push, never a notification (those are in the
 * database).
 */
export interface Presence {
  /** A socket of `userId` opened on this node. */
  opened(userId: string): void;
  /** A socket of `userId` sent something. */
  touch(userId: string): void;
  /** A socket of `userId` closed on this node. */
  closed(userId: string): void;
  /** Whether `userId` has been active within the idle window. */
  isActive(userId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Writes for one person at most this often per node (a busy chat sends many frames). */
const TOUCH_EVERY_MS = 5_000;

interface Local {
  sockets: number;
  lastActive: number;
  written: number;
}

function localState() {
  const people = new Map<string, Local>();
  const get = (userId: string) => {
    let p = people.get(userId);
    if (!p) {
      p = { sockets: 0, lastActive: 0, written: 0 };
      people.set(userId, p);
    }
    return p;
  };
  return { people, get };
}

/** One node: everything is in this process. */
export function createLocalPresence(opts: { idleMs: number }): Presence {
  const { people, get } = localState();
  return {
    opened(userId) {
      const p = get(userId);
      p.sockets += 1;
      p.lastActive = Date.now();
    },
    touch(userId) {
      get(userId).lastActive = Date.now();
    },
    closed(userId) {
      const p = people.get(userId);
      if (p && --p.sockets <= 0) people.delete(userId);
    },
    async isActive(userId) {
      const p = people.get(userId);
      return p !== undefined && Date.now() - p.lastActive < opts.idleMs;
    },
    async close() {
      people.clear();
    },
  };
}

/**
 * Several nodes: a Redis hash per person, one field per node holding that node's last activity
 * time; a node removes its field when the person's last socket there closes. The key expires a
 * little after the idle window, so a node that died leaves nothing behind for long.
 */
export function createRedisPresence(redis: Redis, prefix: string, nodeId: string, opts: { idleMs: number; onError: (err: unknown) => void }): Presence {
  const { people, get } = localState();
  const key = (userId: string) => `${prefix}presence:${userId}`;
  const ttlSec = Math.max(1, Math.ceil((opts.idleMs * 2) / 1000));
  const write = (userId: string, at: number) => {
    redis
      .multi()
      .hset(key(userId), nodeId, String(at))
      .expire(key(userId), ttlSec)
      .exec()
      .catch(opts.onError);
  };
  const touch = (userId: string, force: boolean) => {
    const p = get(userId);
    const now = Date.now();
    p.lastActive = now;
    if (force || now - p.written >= TOUCH_EVERY_MS) {
      p.written = now;
      write(userId, now);
    }
    return p;
  };
  return {
    opened(userId) {
      touch(userId, true).sockets += 1;
    },
    touch(userId) {
      touch(userId, false);
    },
    closed(userId) {
      const p = people.get(userId);
      if (!p || --p.sockets > 0) return;
      people.delete(userId);
      redis.hdel(key(userId), nodeId).catch(opts.onError);
    },
    async isActive(userId) {
      const local = people.get(userId);
      if (local && Date.now() - local.lastActive < opts.idleMs) return true;
      const fields = await redis.hgetall(key(userId));
      const since = Date.now() - opts.idleMs;
      return Object.values(fields).some((v) => Number(v) > since);
    },
    async close() {
      people.clear();
    },
  };
}
