import { LiveChatFrame, LiveHeartFrame, LiveJoinFrame, LiveLeaveFrame } from '@loop/contracts';
import type { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import type { Frame, RealtimeFeature } from '../../platform/realtime/frames.ts';
import { liveRooms, MAX_ROOMS_PER_CONNECTION, roomChannel } from './live-rooms.ts';
import { addHearts, joinSnapshot, sendLiveChat, snapshotOf } from './live.service.ts';

/**
 * Live chat over the real-time core (API.md "Live streams", docs/live.md): `live.join` →
 * `live.snapshot`, `live.leave`, `live.chat` → `live.chat.ack` or an `error` naming the rule,
 * `live.heart`. A socket taken out of a room (ban, timeout) or whose live ended leaves the
 * room's channel the moment that frame reaches it, so nothing more of the room follows.
 */

const leaveOn = (_ctx: AppContext, conn: Parameters<NonNullable<RealtimeFeature<AppContext>['outgoing']>[string]>[1], frame: Frame) => {
  const { liveId } = frame as Frame & { liveId: string };
  if (conn.channels.has(roomChannel(liveId))) liveRooms(_ctx).leave(liveId, conn);
  return true;
};

export const liveFrames: RealtimeFeature<AppContext> = {
  client: {
    'live.join': {
      schema: LiveJoinFrame,
      async handle(ctx, conn, frame: z.infer<typeof LiveJoinFrame>) {
        const live = await joinSnapshot(ctx, conn.userId, frame.liveId);
        // Joined before the snapshot is read, so nothing said in between is missed (the client drops repeats by id).
        if (live.status !== 'ended' && !(await liveRooms(ctx).join(frame.liveId, conn))) {
          throw new AppError('too_many_rooms', 409, `A connection can be in at most ${MAX_ROOMS_PER_CONNECTION} lives at once; leave one first`);
        }
        // The host sees what only the host sees; everyone else shares the room's snapshot.
        const isHost = String(live.host_id) === conn.userId;
        conn.send(isHost ? await snapshotOf(ctx, conn.userId, live) : await liveRooms(ctx).sharedSnapshot(frame.liveId, () => snapshotOf(ctx, null, live)));
      },
    },
    'live.leave': {
      schema: LiveLeaveFrame,
      handle(ctx, conn, frame: z.infer<typeof LiveLeaveFrame>) {
        liveRooms(ctx).leave(frame.liveId, conn);
      },
    },
    'live.chat': {
      schema: LiveChatFrame,
      mode: 'concurrent',
      ackField: 'clientMsgId',
      async handle(ctx, conn, frame: z.infer<typeof LiveChatFrame>) {
        const message = await sendLiveChat(ctx, conn.userId, frame.liveId, frame.clientMsgId, frame.text);
        conn.send({ type: 'live.chat.ack', clientMsgId: frame.clientMsgId, id: message.id } as Frame);
      },
    },
    'live.heart': {
      schema: LiveHeartFrame,
      mode: 'uncounted',
      handle(ctx, conn, frame: z.infer<typeof LiveHeartFrame>) {
        // Only from a socket in the room (it passed the visibility and ban checks on join).
        if (!conn.channels.has(roomChannel(frame.liveId))) return;
        addHearts(ctx, frame.liveId, frame.count);
      },
    },
  },
  outgoing: {
    'live.removed': leaveOn,
    'live.ended': leaveOn,
  },
};
