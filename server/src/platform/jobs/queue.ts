import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { type JobKind, JobPayload } from '@loop/contracts';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Executor, Tx } from '../db/tx.ts';
import * as repo from './jobs.repo.ts';

/**
 * A durable job queue in the application's own database (docs/media.md "Jobs").
 * Enqueue inside the caller's transaction: the job exists exactly when the work that asked
 * for it committed. Any number of processes may run a worker; they share the table.
 */

// Wakes this process's worker right after a commit instead of waiting for the next poll.
const local = new EventEmitter();

export interface EnqueueOptions {
  maxAttempts?: number;
  delayMs?: number;
}

/** Adds a job in the caller's transaction; this process's worker is nudged after commit. */
export async function enqueue(tx: Tx, payload: JobPayload, opts: EnqueueOptions = {}): Promise<string> {
  const id = await repo.insertJob(tx, payload.kind, JobPayload.parse(payload), opts.maxAttempts ?? 5, opts.delayMs ?? 0);
  // A delayed job is not due yet: waking the worker now would only make it look and find nothing
  // (one wasted claim query per order, whose expiry job is due in 15 minutes). The poll finds it.
  if (!opts.delayMs) tx.afterCommit(() => local.emit('wake'));
  return id;
}

/** What a handler learns about its run: which attempt, and a signal aborted when it must stop. */
export interface JobRun {
  id: string;
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
}

export type JobHandler<C, K extends JobKind> = {
  run(ctx: C, payload: Extract<JobPayload, { kind: K }>, job: JobRun): Promise<void>;
  /** Called once when the job has failed for good, with the reason shown to people. */
  onFailed?(ctx: C, payload: Extract<JobPayload, { kind: K }>, reason: string): Promise<void>;
};

/** One handler per kind: the compiler rejects a map that forgets one. */
export type JobHandlers<C> = { [K in JobKind]: JobHandler<C, K> };

/** A failure that retrying cannot fix (bad input): the job fails at once with this reason. */
export class PermanentJobError extends Error {}

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** Backoff before attempt n+1: base · 4^(n-1), capped. */
  backoffBaseMs?: number;
}

export interface Worker {
  id: string;
  stop(): Promise<void>;
  /** Resolves when no job is running and none is due (tests, benches). */
  idle(): Promise<void>;
}

export function backoffMs(attempt: number, base = 2000): number {
  return Math.min(base * 4 ** Math.max(0, attempt - 1), 10 * 60_000);
}

/** Starts polling for jobs. `ctx` is handed to every handler. */
export function startWorker<C>(deps: { db: Db; log: Logger }, ctx: C, handlers: JobHandlers<C>, opts: WorkerOptions): Worker {
  const workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const { db, log } = deps;
  let stopped = false;
  let running = 0;
  const stopController = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let idleWaiters: Array<() => void> = [];
  let lastPollEmpty = false;

  const schedule = (delay: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), delay);
  };

  const notifyIdle = () => {
    if (running === 0 && lastPollEmpty) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };

  // One claim loop at a time. A wake (a commit, a finished job) that comes while the loop awaits
  // a claim makes it look once more; starting a second loop instead would let both see the same
  // free slot, and the worker would run more jobs than `concurrency` (ffmpeg fighting for cores).
  let claiming = false;
  let lookAgain = false;

  async function tick() {
    timer = null;
    if (claiming) {
      lookAgain = true;
      return;
    }
    claiming = true;
    try {
      do {
        lookAgain = false;
        while (!stopped && running < opts.concurrency) {
          let job: repo.ClaimedJob | null;
          try {
            job = await repo.claimJob(db, workerId, opts.leaseMs);
          } catch (err) {
            log.warn({ err }, 'job claim failed');
            break;
          }
          lastPollEmpty = !job;
          if (!job) break;
          running += 1;
          void execute(job).finally(() => {
            running -= 1;
            schedule(0);
          });
        }
      } while (lookAgain && !stopped);
    } finally {
      claiming = false;
    }
    notifyIdle();
    schedule(opts.pollMs);
  }

  async function execute(job: repo.ClaimedJob) {
    const parsed = JobPayload.safeParse({ ...(job.payload as object), kind: job.kind });
    if (!parsed.success) {
      await repo.failJob(db, job.id, `unknown or malformed job payload (${job.kind})`);
      return;
    }
    const payload = parsed.data;
    const handler = handlers[payload.kind] as JobHandler<C, typeof payload.kind>;
    const fail = async (reason: string) => {
      await repo.failJob(db, job.id, reason);
      log.warn({ jobId: job.id, kind: job.kind, reason }, 'job failed for good');
      try {
        await handler.onFailed?.(ctx, payload as never, reason);
      } catch (err) {
        log.error({ err, jobId: job.id }, 'job onFailed hook threw');
      }
    };
    // A worker that died mid-job leaves attempts counted: past the limit, stop trying.
    if (job.attempts > job.max_attempts) {
      await fail('the worker stopped during every attempt');
      return;
    }
    const controller = new AbortController();
    const onStop = () => controller.abort(new Error('worker stopping'));
    stopController.signal.addEventListener('abort', onStop);
    const heartbeat = setInterval(
      () =>
        void repo.renewLease(db, job.id, workerId, opts.leaseMs).then(
          (mine) => mine || controller.abort(new Error('lease lost')),
          (err) => log.warn({ err, jobId: job.id }, 'lease renewal failed'),
        ),
      Math.max(200, Math.floor(opts.leaseMs / 3)),
    );
    try {
      await handler.run(ctx, payload as never, { id: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, signal: controller.signal });
      await repo.completeJob(db, job.id, workerId);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      if (stopController.signal.aborted) {
        // Shutting down: leave the lease to run out so another worker (or we, after restart) retries.
        log.info({ jobId: job.id }, 'job interrupted by shutdown');
      } else if (err instanceof PermanentJobError || job.attempts >= job.max_attempts) {
        await fail(reason);
      } else {
        const delay = backoffMs(job.attempts, opts.backoffBaseMs);
        log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempts, delay, reason }, 'job failed; will retry');
        await repo.retryJob(db, job.id, workerId, reason, delay);
      }
    } finally {
      clearInterval(heartbeat);
      stopController.signal.removeEventListener('abort', onStop);
    }
  }

  const wake = () => schedule(0);
  local.on('wake', wake);
  schedule(0);

  return {
    id: workerId,
    async stop() {
      stopped = true;
      local.off('wake', wake);
      if (timer) clearTimeout(timer);
      stopController.abort();
      while (running > 0) await new Promise((r) => setTimeout(r, 50));
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        schedule(0);
      });
    },
  };
}

/** Whether a job of this kind is queued or running (periodic jobs enqueue only when none is). */
export const hasPendingJob = (db: Executor, kind: JobKind) => repo.hasPendingJob(db, kind);

/** The job row, for status pages and tests. */
export const findJob = (db: Executor, id: string) => repo.findJob(db, id);
