import { z } from 'zod';

/**
 * Every durable job's payload, one variant per kind. The worker's handler map is typed
 * `{ [K in JobKind]: … }`, so adding a kind here without a handler fails to compile.
 */
export const JobPayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('video.transcode'), videoId: z.string() }),
  z.object({ kind: z.literal('video.purge'), videoId: z.string(), prefix: z.string() }),
  // Refits the friend-suggestion model on the live graph (docs/graph.md).
  z.object({ kind: z.literal('suggestions.fit') }),
  // Releases an unpaid order's units once its reservation has run out (docs/shop.md).
  z.object({ kind: z.literal('order.expire'), orderId: z.string() }),
  // Gives a captured payment back (a refund, a cancelled paid order, a payment that came too late).
  z.object({ kind: z.literal('payment.refund'), paymentId: z.string() }),
]);
export type JobPayload = z.infer<typeof JobPayload>;
export type JobKind = JobPayload['kind'];
/** Every job kind (the modules' wiring checks each has a handler at start-up). */
export const JOB_KINDS: readonly JobKind[] = JobPayload.options.map((o) => o.shape.kind.value);
