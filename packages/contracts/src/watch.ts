import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';

// Watching together in a conversation (API.md "Watching together in a conversation",
// docs/watch-together.md): one session per conversation, its playback state, and the frames
// that join, steer and clock-sync it.

/**
 * A watch session. `positionMs` holds at server time `at` (ms since the epoch); while `playing`
 * the position advances from then (so with `at` in the future every client starts together).
 * `rev` grows with every change: a client keeps the state with the highest one.
 */
export const WatchSession = z.object({
  id: z.string(),
  conversationId: z.string(),
  videoId: z.string(),
  playing: z.boolean(),
  positionMs: z.number().int(),
  at: z.number().int(),
  rev: z.number().int(),
  startedBy: z.string(),
  participants: z.array(User),
});
export type WatchSession = z.infer<typeof WatchSession>;

export const StartWatchBody = z.object({ videoId: Id }).strict();
export const WatchSessionResult = z.object({ session: WatchSession });

/** Longest position a control may name (a clip is at most a few minutes; this is a sanity bound). */
export const MAX_WATCH_POSITION_MS = 24 * 3600 * 1000;

export const WatchJoinFrame = z.object({ type: z.literal('watch.join'), conversationId: Id });
export const WatchLeaveFrame = z.object({ type: z.literal('watch.leave'), conversationId: Id });
export const WatchControlFrame = z
  .object({
    type: z.literal('watch.control'),
    conversationId: Id,
    action: z.enum(['play', 'pause', 'seek', 'video']),
    positionMs: z.number().int().min(0).max(MAX_WATCH_POSITION_MS).optional(),
    videoId: Id.optional(),
  })
  .refine((f) => f.action !== 'seek' || f.positionMs !== undefined, { message: 'seek needs positionMs', path: ['positionMs'] })
  .refine((f) => f.action !== 'video' || f.videoId !== undefined, { message: 'video needs videoId', path: ['videoId'] });
/** Clock sync (NTP style): the client's send time; answered with the server's receive and send times. */
export const TimeFrame = z.object({ type: z.literal('time'), t0: z.number().finite() });

export type WatchServerFrame =
  | { type: 'watch.state'; conversationId: string; session: WatchSession | null }
  | { type: 'time'; t0: number; t1: number; t2: number };
