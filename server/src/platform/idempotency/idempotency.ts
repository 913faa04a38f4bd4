import { createHash } from 'node:crypto';
import { AppError } from '../../app/errors.ts';
import { Batcher } from '../batch/batcher.ts';
import type { Db } from '../db/client.ts';
import * as repo from './idempotency.repo.ts';

/**
 * Idempotency keys for calls that can charge or create (docs/shop.md "Idempotency"), as Stripe
 * does them: the first request with a key runs and its answer is stored; the same key with the
 * same body gets that answer again (successes and 4xx refusals alike); the same key with another
 * body is a 422; a duplicate that arrives while the first still runs waits for its answer, and
 * gets a 409 if it does not come in time. A 5xx (or a crash) stores nothing, so a retry runs again;
 * nor does a refusal the caller names in `forget` (one that created nothing and may not hold later).
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
  /**
   * Refusals that are not stored: the claim is dropped and a retry with the key runs again. For
   * refusals that created nothing and may not hold a moment later (an order for units that are
   * gone: a restock makes the same request succeed), so there is nothing to replay.
   */
  forget?: (err: AppError) => boolean;
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

/** Claims and releases that arrive together share one statement (a burst of buyers: one INSERT, not hundreds). */
const MAX_BATCH = 500;
interface KeyWriters {
  /** 'new', 'taken-over' (see `claimKeys`), or null when another request holds the key. */
  claims: Batcher<repo.Claim, Map<string, boolean | Error>, Claimed | null>;
  releases: Batcher<repo.KeyRef, void, null>;
  /** "Has this key a record?", asked by callers that would refuse without claiming (`isKeyKnown`). */
  lookups: Batcher<repo.KeyRef, Set<string>, boolean>;
}
const writers = new WeakMap<Db, KeyWriters>();

/** A filter that passes each key's first claim only. */
function firstOfKey() {
  const seen = new Set<string>();
  return (c: repo.Claim) => {
    const id = repo.keyId(c.ref);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  };
}

function writersOf(db: Db): KeyWriters {
  const known = writers.get(db);
  if (known) return known;
  const w: KeyWriters = {
    claims: new Batcher(
      // A key twice in one batch (a concurrent duplicate) is claimed once, by the first of them:
      // one INSERT cannot touch a row twice. The others go on as duplicates do (wait for its answer).
      (claims) => oneByOneOnFailure(claims.filter(firstOfKey()), (some) => repo.claimKeys(db, some), (c) => repo.keyId(c.ref)),
      async (claimed, claims) => {
        const first = firstOfKey();
        return claims.map((c) => {
          const inserted = first(c) ? claimed.get(repo.keyId(c.ref)) : undefined;
          return inserted === undefined ? null : inserted instanceof Error ? inserted : inserted ? 'new' : 'taken-over';
        });
      },
      MAX_BATCH,
    ),
    releases: new Batcher(
      async (refs) => {
        // A release that fails leaves its key held until the lease ends: retry the batch's keys apart.
        await repo.releaseKeys(db, refs).catch(() => Promise.allSettled(refs.map((r) => repo.releaseKeys(db, [r]))));
      },
      async (_, refs) => refs.map(() => null),
      MAX_BATCH,
    ),
    lookups: new Batcher(
      (refs) => repo.knownKeys(db, refs),
      async (known, refs) => refs.map((r) => known.has(repo.keyId(r))),
      MAX_BATCH,
    ),
  };
  writers.set(db, w);
  return w;
}

/**
 * One statement for the batch; should it fail (a deadlock victim, a lock timeout), each item is
 * tried on its own, so one bad item fails only its own request, not the hundreds that shared it.
 */
async function oneByOneOnFailure<T>(items: T[], claim: (some: T[]) => Promise<Map<string, boolean>>, idOf: (item: T) => string): Promise<Map<string, boolean | Error>> {
  try {
    return await claim(items);
  } catch (err) {
    if (items.length <= 1) throw err;
    const out = new Map<string, boolean | Error>();
    for (const item of items) {
      try {
        for (const [id, inserted] of await claim([item])) out.set(id, inserted);
      } catch (one) {
        out.set(idOf(item), one instanceof Error ? one : new Error(String(one)));
      }
    }
    return out;
  }
}

type Claimed = 'new' | 'taken-over';

/**
 * Runs `work` at most once per key (see above); `work` answers with a status and a JSON body.
 * `claimed` is 'taken-over' when an earlier holder of the key died mid-call: its work may have
 * committed, so `work` should look for what it made before refusing or making it again.
 */
export async function runIdempotent<T>(
  db: Db,
  call: IdempotentCall,
  work: (claimed: Claimed) => Promise<{ status: number; body: T }>,
  opts: IdempotencyOptions = {},
): Promise<Answer<T>> {
  const ref = { userId: call.userId, scope: call.scope, key: call.key };
  const hash = requestHash(call.request);
  const leaseMs = opts.leaseMs ?? 60_000;
  const waitMs = opts.waitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  const keys = writersOf(db);
  let claimed: Claimed | null = null;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    claimed = await keys.claims.add({ ref, requestHash: hash, leaseMs });
    if (claimed) break;
    const seen = await repo.findKey(db, ref);
    if (!seen) continue; // released by a failed first attempt a moment ago: claim again
    if (seen.request_hash !== hash) throw keyReused();
    if (seen.status === 'done') return replay({ status: seen.response_status ?? 200, body: seen.response_body as T, replayed: true });
    if (Date.now() >= deadline) throw inProgress();
    await new Promise((r) => setTimeout(r, delay));
  }
  let answer: { status: number; body: T };
  try {
    answer = await work(claimed);
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && !opts.forget?.(err)) {
      // A refusal is an answer too: the same request again is refused the same way.
      await repo.storeAnswer(db, ref, err.status, { __error: { code: err.code, status: err.status, message: err.message, extra: err.extra } });
    } else {
      await keys.releases.add(ref).catch(() => undefined);
    }
    throw err;
  }
  await repo.storeAnswer(db, ref, answer.status, answer.body);
  return { ...answer, replayed: false };
}

/**
 * True when the key has been used (an answer stored, or a call running): a caller that would
 * refuse without claiming the key must not do so then, because the key's answer may be a success.
 */
export function isKeyKnown(db: Db, call: Pick<IdempotentCall, 'userId' | 'scope' | 'key'>): Promise<boolean> {
  // Batched like the claims: a burst of buyers refused by a sold-out mark asks in one statement.
  return writersOf(db).lookups.add({ userId: call.userId, scope: call.scope, key: call.key });
}

/** A stored answer again; a stored refusal is thrown again as the error it was (problem+json the same way). */
function replay<T>(answer: Answer<T>): Answer<T> {
  const stored = (answer.body as { __error?: { code: string; status: number; message: string; extra: AppError['extra'] } } | null)?.__error;
  if (stored) throw new AppError(stored.code, stored.status, stored.message, stored.extra);
  return answer;
}

/** Removes answers older than `days` days (housekeeping). */
export const forgetOldAnswers = (db: Db, days: number) => repo.deleteOldKeys(db, days);
