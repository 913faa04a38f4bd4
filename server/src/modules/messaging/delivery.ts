import type { ServerFrame } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';

/** Publishes that failed (Redis down) wait here and go out again once pub/sub is back. */
const MAX_PENDING = 10_000;
const pending = new WeakMap<AppContext, Array<[string, ServerFrame]>>();
const watching = new WeakSet<AppContext>();

/**
 * Sends frames to users through pub/sub channel `user:<id>` (every gateway node forwards them
 * to that user's connections). Called after commit. Best effort by design: the database is the
 * truth, and a gateway that sees a seq gap reads the missing messages back from it.
 */
export function publishToUsers(ctx: AppContext, frames: ReadonlyArray<[string, ServerFrame]>): void {
  watchReconnects(ctx);
  // Not awaited: publishes leave in call order on one connection, and a Redis outage must not
  // hold up the sender's next message (its ack has gone already). A run of entries with the same
  // frame (a message to every member) is one publish, serialised once.
  for (let start = 0; start < frames.length; ) {
    const frame = frames[start]![1];
    let end = start + 1;
    while (end < frames.length && frames[end]![1] === frame) end += 1;
    const run = frames.slice(start, end);
    ctx.pubsub
      .publishMany(
        run.map(([userId]) => `user:${userId}`),
        frame,
      )
      .catch((err) => {
        ctx.log.warn({ err: (err as Error).message }, 'publish failed; will retry when pub/sub reconnects');
        const queue = pending.get(ctx) ?? [];
        if (queue.length < MAX_PENDING) queue.push(...run.slice(0, MAX_PENDING - queue.length));
        pending.set(ctx, queue);
      });
    start = end;
  }
}

function watchReconnects(ctx: AppContext) {
  if (watching.has(ctx)) return;
  watching.add(ctx);
  ctx.pubsub.onReconnect?.(() => {
    const queue = pending.get(ctx);
    if (!queue?.length) return;
    pending.set(ctx, []);
    publishToUsers(ctx, queue);
  });
}
