import { startEventRelay } from '../platform/events/events.ts';
import { startWorker, type Worker } from '../platform/jobs/queue.ts';
import type { AppContext } from './context.ts';

/**
 * How often the worker runs the modules' housekeeping (expired sessions, whether the suggestion
 * model is due for a refit; each idempotent: any number of workers may).
 */
const HOUSEKEEPING_MS = 60 * 60_000;

/**
 * The worker role: runs jobs from the shared queue (any number of nodes may run one), relays
 * domain events to their handlers (likewise), and the housekeeping.
 */
export function startAppWorker(ctx: AppContext): Worker {
  const w = ctx.config.worker;
  const worker = startWorker({ db: ctx.db, log: ctx.log }, ctx, ctx.modules.jobs, { concurrency: w.concurrency, leaseMs: w.leaseMs, pollMs: w.pollMs });
  const relay = startEventRelay({ db: ctx.db, log: ctx.log }, ctx, ctx.modules.events, { pollMs: ctx.config.events.relayPollMs });
  ctx.log.info({ worker: worker.id }, 'job worker started');
  // Every module's job kinds are handled (app/wiring.ts checked that at start-up).
  const housekeeping = async () => {
    for (const task of ctx.modules.housekeeping) {
      try {
        await task(ctx);
      } catch (err) {
        ctx.log.warn({ err }, 'housekeeping failed; will retry');
      }
    }
  };
  // Each module's frequent work on its own timer; a run still going when the next is due is skipped.
  const periodic = ctx.modules.periodic.map((task) => {
    let busy = false;
    const t = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        await task.run(ctx);
      } catch (err) {
        ctx.log.warn({ err, task: task.name }, 'periodic task failed; will retry');
      } finally {
        busy = false;
      }
    }, task.everyMs);
    t.unref();
    return t;
  });
  const first = setTimeout(housekeeping, 10_000);
  const timer = setInterval(housekeeping, HOUSEKEEPING_MS);
  first.unref();
  timer.unref();
  return {
    ...worker,
    async idle() {
      await Promise.all([worker.idle(), relay.idle()]);
    },
    async stop() {
      clearTimeout(first);
      for (const t of periodic) clearInterval(t);
      clearInterval(timer);
      await relay.stop();
      await worker.stop();
    },
  };
}
