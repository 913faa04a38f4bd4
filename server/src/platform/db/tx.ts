import type { Transaction } from 'kysely';
import type { Db } from './client.ts';
import type { Database } from './schema.ts';

/** A transaction that can schedule effects (publish, enqueue, delete files) for after it commits. */
export type Tx = Transaction<Database> & { afterCommit(effect: () => unknown): void };

/** Anything a repo function can run SQL on: the database or an open transaction. */
export type Executor = Db | Transaction<Database>;

export interface TransactionOptions {
  /**
   * Runs once a connection is in hand, before BEGIN: a check that may have changed while the
   * caller waited for the pool (a product sold out meanwhile), and that throws to give up
   * without a round trip.
   */
  beforeBegin?: () => void;
}

/**
 * Runs `work` in a transaction. Effects registered with `tx.afterCommit` run only once the
 * commit has succeeded, so nobody outside ever sees what was rolled back. An effect that
 * throws is reported, never turned into a failure of the committed work.
 */
export async function inTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, onEffectError?: (err: unknown) => void, opts: TransactionOptions = {}): Promise<T> {
  const effects: Array<() => unknown> = [];
  const run = (on: Db) =>
    on.transaction().execute(async (trx) => {
      const tx = Object.assign(trx, { afterCommit: (effect: () => unknown) => void effects.push(effect) }) as Tx;
      return work(tx);
    });
  const { beforeBegin } = opts;
  const result = beforeBegin
    ? await db.connection().execute(async (conn) => {
        beforeBegin();
        return run(conn);
      })
    : await run(db);
  for (const effect of effects) {
    try {
      await effect();
    } catch (err) {
      onEffectError?.(err);
    }
  }
  return result;
}
