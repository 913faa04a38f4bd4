import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Story } from '@loop/contracts';
import sharp from 'sharp';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, notFound } from '../../app/errors.ts';
import { type CursorScope, decodeCursor, toPage } from '../../platform/db/pagination.ts';
import { getUserViews } from '../accounts/index.ts';
import * as graph from '../graph/index.ts';
import * as media from '../media/index.ts';
import type { VideoRow } from '../media/index.ts';
import { isExpired, mayView, type Standing } from './stories.policy.ts';
import { playable, toStoryViews } from './stories.presenter.ts';
import * as repo from './stories.repo.ts';

/**
 * Stories: posting (a re-encoded picture, a clip through the media pipeline, or one of one's own
 * clips), who may see them, views, the author's viewers list, deleting, close friends, the
 * archive and the expiry sweep. The tray is in stories-tray.ts, replies in story-replies.ts.
 * docs/stories.md explains the design.
 */

/** The longest clip a story plays (Instagram's limit per story). */
export const STORY_MAX_VIDEO_MS = 60_000;
export const STORY_IMAGE_MAX_BYTES = 15 * 1024 * 1024;
const ACCEPTED_IMAGES = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);

const isId = (id: string) => /^[1-9][0-9]{0,18}$/.test(id);
const newToken = () => randomBytes(16).toString('base64url');
const imageKeyFor = (authorId: string) => `stories/${authorId}/${randomBytes(12).toString('base64url')}.webp`;

// ---------------------------------------------------------------- who may see what

/** Where `viewerId` stands towards each author, in two queries however many authors. */
export async function standingsOf(ctx: AppContext, viewerId: string, authorIds: readonly string[]): Promise<Map<string, Standing>> {
  const others = [...new Set(authorIds)].filter((id) => id !== viewerId);
  const [edges, close] = await Promise.all([graph.friendsAndBlocksWith(ctx, viewerId, others), repo.closeListsContaining(ctx.db, viewerId, others)]);
  const out = new Map<string, Standing>();
  for (const id of others) {
    const e = edges.get(id);
    out.set(id, { friends: e?.friends ?? false, follows: e?.followedByA ?? false, blocked: e?.blocked ?? false, closeFriend: close.has(id) });
  }
  return out;
}

/** The clips of video stories, by id (one query). */
export async function videosOf(ctx: AppContext, rows: readonly repo.StoryRow[]): Promise<Map<string, VideoRow>> {
  const ids = [...new Set(rows.flatMap((r) => (r.video_id ? [String(r.video_id)] : [])))];
  if (ids.length === 0) return new Map();
  return new Map((await media.findVideoRows(ctx, ids)).map((v) => [String(v.id), v]));
}

/** Of these stories, those `viewerId` may see (signed out: none). */
export async function visibleStories(ctx: AppContext, viewerId: string | null, rows: readonly repo.StoryRow[]) {
  if (!viewerId || rows.length === 0) return { rows: [] as repo.StoryRow[], videos: new Map<string, VideoRow>() };
  const [standings, videos] = await Promise.all([
    standingsOf(
      ctx,
      viewerId,
      rows.map((r) => String(r.author_id)),
    ),
    videosOf(ctx, rows),
  ]);
  const now = Date.now();
  const kept = rows.filter((r) => mayView(r, viewerId, standings.get(String(r.author_id)), playable(r, r.video_id ? videos.get(String(r.video_id)) : undefined), now));
  return { rows: kept, videos };
}

/** The story if the viewer may see it; otherwise 404, exactly as if it did not exist. */
export async function loadVisibleStory(ctx: AppContext, viewerId: string | null, id: string) {
  if (!isId(id)) throw notFound('story');
  const row = await repo.findStory(ctx.db, id);
  if (!row) throw notFound('story');
  const { rows, videos } = await visibleStories(ctx, viewerId, [row]);
  if (rows.length === 0) throw notFound('story');
  return { row, video: row.video_id ? videos.get(String(row.video_id)) : undefined, videos };
}

async function present(ctx: AppContext, viewerId: string, rows: readonly repo.StoryRow[], videos?: Map<string, VideoRow>): Promise<Story[]> {
  const ids = rows.map((r) => String(r.id));
  const mine = rows.filter((r) => String(r.author_id) === viewerId).map((r) => String(r.id));
  const [seen, viewCounts, vids] = await Promise.all([repo.seenAmong(ctx.db, viewerId, ids), repo.viewCounts(ctx.db, mine), videos ?? videosOf(ctx, rows)]);
  return toStoryViews(ctx, viewerId, rows, { videos: vids, seen, viewCounts });
}

// ---------------------------------------------------------------- posting

export interface NewStoryFields {
  audience?: repo.StoryAudience;
  caption?: string;
}

const unprocessable = (code: string, reason: string) => new AppError(code, 422, `file: ${reason}`, { field: 'file' });

/** What the file's bytes say it is: one of the accepted picture formats, or null (then it must be a clip). */
async function imageFormatOf(file: string): Promise<string | null> {
  try {
    const format = (await sharp(file, { limitInputPixels: 40_000_000 }).metadata()).format;
    return format && ACCEPTED_IMAGES.has(format) ? format : null;
  } catch {
    return null;
  }
}

/**
 * A story from an uploaded file (staged on disk; always consumed). A picture is re-encoded to
 * WebP, which drops every byte of metadata (EXIF, GPS, camera, ICC); anything else must pass the
 * media pipeline's checks (hostile files are refused there) and last at most 60 s, and becomes a
 * private clip of the author that the story plays once transcoded.
 */
export async function createStoryFromFile(ctx: AppContext, userId: string, file: string, fields: NewStoryFields): Promise<{ story: Story; status: 201 | 202 }> {
  try {
    const format = await imageFormatOf(file);
    if (format) {
      const { size } = await fs.stat(file);
      if (size > STORY_IMAGE_MAX_BYTES) throw new AppError('file_too_large', 413, `file: a picture must be at most ${STORY_IMAGE_MAX_BYTES} bytes`, { field: 'file' });
      let image: Buffer;
      try {
        image = await sharp(file, { limitInputPixels: 40_000_000, animated: false })
          .rotate() // apply the EXIF orientation before the EXIF goes
          .resize(1080, 1920, { fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 82 })
          .toBuffer();
      } catch {
        throw unprocessable('unsupported_media', 'the image could not be decoded');
      }
      const key = imageKeyFor(userId);
      await ctx.storage.put(key, image, 'image/webp');
      try {
        const row = await repo.insertStory(ctx.db, {
          author_id: userId,
          media_type: 'image',
          image_key: key,
          video_id: null,
          owns_video: false,
          media_token: newToken(),
          caption: fields.caption ?? '',
          audience: fields.audience ?? 'friends',
          expires_at: new Date(Date.now() + ctx.config.stories.ttlMs),
        });
        const [story] = await present(ctx, userId, [row]);
        return { story: story!, status: 201 };
      } catch (err) {
        await ctx.storage.delete(key).catch(() => {});
        throw err;
      }
    }
    const info = await media.inspectUpload(ctx, file);
    if (info.durationMs > STORY_MAX_VIDEO_MS) throw unprocessable('video_too_long', `a story clip must be at most ${STORY_MAX_VIDEO_MS / 1000} seconds long`);
    // Private: the clip is the story's, shown nowhere else (its author sees it among their own clips).
    const { video } = await media.createVideoFromFile(ctx, userId, file, { visibility: 'private', commentsEnabled: false });
    const row = await repo.insertStory(ctx.db, {
      author_id: userId,
      media_type: 'video',
      image_key: null,
      video_id: video.id,
      owns_video: true,
      media_token: newToken(),
      caption: fields.caption ?? '',
      audience: fields.audience ?? 'friends',
      expires_at: new Date(Date.now() + ctx.config.stories.ttlMs),
    });
    const [story] = await present(ctx, userId, [row]);
    return { story: story!, status: 202 };
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** One of the author's own clips posted to their story (the clip stays theirs: deleting the story keeps it). */
export async function createStoryFromVideo(ctx: AppContext, userId: string, body: { videoId: string; audience?: repo.StoryAudience; caption?: string }) {
  const [video] = await media.findVideoRows(ctx, [body.videoId]);
  if (!video || String(video.author_id) !== userId) throw new AppError('video_not_found', 404, 'videoId: no such clip of yours', { field: 'videoId' });
  if (video.status === 'failed') throw new AppError('video_not_ready', 409, 'videoId: this clip could not be processed', { field: 'videoId' });
  if (video.duration_ms > STORY_MAX_VIDEO_MS) throw new AppError('video_too_long', 422, `videoId: a story clip must be at most ${STORY_MAX_VIDEO_MS / 1000} seconds long`, { field: 'videoId' });
  const row = await repo.insertStory(ctx.db, {
    author_id: userId,
    media_type: 'video',
    image_key: null,
    video_id: body.videoId,
    owns_video: false,
    media_token: newToken(),
    caption: body.caption ?? '',
    audience: body.audience ?? 'friends',
    expires_at: new Date(Date.now() + ctx.config.stories.ttlMs),
  });
  const [story] = await present(ctx, userId, [row]);
  return { story: story! };
}

// ---------------------------------------------------------------- reading

export async function getStory(ctx: AppContext, viewerId: string | null, id: string) {
  const { row, videos } = await loadVisibleStory(ctx, viewerId, id);
  const [story] = await present(ctx, viewerId!, [row], videos);
  return { story: story! };
}

/** A person's live stories the caller may see, oldest first (the order they play in). */
export async function listUserStories(ctx: AppContext, viewerId: string | null, authorId: string) {
  if (!viewerId) return { items: [], nextCursor: null };
  const { rows, videos } = await visibleStories(ctx, viewerId, await repo.liveStoriesOf(ctx.db, [authorId]));
  return { items: await present(ctx, viewerId, rows, videos), nextCursor: null };
}

/** The author's expired stories, newest first: only they see them. */
export async function listArchive(ctx: AppContext, userId: string, q: { cursor?: string; limit: number }) {
  const scope: CursorScope = { list: 'stories-archive', viewer: userId };
  const pos = decodeCursor(scope, q.cursor, 2);
  const rows = await repo.archivedStoriesOf(ctx.db, userId, pos ? { at: String(pos[0]), id: String(pos[1]) } : null, q.limit);
  const views = new Map((await present(ctx, userId, rows.slice(0, q.limit))).map((s) => [s.id, s]));
  return toPage(
    scope,
    rows,
    q.limit,
    (r) => views.get(String(r.id))!,
    (r) => [new Date(r.created_at).toISOString(), String(r.id)],
  );
}

// ---------------------------------------------------------------- author's actions

async function loadOwnStory(ctx: AppContext, userId: string, id: string) {
  const { row } = await loadVisibleStory(ctx, userId, id);
  if (String(row.author_id) !== userId) throw new AppError('not_story_author', 403, 'Only the author can do this');
  return row;
}

/** Deletes the story, its views and its media now (a clip uploaded for it goes through media's purge). */
export async function deleteStory(ctx: AppContext, userId: string, id: string) {
  const row = await loadOwnStory(ctx, userId, id);
  await repo.deleteStory(ctx.db, id);
  if (row.image_key) await ctx.storage.delete(row.image_key).catch((err: unknown) => ctx.log.warn({ err }, 'story image delete failed'));
  if (row.video_id && row.owns_video) await media.deleteVideo(ctx, userId, String(row.video_id)).catch(() => {});
}

/** The viewers list, newest first, with reactions: the author's only (anyone else: 404). */
export async function listViewers(ctx: AppContext, userId: string, id: string, q: { cursor?: string; limit: number }) {
  if (!isId(id)) throw notFound('story');
  const row = await repo.findStory(ctx.db, id);
  if (!row || String(row.author_id) !== userId) throw notFound('story');
  const scope: CursorScope = { list: `story-viewers:${id}`, viewer: userId };
  const pos = decodeCursor(scope, q.cursor, 2);
  const rows = await repo.viewersOf(ctx.db, id, pos ? { at: String(pos[0]), id: String(pos[1]) } : null, q.limit);
  const users = await getUserViews(
    ctx,
    rows.map((r) => String(r.viewer_id)),
  );
  const page = toPage(
    scope,
    rows,
    q.limit,
    (r) => ({ user: users.get(String(r.viewer_id)) ?? null, viewedAt: new Date(r.viewed_at).toISOString(), reaction: r.reaction }),
    (r) => [new Date(r.viewed_at).toISOString(), String(r.viewer_id)],
  );
  return { items: page.items.flatMap((i) => (i.user ? [{ ...i, user: i.user }] : [])), nextCursor: page.nextCursor };
}

/** Records that the caller saw the story: once per person (again changes nothing); the author's own looks are not views. */
export async function recordView(ctx: AppContext, userId: string, id: string) {
  const { row } = await loadVisibleStory(ctx, userId, id);
  if (String(row.author_id) === userId) return;
  await repo.insertView(ctx.db, id, userId);
}

// ---------------------------------------------------------------- close friends

export async function listCloseFriends(ctx: AppContext, userId: string, q: { cursor?: string; limit: number }) {
  const scope: CursorScope = { list: 'close-friends', viewer: userId };
  const pos = decodeCursor(scope, q.cursor, 2);
  const rows = await repo.closeFriendsOf(ctx.db, userId, pos ? { at: String(pos[0]), id: String(pos[1]) } : null, q.limit);
  const users = await getUserViews(
    ctx,
    rows.map((r) => String(r.friend_id)),
  );
  const page = toPage(
    scope,
    rows,
    q.limit,
    (r) => users.get(String(r.friend_id)) ?? null,
    (r) => [new Date(r.created_at).toISOString(), String(r.friend_id)],
  );
  return { items: page.items.filter((u) => u !== null), nextCursor: page.nextCursor };
}

/** Puts someone on the caller's close-friends list: someone they may see (not behind a block), not themselves. */
export async function addCloseFriend(ctx: AppContext, userId: string, friendId: string) {
  if (friendId === userId) throw badInput('userId', 'must be someone other than you');
  const [users, blocked] = await Promise.all([getUserViews(ctx, [friendId]), graph.isBlockedEitherWay(ctx, userId, friendId)]);
  if (!users.has(friendId) || blocked) throw notFound('user');
  await repo.addCloseFriend(ctx.db, userId, friendId);
}

export async function removeCloseFriend(ctx: AppContext, userId: string, friendId: string) {
  await repo.removeCloseFriend(ctx.db, userId, friendId);
}

// ---------------------------------------------------------------- expiry

/**
 * The sweeper (a periodic task of the worker): each expired story's media leaves the audience's
 * reach. The story gets a new media token, so every URL handed out while it was live stops
 * resolving, and an image moves to a new storage key (the old object is deleted), which is the
 * author's archive copy. A clip stays the author's private clip. Idempotent and safe on many
 * nodes: the move commits only if nobody archived the story first.
 */
export async function archiveExpiredStories(ctx: AppContext, batch = 200): Promise<number> {
  let done = 0;
  for (const row of await repo.storiesToArchive(ctx.db, batch)) {
    if (!isExpired(row)) continue;
    let newKey: string | null = null;
    if (row.image_key) {
      const object = await ctx.storage.get(row.image_key);
      if (object) {
        newKey = imageKeyFor(String(row.author_id));
        await ctx.storage.put(newKey, object.body, 'image/webp');
      }
    }
    const moved = await repo.markArchived(ctx.db, String(row.id), newToken(), newKey ?? row.image_key);
    if (moved) {
      if (row.image_key && newKey) await ctx.storage.delete(row.image_key).catch(() => {});
      done++;
    } else if (newKey) await ctx.storage.delete(newKey).catch(() => {});
  }
  return done;
}
