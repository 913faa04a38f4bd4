import { EventEmitter } from 'node:events';
import { DomainEvent, type DomainEventType } from '@loop/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Executor, Tx } from '../db/tx.ts';
import * as repo from './events.repo.ts';

/**
 * Domain events with a transactional outbox (docs/notifications.md "Events").
 *
 * A module records an event with `recordEvent(tx, …)` inside the transaction that makes the
 * change, so the event exists exactly when the change committed: never lost by a crash after
 * commit, never sent for something rolled back. The relay (`startEventRelay`) hands each event to
 * its handlers after commit, at least once, on whichever node claims it first. Handlers make
 * themselves idempotent with `firstDelivery(tx, handler, event)` in their own transaction.
 */

// Wakes this process's relay right after a commit, instead of waiting for its next poll.
const local = new EventEmitter();
local.setMaxListeners(0);

/** Adds events to the outbox in the caller's transaction; this node's relay is woken after commit. */
export async function recordEvent(tx: Tx, ...events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await repo.insertEvents(
    tx,
    events.map((e) => {
      const { type, ...payload } = DomainEvent.parse(e);
      return { type, payload };
    }),
  );
  tx.afterCommit(() => local.emit('wake'));
}

/** An event as handlers receive it: its outbox id is the key for deduplication. */
export type DeliveredEvent<T extends DomainEventType = DomainEventType> = Extract<DomainEvent, { type: T }> & { eventId: string; occurredAt: Date };

export interface EventHandler<C, T extends DomainEventType> {
  /** Stable name: the receipts of what it has handled are kept under it. */
  name: string;
  handle(ctx: C, event: DeliveredEvent<T>): Promise<void>;
}

/** Every event type with its handlers (an empty list is a decision; a missing type does not compile). */
export type EventHandlers<C> = { [T in DomainEventType]: ReadonlyArray<EventHandler<C, T>> };

/**
 * True the first time `handler` sees this event, in the handler's transaction: if the transaction
 * commits, a redelivery (the relay died before marking the event done) answers false and the
 * handler does nothing again. This is how "at least once" becomes "exactly once" for effects in
 * the database.
 */
export function firstDelivery(tx: Executor, handler: string, event: { eventId: string }): Promise<boolean> {
  return repo.insertReceipt(tx, handler, event.eventId);
}

export interface RelayOptions {
  pollMs: number;
  /** How long a claimed event is held before another relay may take it over. */
  leaseMs?: number;
  batchSize?: number;
  maxAttempts?: number;
}

export interface Relay {
  stop(): Promise<void>;
  /** Resolves once the outbox has nothing this relay could claim (tests). */
  idle(): Promise<void>;
}

const KEEP_DAYS = 7;
const CLEANUP_MS = 60 * 60_000;

/** Starts delivering events to `handlers`. Any number of nodes may run one. */
export function startEventRelay<C>(deps: { db: Db; log: Logger }, ctx: C, handlers: EventHandlers<C>, opts: RelayOptions): Relay {
  const { db, log } = deps;
  const leaseMs = opts.leaseMs ?? 30_000;
  const batchSize = opts.batchSize ?? 100;
  const maxAttempts = opts.maxAttempts ?? 10;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  const idleWaiters: Array<() => void> = [];
  let lastCleanup = 0;

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void run(), delay);
  };

  // One loop at a time per process; a wake that comes while it runs makes it look once more.
  function run(): Promise<void> {
    timer = null;
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          for (;;) {
            if (stopped) return;
            const batch = await repo.claimEvents(db, batchSize, leaseMs);
            if (batch.length === 0) break;
            await deliverBatch(batch);
          }
        } while (again && !stopped);
        for (const w of idleWaiters.splice(0)) w();
        if (Date.now() - lastCleanup > CLEANUP_MS) {
          lastCleanup = Date.now();
          await repo.deleteFinishedBefore(db, KEEP_DAYS);
        }
      } catch (err) {
        log.warn({ err }, 'event relay: claim failed; will retry');
      } finally {
        running = null;
        schedule(opts.pollMs);
      }
    })();
    return running;
  }

  async function deliverBatch(batch: repo.ClaimedEvent[]) {
    const done: string[] = [];
    for (const row of batch) {
      const parsed = DomainEvent.safeParse({ ...(row.payload as object), type: row.type });
      if (!parsed.success) {
        await repo.markFailed(db, row.id, `unknown or malformed event (${row.type})`);
        continue;
      }
      const event = { ...parsed.data, eventId: row.id, occurredAt: new Date(row.created_at) } as DeliveredEvent;
      try {
        for (const h of handlers[event.type] as ReadonlyArray<EventHandler<C, DomainEventType>>) await h.handle(ctx, event as never);
        done.push(row.id);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (row.attempts >= maxAttempts) {
          log.error({ err, eventId: row.id, type: row.type }, 'event handler failed for good');
          await repo.markFailed(db, row.id, reason);
        } else {
          const delay = Math.min(1000 * 2 ** row.attempts, 5 * 60_000);
          log.warn({ err, eventId: row.id, type: row.type, attempt: row.attempts, delay }, 'event handler failed; will retry');
          await repo.postpone(db, row.id, reason, delay);
        }
      }
    }
    await repo.markDone(db, done);
  }

  const wake = () => schedule(0);
  local.on('wake', wake);
  schedule(0);

  return {
    async stop() {
      stopped = true;
      local.off('wake', wake);
      if (timer) clearTimeout(timer);
      await running;
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        schedule(0);
      });
    },
  };
}

/** How many events are pending, done and failed (tests, operators). */
export const outboxCounts = (db: Executor) => repo.countByState(db);
