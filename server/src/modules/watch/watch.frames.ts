import { TimeFrame, WatchControlFrame, WatchJoinFrame, WatchLeaveFrame } from '@loop/contracts';
import type { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import type { RealtimeConnection } from '../../platform/realtime/connection.ts';
import type { Frame, RealtimeFeature } from '../../platform/realtime/frames.ts';
import { controlSession, type PublishedWatchState, requireWatchMember, setWatching, watchChannel } from './watch.service.ts';

/**
 * Watch together over the real-time core: `watch.join` / `watch.leave` / `watch.control`, the
 * `time` frame clients sync their clocks with, and the pass over outgoing `watch.state` frames
 * (a socket whose person is no longer a member gets nothing more and leaves the channel).
 */

const JOINED = Symbol('watch.joined');
const joinedOf = (conn: RealtimeConnection) => conn.local(JOINED, () => new Set<string>());

/** This node's sockets in each conversation's watch view, per person: someone with two tabs is watching until both leave. */
const openHere = new WeakMap<AppContext, Map<string, Set<RealtimeConnection>>>();
function socketsOf(ctx: AppContext, conversationId: string, userId: string): Set<RealtimeConnection> {
  let byKey = openHere.get(ctx);
  if (!byKey) {
    byKey = new Map();
    openHere.set(ctx, byKey);
  }
  const key = `${conversationId}:${userId}`;
  let set = byKey.get(key);
  if (!set) {
    set = new Set();
    byKey.set(key, set);
  }
  return set;
}
function forgetSocket(ctx: AppContext, conversationId: string, conn: RealtimeConnection): boolean {
  const key = `${conversationId}:${conn.userId}`;
  const set = openHere.get(ctx)?.get(key);
  set?.delete(conn);
  if (set && set.size === 0) openHere.get(ctx)?.delete(key);
  return !set || set.size === 0;
}

/** Wall-clock time with sub-millisecond resolution: what clients sync to. */
const now = () => performance.timeOrigin + performance.now();

async function leaveWatch(ctx: AppContext, conn: RealtimeConnection, conversationId: string) {
  joinedOf(conn).delete(conversationId);
  conn.leave(watchChannel(conversationId));
  if (forgetSocket(ctx, conversationId, conn)) await setWatching(ctx, conn.userId, conversationId, false);
}

const CLOSE_HOOKED = Symbol('watch.closeHooked');

/** A socket that closes leaves every watch view it had open (the transport knows nothing of them). */
function hookClose(ctx: AppContext, conn: RealtimeConnection) {
  if (conn.local(CLOSE_HOOKED, () => ({ done: false })).done) return;
  conn.local(CLOSE_HOOKED, () => ({ done: false })).done = true;
  conn.ws.once('close', () => {
    for (const id of [...joinedOf(conn)]) {
      leaveWatch(ctx, conn, id).catch((err) => ctx.log.warn({ err, conversationId: id }, 'watch leave on close failed'));
    }
  });
}

/** The frame without the member list it carried through pub/sub, serialised once per frame. */
const stripped = new WeakMap<object, string>();

export const watchFrames: RealtimeFeature<AppContext> = {
  client: {
    'watch.join': {
      schema: WatchJoinFrame,
      async handle(ctx, conn, frame: z.infer<typeof WatchJoinFrame>) {
        const { conversationId } = frame;
        const members = await requireWatchMember(ctx, conn.userId, conversationId);
        hookClose(ctx, conn);
        joinedOf(conn).add(conversationId);
        socketsOf(ctx, conversationId, conn.userId).add(conn);
        await conn.join(watchChannel(conversationId));
        const session = await setWatching(ctx, conn.userId, conversationId, true, members);
        // The joiner gets the state at once (the published copy may come too: same rev).
        conn.send({ type: 'watch.state', conversationId, session } as Frame);
      },
    },
    'watch.leave': {
      schema: WatchLeaveFrame,
      async handle(ctx, conn, frame: z.infer<typeof WatchLeaveFrame>) {
        if (!joinedOf(conn).has(frame.conversationId)) return;
        await leaveWatch(ctx, conn, frame.conversationId);
      },
    },
    'watch.control': {
      schema: WatchControlFrame,
      async handle(ctx, conn, frame: z.infer<typeof WatchControlFrame>) {
        const { conversationId, action, positionMs, videoId } = frame;
        await controlSession(ctx, conn.userId, conversationId, { action, positionMs, videoId });
      },
    },
    time: {
      schema: TimeFrame,
      // At once, not behind the connection's slower frames: time spent queued would count as network delay.
      mode: 'uncounted',
      handle(_ctx, conn, frame: z.infer<typeof TimeFrame>) {
        const t1 = now();
        conn.send({ type: 'time', t0: frame.t0, t1, t2: now() } as Frame);
      },
    },
  },
  outgoing: {
    'watch.state'(ctx, conn, raw) {
      const frame = raw as PublishedWatchState;
      const joined = joinedOf(conn);
      if (!frame.memberIds) {
        // An announcement on the person's channel: sockets in the watch view have it from the watch channel.
        return !joined.has(frame.conversationId);
      }
      if (!frame.memberIds.includes(conn.userId)) {
        // No longer a member (left or was removed): nothing more, and out of the channel.
        if (joined.has(frame.conversationId)) {
          leaveWatch(ctx, conn, frame.conversationId).catch((err) => ctx.log.warn({ err }, 'watch leave failed'));
        }
        return false;
      }
      let text = stripped.get(frame);
      if (text === undefined) {
        const { memberIds: _m, ...rest } = frame;
        text = JSON.stringify(rest);
        stripped.set(frame, text);
      }
      conn.sendText(text);
      return false;
    },
  },
};
