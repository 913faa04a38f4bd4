import { randomUUID } from 'node:crypto';
import type { PubSub } from './pubsub.ts';

/** What changed: the keys (ids) under one topic, or null for "anything may have changed". */
export type ChangeListener = (keys: readonly string[] | null) => void;

interface Bus {
  /** Tells this node's own announcements apart when pub/sub echoes them back. */
  readonly node: string;
  readonly listeners: Map<string, ChangeListener[]>;
  /** Settles once other nodes' announcements reach this one. */
  readonly listening: Promise<void>;
}

const buses = new WeakMap<PubSub, Bus>();
const CHANNEL = 'changes';

function busOf(pubsub: PubSub, onError: (err: unknown) => void): Bus {
  const existing = buses.get(pubsub);
  if (existing) return existing;
  const listeners = new Map<string, ChangeListener[]>();
  const node = randomUUID();
  const tell = (topic: string, keys: readonly string[] | null) => {
    for (const fn of listeners.get(topic) ?? []) fn(keys);
  };
  const listening = pubsub
    .subscribe(CHANNEL, (payload) => {
      const p = payload as { node?: unknown; topic?: unknown; keys?: unknown };
      if (p.node === node || typeof p.topic !== 'string' || !Array.isArray(p.keys)) return;
      tell(p.topic, p.keys.map(String));
    })
    .then(
      () => undefined,
      (err) => {
        onError(err);
        throw err;
      },
    );
  listening.catch(() => {});
  const created: Bus = { node, listeners, listening };
  buses.set(pubsub, created);
  // Announcements made while this node was cut off are lost: every cache starts over.
  pubsub.onReconnect?.(() => {
    for (const topic of listeners.keys()) tell(topic, null);
  });
  return created;
}

/**
 * For caches that every node keeps of the same rows (who may message whom, say). A change is
 * announced once it is committed: this node's listeners hear it before `announceChange`
 * returns, other nodes' as soon as pub/sub carries it. A node that lost pub/sub may have missed
 * announcements, so when it reconnects its listeners hear `null` (forget everything); caches
 * also bound how long they trust an entry, in case an announcement is lost on the way out.
 */
export function announceChange(ctx: { pubsub: PubSub; log: { warn(o: object, m: string): void } }, topic: string, keys: readonly string[]): void {
  if (keys.length === 0) return;
  const onError = (err: unknown) => ctx.log.warn({ err, topic }, 'could not announce a change to other nodes');
  const bus = busOf(ctx.pubsub, onError);
  for (const fn of bus.listeners.get(topic) ?? []) fn(keys);
  ctx.pubsub.publish(CHANNEL, { node: bus.node, topic, keys }).catch(onError);
}

/**
 * `fn` hears every change announced under `topic`, on any node. The promise settles once
 * announcements from other nodes arrive here (it rejects if pub/sub refused the subscription):
 * a cache must not keep anything before that.
 */
export function onChange(ctx: { pubsub: PubSub; log: { warn(o: object, m: string): void } }, topic: string, fn: ChangeListener): Promise<void> {
  const bus = busOf(ctx.pubsub, (err) => ctx.log.warn({ err, topic }, 'could not listen for changes from other nodes'));
  const list = bus.listeners.get(topic) ?? [];
  list.push(fn);
  bus.listeners.set(topic, list);
  return bus.listening;
}

/**
 * One instance per running server (tests run several in one process) of a cache that may keep
 * nothing until it hears every node's changes: `listening` turns true once all of `subscribe`'s
 * subscriptions are in place; if one fails it stays false and the cache keeps nothing.
 */
export function perNodeCache<Ctx extends object, C extends { listening: boolean }>(
  store: WeakMap<Ctx, C>,
  ctx: Ctx,
  create: () => C,
  subscribe: (cache: C) => Array<Promise<void>>,
): C {
  const known = store.get(ctx);
  if (known) return known;
  const cache = create();
  store.set(ctx, cache);
  Promise.all(subscribe(cache)).then(
    () => {
      cache.listening = true;
    },
    () => {},
  );
  return cache;
}
