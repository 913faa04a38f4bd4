import { z } from 'zod';
import { User } from './accounts.ts';
import { Id } from './common.ts';

export const Visibility = z.enum(['public', 'friends', 'private']);
export type Visibility = z.infer<typeof Visibility>;
export const VideoStatus = z.enum(['processing', 'ready', 'failed']);

export const Caption = z.string().max(2200, 'must be at most 2200 characters');

/** A #hashtag or @mention inside a caption; `start`/`end` are UTF-16 offsets (JS string indices). */
export const CaptionEntity = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hashtag'), start: z.number().int(), end: z.number().int(), tag: z.string() }),
  z.object({ type: z.literal('mention'), start: z.number().int(), end: z.number().int(), username: z.string(), userId: z.string() }),
]);
export type CaptionEntity = z.infer<typeof CaptionEntity>;

export const Video = z.object({
  id: z.string(),
  author: User,
  caption: z.string(),
  entities: z.array(CaptionEntity),
  visibility: Visibility,
  commentsEnabled: z.boolean(),
  status: VideoStatus,
  failureReason: z.string().optional(),
  /** 0–100 while processing; 100 once every rendition is published. */
  progress: z.number().int(),
  durationMs: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  posterUrl: z.string().nullable(),
  hlsUrl: z.string().nullable(),
  counts: z.object({ likes: z.number().int(), comments: z.number().int(), shares: z.number().int(), views: z.number().int(), saves: z.number().int() }),
  viewer: z.object({ liked: z.boolean(), saved: z.boolean() }),
  createdAt: z.string(),
  /** For You only: the first clip after the viewer has seen everything new from friends (API.md). */
  caughtUpWithFriends: z.literal(true).optional(),
});
export type Video = z.infer<typeof Video>;

/** `POST /videos` as JSON, after a tus upload. */
export const CreateVideoBody = z.object({
  uploadId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be an upload id'),
  caption: Caption.optional(),
  visibility: Visibility.optional(),
  commentsEnabled: z.boolean().optional(),
});
export type CreateVideoBody = z.infer<typeof CreateVideoBody>;

/** The text fields of the multipart `POST /videos`. */
export const VideoFields = z.object({
  caption: Caption.optional(),
  visibility: Visibility.optional(),
  commentsEnabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export const UpdateVideoBody = z.object({
  caption: Caption.optional(),
  visibility: Visibility.optional(),
  commentsEnabled: z.boolean().optional(),
});

export const Comment = z.object({
  id: z.string(),
  videoId: z.string(),
  author: User,
  text: z.string(),
  replyToId: z.string().nullable(),
  likes: z.number().int(),
  replies: z.number().int(),
  viewer: z.object({ liked: z.boolean() }),
  createdAt: z.string(),
});
export type Comment = z.infer<typeof Comment>;

export const CreateCommentBody = z.object({
  text: z.string().trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  replyToId: Id.optional(),
});

export const CommentsQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Lists the replies of one top-level comment instead of the top-level comments. */
  replyToId: Id.optional(),
});

/**
 * What a viewer did with a clip (API.md "POST /events"): `watch` carries how long they watched
 * (`watchedMs`), `skip` is leaving within 2 s, `rewatch` a loop back to the start; `like`,
 * `comment`, `share`, `save` and `follow` (the author, from the clip) are reported here too so
 * the ranker hears about them at once; `not_interested` hides the clip and leans away from its
 * author and topics.
 */
export const SIGNAL_TYPES = ['impression', 'watch', 'completion', 'not_interested', 'skip', 'rewatch', 'like', 'comment', 'share', 'save', 'follow'] as const;
export const WatchEvent = z.object({
  type: z.enum(SIGNAL_TYPES),
  videoId: Id,
  watchedMs: z.number().int().min(0).max(24 * 3600 * 1000).optional(),
  at: z.iso.datetime().optional(),
});
export const EventsBody = z.object({ events: z.array(WatchEvent).min(1).max(100) });
export type EventsBody = z.infer<typeof EventsBody>;

export const FeedQuery = z.object({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

/** The most clips `ahead` names (GET /feed/for-you). */
export const FOR_YOU_AHEAD_MAX = 4;

/**
 * GET /feed/for-you also takes `ahead`: the ids (comma-separated) of the clips the client has queued
 * after the one on screen and not shown yet. A re-rank ranks them beside the other candidates, so a
 * queued clip (already buffering) keeps its place while it is still the best, and gives way when
 * the latest swipes say otherwise.
 */
export const ForYouQuery = FeedQuery.extend({
  ahead: z
    .string()
    .max(FOR_YOU_AHEAD_MAX * 20)
    .optional()
    .transform((s) => (s ? s.split(',') : []))
    .pipe(z.array(Id).max(FOR_YOU_AHEAD_MAX, `at most ${FOR_YOU_AHEAD_MAX} ids`)),
});

/** WebSocket frame pushed to the uploader while a clip is processed. */
export const VideoProgressFrame = z.object({
  type: z.literal('video.progress'),
  videoId: z.string(),
  status: VideoStatus,
  progress: z.number().int(),
  failureReason: z.string().optional(),
});
export type VideoProgressFrame = z.infer<typeof VideoProgressFrame>;
