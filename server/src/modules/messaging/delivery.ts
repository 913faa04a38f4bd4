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
export async function publishToUsers(ctx: AppContext, frames: ReadonlyArray<[string, ServerFrame]>) {
  watchReconnects(ctx);
  await Promise.all(
    frames.map(async ([userId, frame]) => {
      try {
        await ctx.pubsub.publish(`user:${userId}`, frame);
      } catch (err) {
        ctx.log.warn({ err: (err as Error).message }, 'publish failed; will retry when pub/sub reconnects');
        const queue = pending.get(ctx) ?? [];
        if (queue.length < MAX_PENDING) queue.push([userId, frame]);
        pending.set(ctx, queue);
      }
    }),
  );
}

function watchReconnects(ctx: AppContext) {
  if (watching.has(ctx)) return;
  watching.add(ctx);
  ctx.pubsub.onReconnect?.(() => {
    const queue = pending.get(ctx);
    if (!queue?.length) return;
    pending.set(ctx, []);
    void publishToUsers(ctx, queue);
  });
}
