import { randomUUID } from 'node:crypto';
import type { PubSub } from './pubsub.ts';

/** What changed: the keys (ids) under one topic, or null for "anything may have changed". */
export type ChangeListener = (keys: readonly string[] | null) => void;

interface Bus {
  /** Tells this node's own announcements apart when pub/sub echoes them back. */
  readonly node: string;
  readonly listeners: Map<string, ChangeListener[]>;
}

const buses = new WeakMap<PubSub, Bus>();
const CHANNEL = 'changes';

function busOf(pubsub: PubSub, onError: (err: unknown) => void): Bus {
  let bus = buses.get(pubsub);
  if (bus) return bus;
  const created: Bus = { node: randomUUID(), listeners: new Map() };
  bus = created;
  buses.set(pubsub, created);
  const tell = (topic: string, keys: readonly string[] | null) => {
    for (const fn of created.listeners.get(topic) ?? []) fn(keys);
  };
  void pubsub
    .subscribe(CHANNEL, (payload) => {
      const p = payload as { node?: unknown; topic?: unknown; keys?: unknown };
      if (p.node === created.node || typeof p.topic !== 'string' || !Array.isArray(p.keys)) return;
      tell(p.topic, p.keys.map(String));
    })
    .catch(onError);
  // Announcements made while this node was cut off are lost: every cache starts over.
  pubsub.onReconnect?.(() => {
    for (const topic of created.listeners.keys()) tell(topic, null);
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

/** `fn` hears every change announced under `topic`, on any node. */
export function onChange(ctx: { pubsub: PubSub; log: { warn(o: object, m: string): void } }, topic: string, fn: ChangeListener): void {
  const bus = busOf(ctx.pubsub, (err) => ctx.log.warn({ err, topic }, 'could not listen for changes from other nodes'));
  const list = bus.listeners.get(topic) ?? [];
  list.push(fn);
  bus.listeners.set(topic, list);
}
