import { z } from 'zod';
import { User } from './accounts.ts';
import { Id, unstorableText } from './common.ts';
import { ClientMsgId } from './messaging.ts';
import { Product } from './shop.ts';

// Live streams and the chat inside them (API.md "Live streams and chats inside them"; docs/live.md).

export const LIVE_TITLE_MAX = 140;
export const LIVE_CHAT_TEXT_MAX = 300;
/** Chat messages a `live.snapshot` carries. */
export const LIVE_RECENT_CHAT = 50;
/** Longest slow mode a host may set (seconds between one person's messages). */
export const LIVE_SLOW_MODE_MAX_SEC = 300;
/** Longest timeout (a ban with a duration): a week. */
export const LIVE_TIMEOUT_MAX_SEC = 7 * 24 * 3600;

export const LiveVisibility = z.enum(['public', 'followers', 'friends']);
export type LiveVisibility = z.infer<typeof LiveVisibility>;
export const LiveStatus = z.enum(['waiting', 'live', 'ended']);
export type LiveStatus = z.infer<typeof LiveStatus>;

const storable = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .superRefine((t, ctx) => {
      const problem = unstorableText(t);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

export const LiveChatText = storable(LIVE_CHAT_TEXT_MAX).refine((t) => t.trim().length > 0, 'must not be empty');

/** One chat message of a live. */
export const LiveChatMessage = z.object({ id: z.string(), user: User, text: z.string(), createdAt: z.string() });
export type LiveChatMessage = z.infer<typeof LiveChatMessage>;

/** What is pinned: a chat message of this live (with the message) or a product (with the product, when it still exists). */
export const LivePinned = z.object({
  type: z.enum(['message', 'product']),
  id: z.string(),
  message: LiveChatMessage.optional(),
  product: Product.optional(),
});
export type LivePinned = z.infer<typeof LivePinned>;

export const LiveSettings = z.object({ slowModeSec: z.number().int(), followersOnly: z.boolean() });

export const Live = z.object({
  id: z.string(),
  host: User,
  title: z.string(),
  visibility: LiveVisibility,
  status: LiveStatus,
  /** The HLS playlist while on air (an authorised route: the same visibility rules as the live), else null. */
  hlsUrl: z.string().nullable(),
  viewerCount: z.number().int(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  pinned: LivePinned.nullable(),
  settings: LiveSettings,
  /** Hearts sent since the live began (all nodes; updated with `live.state`). */
  heartCount: z.number().int(),
  /** Host only: the clip the recording became after the live ended (a private draft the host keeps or deletes), else null. */
  replayVideoId: z.string().nullable(),
  createdAt: z.string(),
});
export type Live = z.infer<typeof Live>;

export const CreateLiveBody = z.object({
  title: storable(LIVE_TITLE_MAX).refine((t) => t.trim().length > 0, 'must not be empty'),
  visibility: LiveVisibility.optional(),
});
export const LiveIngest = z.object({ rtmpUrl: z.string(), streamKey: z.string(), whipUrl: z.string().optional() });
export const CreateLiveResult = z.object({ live: Live, ingest: LiveIngest });
export const LiveResult = z.object({ live: Live });

export const PatchLiveBody = z
  .object({
    slowModeSec: z.number().int().min(0).max(LIVE_SLOW_MODE_MAX_SEC).optional(),
    followersOnly: z.boolean().optional(),
    pinned: z.object({ type: z.enum(['message', 'product']), id: Id }).nullable().optional(),
  })
  .strict();
export type PatchLiveBody = z.infer<typeof PatchLiveBody>;

export const BanBody = z.object({ durationSec: z.number().int().min(1).max(LIVE_TIMEOUT_MAX_SEC).optional() }).strict();

// ---- WebSocket frames (the unions are in realtime.ts) ----

export const LiveJoinFrame = z.object({ type: z.literal('live.join'), liveId: Id });
export const LiveLeaveFrame = z.object({ type: z.literal('live.leave'), liveId: Id });
export const LiveChatFrame = z.object({ type: z.literal('live.chat'), liveId: Id, clientMsgId: ClientMsgId, text: LiveChatText });
/** Hearts tapped since the last frame (clients batch taps; at most 50 per frame). */
export const LiveHeartFrame = z.object({ type: z.literal('live.heart'), liveId: Id, count: z.number().int().min(1).max(50).default(1) });

/** Frames the live module sends (docs/live.md). */
export type LiveServerFrame =
  | { type: 'live.snapshot'; live: Live; recent: LiveChatMessage[] }
  | { type: 'live.chat.ack'; clientMsgId: string; id: string }
  | { type: 'live.chat'; liveId: string; messages: LiveChatMessage[] }
  | { type: 'live.chat.deleted'; liveId: string; ids: string[] }
  | { type: 'live.state'; live: Live }
  /** Hearts sent on one node in the last second (each node sends its own; add them up). */
  | { type: 'live.hearts'; liveId: string; count: number }
  /** This connection was taken out of the room (ban or timeout: `until` null for a ban). */
  | { type: 'live.removed'; liveId: string; reason: 'banned' | 'timeout'; until: string | null }
  | { type: 'live.ended'; liveId: string };
