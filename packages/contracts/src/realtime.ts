import { z } from 'zod';
import type { FollowFrame } from './graph.ts';
import { LiveChatFrame, LiveHeartFrame, LiveJoinFrame, LiveLeaveFrame, type LiveServerFrame } from './live.ts';
import type { VideoProgressFrame } from './media.ts';
import type { NotificationFrame } from './notifications.ts';
import type { OrderUpdatedFrame } from './shop.ts';
import { type MessagingServerFrame, ReadFrame, ResumeField, SendFrame, TypingFrame } from './messaging.ts';
import { TimeFrame, WatchControlFrame, WatchJoinFrame, WatchLeaveFrame, type WatchServerFrame } from './watch.ts';

// The WebSocket protocol (API.md "WebSocket", docs/realtime.md): one union of what a client
// may send and one of what the server sends. Each module adds its frames here and registers a
// handler for each client frame (its `frames` in server/src/modules/<m>/index.ts).

/** The first frame of a connection: nothing else is answered before it (but `ping`). */
export const HelloFrame = z.object({
  type: z.literal('hello'),
  /** conversationId → the last seq this client holds; at most 1,000 conversations. */
  resume: ResumeField.optional(),
});
export const PingFrame = z.object({ type: z.literal('ping') });

/** Every frame a client may send. */
export const ClientFrame = z.discriminatedUnion('type', [HelloFrame, SendFrame, ReadFrame, TypingFrame, PingFrame, WatchJoinFrame, WatchLeaveFrame, WatchControlFrame, TimeFrame, LiveJoinFrame, LiveLeaveFrame, LiveChatFrame, LiveHeartFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;
export const CLIENT_FRAME_TYPES = ['hello', 'send', 'read', 'typing', 'ping', 'watch.join', 'watch.leave', 'watch.control', 'time', 'live.join', 'live.leave', 'live.chat', 'live.heart'] as const;
export type ClientFrameType = ClientFrame['type'];

/** Frames of the connection itself. */
export type CoreServerFrame =
  | { type: 'ready'; userId: string }
  | { type: 'pong' }
  /** Pub/sub was lost for a while: sequenced streams were re-read; refresh what is not sequenced. */
  | { type: 'resync' }
  | { type: 'error'; code: string; detail: string; clientMsgId?: string; field?: string };

/** Graph: someone follows, asks to follow, or accepted a request (pushed on `user:<id>`). */
export type FollowServerFrame = FollowFrame | (Omit<FollowFrame, 'type'> & { type: 'follow.accepted' });

/** Every frame the server sends. */
export type ServerFrame = CoreServerFrame | MessagingServerFrame | FollowServerFrame | VideoProgressFrame | NotificationFrame | OrderUpdatedFrame | WatchServerFrame | LiveServerFrame;
export type ServerFrameType = ServerFrame['type'];
