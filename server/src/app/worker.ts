import { type JobHandlers, startWorker, type Worker } from '../platform/jobs/queue.ts';
import { deleteExpiredSessions } from '../modules/accounts/accounts.service.ts';
import { refitSuggestionModel, refitSuggestionModelIfDue } from '../modules/graph/suggestion-model.service.ts';
import { purgeVideoFiles } from '../modules/media/media.service.ts';
import { markTranscodeFailed, runTranscode } from '../modules/media/transcode.ts';
import { expireOrder, refundPayment } from '../modules/shop/index.ts';
import { forgetOldAnswers } from '../platform/idempotency/idempotency.ts';
import type { AppContext } from './context.ts';

/** Every job kind and who handles it; the type makes a missing kind a compile error. */
export const jobHandlers: JobHandlers<AppContext> = {
  'video.transcode': {
    run: (ctx, p, job) => runTranscode(ctx, p.videoId, job),
    onFailed: (ctx, p, reason) => markTranscodeFailed(ctx, p.videoId, reason),
  },
  'video.purge': {
    run: (ctx, p) => purgeVideoFiles(ctx, p.videoId, p.prefix),
  },
  'order.expire': {
    run: (ctx, p) => expireOrder(ctx, p.orderId),
  },
  'payment.refund': {
    run: (ctx, p) => refundPayment(ctx, p.paymentId),
  },
  'suggestions.fit': {
    run: async (ctx, _p, job) => {
      await refitSuggestionModel(ctx, job);
    },
  },
};

/**
 * How often the worker removes expired sessions and checks whether the suggestion model is due
 * for a refit (both idempotent: any number of workers may).
 */
const HOUSEKEEPING_MS = 60 * 60_000;

/** The worker role: runs jobs from the shared queue (any number of nodes may run one) and the housekeeping. */
export function startAppWorker(ctx: AppContext): Worker {
  const w = ctx.config.worker;
  const worker = startWorker({ db: ctx.db, log: ctx.log }, ctx, jobHandlers, { concurrency: w.concurrency, leaseMs: w.leaseMs, pollMs: w.pollMs });
  ctx.log.info({ worker: worker.id }, 'job worker started');
  const housekeeping = async () => {
    try {
      const removed = await deleteExpiredSessions(ctx);
      if (removed > 0) ctx.log.info({ removed }, 'expired sessions removed');
    } catch (err) {
      ctx.log.warn({ err }, 'housekeeping failed; will retry');
    }
    try {
      // A retry comes within minutes; a week is far past any client's retry window (as Stripe keeps keys for 24 h).
      await forgetOldAnswers(ctx.db, 7);
    } catch (err) {
      ctx.log.warn({ err }, 'could not forget old idempotency keys; will retry');
    }
    try {
      await refitSuggestionModelIfDue(ctx);
    } catch (err) {
      ctx.log.warn({ err }, 'could not schedule the suggestion model refit; will retry');
    }
  };
  const first = setTimeout(housekeeping, 10_000);
  const timer = setInterval(housekeeping, HOUSEKEEPING_MS);
  first.unref();
  timer.unref();
  return {
    ...worker,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await worker.stop();
    },
  };
}
