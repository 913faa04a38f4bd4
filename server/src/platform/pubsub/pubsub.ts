import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * Fan-out between server nodes. Payloads are JSON. In-process when there is one node;
 * Redis pub/sub when several nodes share the load. Delivery is best-effort: anything that
 * must not be lost is in the database first, and clients catch up from there.
 */
export interface PubSub {
  /** Do not change `payload` after publishing it: local subscribers receive that very object. */
  publish(channel: string, payload: unknown): Promise<void>;
  /** One payload to many channels (a message to every member), serialised once. */
  publishMany(channels: readonly string[], payload: unknown): Promise<void>;
  /** `text` is the payload's JSON as published, for handlers that forward it unchanged (no re-serialising). */
  subscribe(channel: string, handler: (payload: unknown, text: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * Runs `fn` each time the connection to the other nodes comes back after a loss (never for
   * in-process pub/sub). Frames published meanwhile are gone: listeners re-read from the database.
   */
  onReconnect?(fn: () => void): void;
}

/** Makes a published payload read-only all the way down, so subscribers that share it cannot change it for one another. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

const published = Promise.resolve();

/**
 * In-process pub/sub for a single node. Subscribers receive the published object itself, with
 * its JSON: no copy is parsed for them (that was the largest cost of local fan-out). Outside
 * production the object is deep-frozen first, so a subscriber or publisher that changes it
 * afterwards fails loudly in development and tests instead of corrupting what others see.
 */
export function createLocalPubSub(opts: { freezePayloads: boolean }): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const publishMany = (channels: readonly string[], payload: unknown): Promise<void> => {
    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch (err) {
      return Promise.reject(err);
    }
    if (opts.freezePayloads) deepFreeze(payload);
    queueMicrotask(() => {
      for (const channel of channels) emitter.emit(channel, payload, text);
    });
    return published;
  };
  return {
    publish: (channel, payload) => publishMany([channel], payload),
    publishMany,
    async subscribe(channel, handler) {
      emitter.on(channel, handler);
      return async () => void emitter.off(channel, handler);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/** `publisher` and `subscriber` must be separate connections (a subscribed connection can only listen). */
export function createRedisPubSub(publisher: Redis, subscriber: Redis, prefix: string, onError: (err: unknown) => void): PubSub {
  const handlers = new Map<string, Set<(payload: unknown, text: string) => void>>();
  const reconnectListeners: Array<() => void> = [];
  const fireReconnect = () => {
    for (const fn of reconnectListeners) {
      try {
        fn();
      } catch (err) {
        onError(err);
      }
    }
  };
  // 'ready' fires on the first connect and on every reconnect. ioredis re-sends SUBSCRIBE right
  // after 'ready'; a PING queued behind it answers once Redis has processed those subscriptions,
  // so listeners that re-read the database then cannot miss a frame published in between.
  for (const conn of [subscriber, publisher]) {
    let connectedBefore = conn.status === 'ready';
    conn.on('ready', () => {
      if (!connectedBefore) {
        connectedBefore = true;
        return;
      }
      if (conn === subscriber) subscriber.ping().then(fireReconnect, onError);
      else fireReconnect();
    });
  }
  subscriber.on('message', (prefixed: string, message: string) => {
    const set = handlers.get(prefixed.slice(prefix.length));
    if (!set) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message);
    } catch (err) {
      onError(err);
      return;
    }
    for (const h of set) h(payload, message);
  });
  return {
    async publish(channel, payload) {
      await publisher.publish(prefix + channel, JSON.stringify(payload));
    },
    async publishMany(channels, payload) {
      const text = JSON.stringify(payload);
      if (channels.length === 1) return void (await publisher.publish(prefix + channels[0], text));
      // One round trip for all of them, in order on the same connection as single publishes.
      const pipeline = publisher.pipeline();
      for (const channel of channels) pipeline.publish(prefix + channel, text);
      for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    },
    async subscribe(channel, handler) {
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await subscriber.subscribe(prefix + channel);
      }
      set.add(handler);
      return async () => {
        const s = handlers.get(channel);
        if (!s) return;
        s.delete(handler);
        if (s.size === 0) {
          handlers.delete(channel);
          await subscriber.unsubscribe(prefix + channel).catch(onError);
        }
      };
    },
    async close() {
      handlers.clear();
      reconnectListeners.length = 0;
    },
    onReconnect(fn) {
      reconnectListeners.push(fn);
    },
  };
}
