import { createHash } from 'node:crypto';
import { AppError } from '../../app/errors.ts';
import type { Db } from '../db/client.ts';
import * as repo from './idempotency.repo.ts';

/**
 * Idempotency keys for calls that can charge or create (docs/shop.md "Idempotency"), as Stripe
 * does them: the first request with a key runs and its answer is stored; the same key with the
 * same body gets that answer again (successes and 4xx refusals alike); the same key with another
 * body is a 422; a duplicate that arrives while the first still runs waits for its answer, and
 * gets a 409 if it does not come in time. A 5xx (or a crash) stores nothing, so a retry runs again.
 *
 * The key is claimed in its own statement, before the work's transaction, so a concurrent
 * duplicate sees it at once. The work itself must still be safe to run twice for the same key
 * (orders carry the key under a unique index), because a process can die between the work's
 * commit and storing the answer; the claim's lease then runs out and a retry runs the work again.
 */
export interface IdempotentCall {
  userId: string;
  /** Which operation, e.g. `orders.create` or `orders.pay:42`: a key is per person and scope. */
  scope: string;
  key: string;
  /** What must be the same on a replay (the parsed body, and anything else that shapes the answer). */
  request: unknown;
}

export interface Answer<T> {
  status: number;
  body: T;
  /** True when this is a stored answer given again. */
  replayed: boolean;
}

export interface IdempotencyOptions {
  /** How long a claim holds before another request may take it over. */
  leaseMs?: number;
  /** How long a concurrent duplicate waits for the first one's answer before its 409. */
  waitMs?: number;
}

/** A stable hash of a JSON value (object keys sorted, so `{a,b}` and `{b,a}` are the same request). */
export function requestHash(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
    return v;
  };
  return createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('hex');
}

const keyReused = () => new AppError('idempotency_key_reused', 422, 'This Idempotency-Key was already used with a different request');
const inProgress = () => new AppError('idempotency_in_progress', 409, 'A request with this Idempotency-Key is still being processed; retry shortly', { retryAfterSec: 1 });

/** Runs `work` at most once per key (see above); `work` answers with a status and a JSON body. */
export async function runIdempotent<T>(db: Db, call: IdempotentCall, work: () => Promise<{ status: number; body: T }>, opts: IdempotencyOptions = {}): Promise<Answer<T>> {
  const ref = { userId: call.userId, scope: call.scope, key: call.key };
  const hash = requestHash(call.request);
  const leaseMs = opts.leaseMs ?? 60_000;
  const waitMs = opts.waitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (await repo.claimKey(db, ref, hash, leaseMs)) break;
    const seen = await repo.findKey(db, ref);
    if (!seen) continue; // released by a failed first attempt a moment ago: claim again
    if (seen.request_hash !== hash) throw keyReused();
    if (seen.status === 'done') return replay({ status: seen.response_status ?? 200, body: seen.response_body as T, replayed: true });
    if (Date.now() >= deadline) throw inProgress();
    await new Promise((r) => setTimeout(r, delay));
  }
  let answer: { status: number; body: T };
  try {
    answer = await work();
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      // A refusal is an answer too: the same request again is refused the same way.
      await repo.storeAnswer(db, ref, err.status, { __error: { code: err.code, status: err.status, message: err.message, extra: err.extra } });
    } else {
      await repo.releaseKey(db, ref).catch(() => undefined);
    }
    throw err;
  }
  await repo.storeAnswer(db, ref, answer.status, answer.body);
  return { ...answer, replayed: false };
}

/** A stored answer again; a stored refusal is thrown again as the error it was (problem+json the same way). */
function replay<T>(answer: Answer<T>): Answer<T> {
  const stored = (answer.body as { __error?: { code: string; status: number; message: string; extra: AppError['extra'] } } | null)?.__error;
  if (stored) throw new AppError(stored.code, stored.status, stored.message, stored.extra);
  return answer;
}

/** Removes answers older than `days` days (housekeeping). */
export const forgetOldAnswers = (db: Db, days: number) => repo.deleteOldKeys(db, days);
