import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CaptionEntity, Comment, EventsBody, Video, Visibility } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import { Batcher } from '../../platform/batch/batcher.ts';
import { type CursorScope, decodeCursor, encodeCursor, toPage } from '../../platform/db/pagination.ts';
import { type Executor, inTransaction } from '../../platform/db/tx.ts';
import { recordEvent } from '../../platform/events/events.ts';
import { type Demuxer, FfmpegError, probe } from '../../platform/ffmpeg/ffmpeg.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { findUserByUsername, getUserViews, isPrivateAccountLocked, type PrivacyHook } from '../accounts/index.ts';
import * as graph from '../graph/index.ts';
import { parseCaption } from './caption.ts';
import * as repo from './media.repo.ts';
import { checkIsoStructure, readHead, sniffContainer } from './media-sniff.ts';

/**
 * Short videos: creating them from an uploaded file, who may see them, the API view, and
 * engagement (likes, saves, comments, views, shares, events). docs/media.md explains why.
 */

// ---- paths ----

export const stagingDir = (ctx: Pick<AppContext, 'config'>) => path.join(ctx.config.dataDir, 'uploads');
export const workDir = (ctx: AppContext, videoId: string) => path.join(ctx.config.dataDir, 'work', videoId);
/** Storage layout: the original beside the published files; only `<token>/…` is ever served. */
export const sourceKey = (videoId: string) => `videos/${videoId}/source`;
export const publishedPrefix = (v: Pick<repo.VideoRow, 'id' | 'media_token'>) => `videos/${v.id}/${v.media_token}`;
export const toolPaths = (ctx: AppContext) => ({ ffmpeg: ctx.config.media.ffmpegPath, ffprobe: ctx.config.media.ffprobePath, root: ctx.config.dataDir });

// ---- visibility ----

/**
 * The one visibility rule; everything else (clips by id, media URLs, profiles, feeds, share
 * cards, the /v/:id page) builds on it. The author sees everything of theirs. Anyone else:
 * only ready clips, never private ones, nothing across a block; a private account's clips
 * only for its approved followers (like the account's lists); friends-only clips only for
 * friends (mutual follows).
 */
function mayView(
  clip: { status: repo.VideoRow['status']; visibility: Visibility; privateAccount: boolean },
  a: graph.Audience | null,
): boolean {
  if (clip.status !== 'ready' || clip.visibility === 'private') return false;
  if (!a) return clip.visibility === 'public' && !clip.privateAccount; // signed out
  if (a.blocked) return false;
  if (clip.privateAccount && !a.follows) return false;
  return clip.visibility === 'public' || a.friends;
}

/** Whether anyone at all, signed in or not, may see the clip (shared caches may keep it then). */
export const openToEveryone = (v: repo.VideoRow) => mayView({ status: v.status, visibility: v.visibility, privateAccount: v.author_private }, null);

/** Whether `viewerId` may see the clip at all. */
export async function canView(ctx: AppContext, viewerId: string | null, v: repo.VideoRow): Promise<boolean> {
  const authorId = String(v.author_id);
  if (viewerId === authorId) return true;
  // `author_private` mirrors the account's setting (changed in the same transaction), so a
  // signed-out request for a public clip costs no graph query.
  const clip = { status: v.status, visibility: v.visibility, privateAccount: v.author_private };
  if (!viewerId || v.status !== 'ready' || v.visibility === 'private') return mayView(clip, null);
  return mayView(clip, await graph.audienceOf(ctx, viewerId, authorId));
}

/**
 * `canView` for many viewers of one clip, in at most one query (a share's recipients, a card's
 * viewers): the same rules, with the author's friendships and blocks read for everyone at once.
 */
export async function viewersWhoCanView(ctx: AppContext, viewerIds: readonly string[], v: repo.VideoRow): Promise<Set<string>> {
  const authorId = String(v.author_id);
  const out = new Set(viewerIds.filter((id) => id === authorId));
  if (v.status !== 'ready' || v.visibility === 'private') return out;
  const others = viewerIds.filter((id) => id !== authorId);
  const edges = await graph.friendsAndBlocksWith(ctx, authorId, others);
  const clip = { status: v.status, visibility: v.visibility, privateAccount: v.author_private };
  for (const id of others) {
    const e = edges.get(id);
    if (e && mayView(clip, { follows: e.followsA, friends: e.friends, blocked: e.blocked, privateAccount: v.author_private })) out.add(id);
  }
  return out;
}

/**
 * `canView` for one viewer and many clips (their liked and saved lists), in at most one graph
 * query: the same rules, with the viewer's standing towards every author read at once.
 */
async function visibleToViewer<R extends repo.VideoRow>(ctx: AppContext, viewerId: string, rows: readonly R[]): Promise<R[]> {
  const authors = [...new Set(rows.map((v) => String(v.author_id)))].filter((id) => id !== viewerId);
  const edges = await graph.friendsAndBlocksWith(ctx, viewerId, authors);
  return rows.filter((v) => {
    const authorId = String(v.author_id);
    if (authorId === viewerId) return true;
    const e = edges.get(authorId);
    const clip = { status: v.status, visibility: v.visibility, privateAccount: v.author_private };
    return e !== undefined && mayView(clip, { follows: e.followedByA, friends: e.friends, blocked: e.blocked, privateAccount: v.author_private });
  });
}

/** The clip if the viewer may see it; otherwise 404, exactly as if it did not exist. */
export async function loadVisibleVideo(ctx: AppContext, viewerId: string | null, id: string): Promise<repo.VideoRow> {
  if (!/^\d{1,19}$/.test(id)) throw notFound('video');
  const v = await repo.findVideo(ctx.db, id);
  if (!v || !(await canView(ctx, viewerId, v))) throw notFound('video');
  return v;
}

/** Visibilities of `authorId`'s clips that `viewerId` may see: none across a block, none of a private account for non-followers. */
async function visibleKinds(ctx: AppContext, viewerId: string | null, authorId: string): Promise<{ kinds: Visibility[]; blocked: boolean }> {
  const all: Visibility[] = ['public', 'friends', 'private'];
  if (viewerId === authorId) return { kinds: all, blocked: false };
  const a = await graph.audienceOf(ctx, viewerId, authorId);
  const kinds = all.filter((visibility) => mayView({ status: 'ready', visibility, privateAccount: a.privateAccount }, viewerId ? a : null));
  return { kinds, blocked: a.blocked };
}

/**
 * Keeps `videos.author_private` equal to the account's setting, inside the transaction that
 * changes the setting (provided to accounts as a privacy hook), so no reader ever sees the two disagree.
 */
export const mirrorAccountPrivacy: PrivacyHook = async (tx, userId, isPrivate) => {
  await repo.setAuthorPrivate(tx, userId, isPrivate);
};

// ---- views ----

const mediaBase = (v: repo.VideoRow) => `/api/v1/media/videos/${v.id}/${v.media_token}`;

/** Builds API `video` objects in the order given. */
export async function toVideoViews(ctx: AppContext, viewerId: string | null, rows: readonly repo.VideoRow[]): Promise<Video[]> {
  if (!rows.length) return [];
  const ids = rows.map((r) => String(r.id));
  const [authors, flags] = await Promise.all([
    getUserViews(ctx, [...new Set(rows.map((r) => String(r.author_id)))]),
    viewerId ? repo.viewerFlags(ctx.db, viewerId, ids) : Promise.resolve({ liked: new Set<string>(), saved: new Set<string>() }),
  ]);
  return rows.flatMap((v) => {
    const author = authors.get(String(v.author_id));
    if (!author) return [];
    const id = String(v.id);
    const playable = (v.renditions as repo.Rendition[]).length > 0;
    const view: Video = {
      id,
      author,
      caption: v.caption,
      entities: v.entities as CaptionEntity[],
      visibility: v.visibility,
      commentsEnabled: v.comments_enabled,
      status: v.status,
      progress: v.progress,
      durationMs: v.duration_ms,
      width: v.width,
      height: v.height,
      posterUrl: v.has_poster ? `${mediaBase(v)}/poster.jpg` : null,
      hlsUrl: playable ? `${mediaBase(v)}/master.m3u8` : null,
      counts: {
        likes: Number(v.likes_count),
        comments: Number(v.comments_count),
        shares: Number(v.shares_count),
        views: Number(v.views_count),
        saves: Number(v.saves_count),
      },
      viewer: { liked: flags.liked.has(id), saved: flags.saved.has(id) },
      createdAt: new Date(v.created_at).toISOString(),
    };
    if (v.failure_reason) view.failureReason = v.failure_reason;
    return [view];
  });
}

export async function getVideo(ctx: AppContext, viewerId: string | null, id: string) {
  const v = await loadVisibleVideo(ctx, viewerId, id);
  const [video] = await toVideoViews(ctx, viewerId, [v]);
  if (!video) throw notFound('video');
  return { video };
}

// ---- captions ----

async function resolveCaption(ctx: AppContext, caption: string): Promise<{ entities: CaptionEntity[]; tags: string[] }> {
  const raw = parseCaption(caption);
  const entities: CaptionEntity[] = [];
  const users = new Map<string, string | null>();
  for (const e of raw) {
    if (e.type === 'hashtag') {
      entities.push({ type: 'hashtag', start: e.start, end: e.end, tag: e.value });
      continue;
    }
    if (!users.has(e.value)) users.set(e.value, (await findUserByUsername(ctx, e.value))?.id ?? null);
    const userId = users.get(e.value);
    // A mention of nobody stays plain text.
    if (userId) entities.push({ type: 'mention', start: e.start, end: e.end, username: e.value, userId: String(userId) });
  }
  return { entities, tags: [...new Set(raw.filter((e) => e.type === 'hashtag').map((e) => e.value))] };
}

/** The people `@named` in a text who exist (at most 30, as captions). */
async function mentionedUserIds(ctx: AppContext, text: string): Promise<string[]> {
  const names = [...new Set(parseCaption(text).filter((e) => e.type === 'mention').map((e) => e.value))];
  const ids = await Promise.all(names.map(async (n) => (await findUserByUsername(ctx, n))?.id));
  return ids.filter((id) => id !== undefined && id !== null).map(String);
}

/** The people a caption's entities mention (resolved when the caption was written). */
export function captionMentionIds(entities: unknown): string[] {
  if (!Array.isArray(entities)) return [];
  return [...new Set(entities.flatMap((e: { type?: string; userId?: string }) => (e.type === 'mention' && e.userId ? [e.userId] : [])))];
}

// ---- creating videos ----

export interface NewVideoFields {
  caption?: string;
  visibility?: Visibility;
  commentsEnabled?: boolean;
}

const unprocessable = (code: string, reason: string) => new AppError(code, 422, `file: ${reason}`, { field: 'file' });

/** Refuses a new upload once the author's daily quota is used up. */
export async function assertUploadQuota(ctx: AppContext, userId: string) {
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const [videos, uploads] = await Promise.all([repo.countVideosSince(ctx.db, userId, since), repo.countUploadsSince(ctx.db, userId, since)]);
  if (videos + uploads >= ctx.config.media.dailyUploads)
    throw new AppError('upload_quota_exceeded', 429, `You can post ${ctx.config.media.dailyUploads} videos a day; try again tomorrow`, {
      retryAfterSec: 3600,
    });
}

/**
 * Checks an uploaded file before anything else touches it: its bytes must say MP4/MOV or
 * WebM/MKV, an MP4 must be structurally whole, and ffprobe (files only, forced demuxer)
 * must find a real video stream of acceptable length and size.
 */
export async function inspectUpload(ctx: AppContext, file: string) {
  const { size } = await fs.stat(file);
  if (size === 0) throw unprocessable('not_a_video', 'the file is empty');
  if (size > ctx.config.media.maxBytes) throw new AppError('file_too_large', 413, `file: must be at most ${ctx.config.media.maxBytes} bytes`, { field: 'file' });
  const sniff = sniffContainer(await readHead(file));
  if (!sniff.ok) throw unprocessable('not_a_video', sniff.reason);
  if (sniff.demuxer === 'mov') {
    const broken = await checkIsoStructure(file);
    if (broken) throw unprocessable('not_a_video', broken);
  }
  let info: Awaited<ReturnType<typeof probe>>;
  try {
    info = await probe(toolPaths(ctx), sniff.demuxer, file);
  } catch (err) {
    if (err instanceof FfmpegError) throw unprocessable('not_a_video', err.message);
    throw err;
  }
  if (!info.video) throw unprocessable('not_a_video', 'the file has no video stream');
  if (!info.video.width || !info.video.height) throw unprocessable('not_a_video', 'the video stream has no picture size');
  if (info.video.width < 16 || info.video.height < 16 || info.video.width > 8192 || info.video.height > 8192)
    throw unprocessable('unsupported_video', 'the picture must be between 16 and 8192 pixels on each side');
  if (!(info.durationSec > 0)) throw unprocessable('not_a_video', 'the video has no duration');
  if (info.durationSec * 1000 > ctx.config.media.maxDurationMs)
    throw unprocessable('video_too_long', `must be at most ${Math.round(ctx.config.media.maxDurationMs / 1000)} seconds long`);
  const quarter = Math.abs(info.video.rotation) % 180 === 90;
  return {
    demuxer: sniff.demuxer as Demuxer,
    bytes: size,
    durationMs: Math.round(info.durationSec * 1000),
    width: quarter ? info.video.height : info.video.width,
    height: quarter ? info.video.width : info.video.height,
    hasAudio: info.hasAudio,
  };
}

/**
 * Turns a staged upload into a `processing` video and queues its transcode — in one
 * transaction, so a video never exists without its job. The staged file is consumed
 * (moved into storage) on success and deleted on any failure: nothing is left behind.
 */
export async function createVideoFromFile(ctx: AppContext, userId: string, file: string, fields: NewVideoFields) {
  try {
    const info = await inspectUpload(ctx, file);
    const caption = fields.caption ?? '';
    const { entities, tags } = await resolveCaption(ctx, caption);
    let stored: string | null = null;
    const row = await inTransaction(
      ctx.db,
      async (tx) => {
        const v = await repo.insertVideo(tx, {
          author_id: userId,
          author_private: await isPrivateAccountLocked(tx, userId),
          caption,
          entities,
          visibility: fields.visibility ?? 'public',
          comments_enabled: fields.commentsEnabled ?? true,
          duration_ms: info.durationMs,
          width: info.width,
          height: info.height,
          has_audio: info.hasAudio,
          source_format: info.demuxer,
          source_bytes: info.bytes,
          media_token: randomBytes(16).toString('base64url'),
        });
        await repo.insertHashtags(tx, String(v.id), tags);
        await enqueue(tx, { kind: 'video.transcode', videoId: String(v.id) });
        // Last step before commit: if storing fails the row and job roll back with it.
        stored = sourceKey(String(v.id));
        await ctx.storage.putFile(stored, file, 'application/octet-stream', { move: true });
        tx.afterCommit(() => publishProgress(ctx, v));
        return v;
      },
      (err) => ctx.log.warn({ err }, 'after-commit effect failed'),
    ).catch(async (err) => {
      if (stored) await ctx.storage.delete(stored).catch(() => {});
      throw err;
    });
    const [video] = await toVideoViews(ctx, userId, [row]);
    return { video: video! };
  } finally {
    await fs.rm(file, { force: true });
  }
}

/** Pushes a `video.progress` frame to the uploader's sockets (call after commit). */
export function publishProgress(ctx: AppContext, v: Pick<repo.VideoRow, 'id' | 'author_id' | 'status' | 'progress' | 'failure_reason'>) {
  const frame = {
    type: 'video.progress',
    videoId: String(v.id),
    status: v.status,
    progress: v.progress,
    ...(v.failure_reason && { failureReason: v.failure_reason }),
  };
  return Promise.resolve(ctx.pubsub.publish(`user:${v.author_id}`, frame)).catch((err: unknown) => ctx.log.warn({ err }, 'progress publish failed'));
}

// ---- editing and deleting ----

async function loadOwnVideo(ctx: AppContext, userId: string, id: string) {
  const v = await loadVisibleVideo(ctx, userId, id);
  if (String(v.author_id) !== userId) throw new AppError('not_video_author', 403, 'Only the author can change this video');
  return v;
}

export async function updateVideo(ctx: AppContext, userId: string, id: string, patch: NewVideoFields) {
  await loadOwnVideo(ctx, userId, id);
  const row = await inTransaction(ctx.db, async (tx) => {
    const changes: Parameters<typeof repo.updateVideo>[2] = {};
    if (patch.caption !== undefined) {
      const { entities, tags } = await resolveCaption(ctx, patch.caption);
      Object.assign(changes, { caption: patch.caption, entities });
      await repo.replaceHashtags(tx, id, tags);
    }
    if (patch.visibility) changes.visibility = patch.visibility;
    if (patch.commentsEnabled !== undefined) changes.comments_enabled = patch.commentsEnabled;
    return Object.keys(changes).length ? repo.updateVideo(tx, id, changes) : repo.findVideo(tx, id);
  });
  if (!row) throw notFound('video');
  const [video] = await toVideoViews(ctx, userId, [row]);
  return { video: video! };
}

/** Deletes the clip now; its files go by a durable purge job (retried until they are gone). */
export async function deleteVideo(ctx: AppContext, userId: string, id: string) {
  await loadOwnVideo(ctx, userId, id);
  await inTransaction(ctx.db, async (tx) => {
    await repo.deleteVideo(tx, id);
    await enqueue(tx, { kind: 'video.purge', videoId: id, prefix: `videos/${id}` });
  });
}

/** The purge job: every stored object of a deleted clip, and its work files. */
export async function purgeVideoFiles(ctx: AppContext, videoId: string, prefix: string) {
  await ctx.storage.deletePrefix(prefix);
  await fs.rm(workDir(ctx, videoId), { recursive: true, force: true });
}

// ---- profiles ----

/** A person's clips for their profile grid, newest first, as the viewer may see them. */
export async function listUserVideos(ctx: AppContext, viewerId: string | null, authorId: string, page: { cursor?: string; limit: number }) {
  if (!/^\d{1,19}$/.test(authorId)) throw notFound('user');
  const { kinds, blocked } = await visibleKinds(ctx, viewerId, authorId);
  if (blocked) throw notFound('user');
  const users = await getUserViews(ctx, [authorId]);
  if (!users.has(authorId)) throw notFound('user');
  const rows = await listByAuthorsPage(ctx, {
    // A private account's grid is empty for people who do not follow it (the profile itself stays visible).
    authors: kinds.length ? [authorId] : [],
    friendAuthors: kinds.includes('friends') ? [authorId] : [],
    ownerId: viewerId === authorId ? authorId : null,
    scope: { list: `videos:${authorId}`, viewer: viewerId },
    cursor: page.cursor,
    limit: page.limit,
  });
  return rows(viewerId);
}

/**
 * A keyset page of ready clips by the given authors, newest first (profiles, Following and
 * Friends feeds). Returns a function that builds the views for a viewer.
 */
export async function listByAuthorsPage(
  ctx: AppContext,
  q: { authors: readonly string[]; friendAuthors: readonly string[]; ownerId: string | null; scope: CursorScope; cursor?: string; limit: number },
) {
  const c = decodeCursor(q.scope, q.cursor, 2);
  const rows = await repo.listByAuthors(ctx.db, {
    authors: q.authors,
    friendAuthors: q.friendAuthors,
    ownerId: q.ownerId,
    before: c ? { createdAt: String(c[0]), id: String(c[1]) } : null,
    limit: q.limit + 1,
  });
  const pageRows = toPage(
    q.scope,
    rows,
    q.limit,
    (r) => r,
    (r) => [new Date(r.created_at).toISOString(), String(r.id)],
  );
  return async (viewerId: string | null) => ({ items: await toVideoViews(ctx, viewerId, pageRows.items), nextCursor: pageRows.nextCursor });
}

/** Provided to the graph: the `videos` count on a profile, as the viewer may see it. */
export async function countProfileVideos(ctx: AppContext, authorId: string, viewerId: string | null) {
  const { kinds } = await visibleKinds(ctx, viewerId, authorId);
  return kinds.length ? repo.countVisibleByAuthor(ctx.db, authorId, kinds) : 0;
}

// ---- likes, saves, shares ----

export async function setLike(ctx: AppContext, userId: string, id: string, on: boolean) {
  const v = await loadVisibleVideo(ctx, userId, id);
  await inTransaction(ctx.db, async (tx) => {
    const changed = await repo.setFlag(tx, 'video_likes', id, userId, on);
    if (changed && on) await recordEvent(tx, { type: 'video.liked', videoId: id, authorId: String(v.author_id), likerId: userId });
  });
  return getVideo(ctx, userId, id);
}

export async function setSave(ctx: AppContext, userId: string, id: string, on: boolean) {
  await loadVisibleVideo(ctx, userId, id);
  await repo.setFlag(ctx.db, 'video_saves', id, userId, on);
  return getVideo(ctx, userId, id);
}

/** How many rows of likes or saves one request reads at most while looking for clips still visible. */
const FLAGGED_SCAN_ROUNDS = 3;

/**
 * The viewer's liked or saved clips, most recently liked (saved) first, keyset-paged: only the
 * clips they may still see (a clip made private, a block, a private account they no longer
 * follow all take it off the list; deleted clips take their likes with them). Rows they may not
 * see are skipped; when a whole stretch is hidden the page may be short, with a cursor to go on.
 */
export async function listFlaggedVideos(ctx: AppContext, viewerId: string, list: 'liked' | 'saved', page: { cursor?: string; limit: number }) {
  const table = list === 'liked' ? 'video_likes' : 'video_saves';
  const scope: CursorScope = { list: `me:${list}`, viewer: viewerId };
  const c = decodeCursor(scope, page.cursor, 2);
  const position = (r: { flagged_at: Date; id: string }) => [new Date(r.flagged_at).toISOString(), String(r.id)];
  let before = c ? { createdAt: String(c[0]), id: String(c[1]) } : null;
  const visible: Awaited<ReturnType<typeof repo.listFlagged>> = [];
  let scannedPast: string | null = null;
  for (let round = 0; round < FLAGGED_SCAN_ROUNDS && visible.length <= page.limit; round++) {
    const rows = await repo.listFlagged(ctx.db, table, viewerId, before, page.limit + 1);
    visible.push(...(await visibleToViewer(ctx, viewerId, rows)));
    const last = rows.at(-1);
    if (rows.length <= page.limit || !last) {
      scannedPast = null;
      break;
    }
    const [createdAt, id] = position(last);
    before = { createdAt: createdAt!, id: id! };
    scannedPast = encodeCursor(scope, [createdAt!, id!]);
  }
  const kept = toPage(scope, visible, page.limit, (r) => r, position);
  // Not enough visible clips within the scan: go on after the last row read.
  const nextCursor = kept.nextCursor ?? scannedPast;
  return { items: await toVideoViews(ctx, viewerId, kept.items), nextCursor };
}

/** Counts shares of a clip (the sharing module delivers the messages and calls this). */
export async function recordShares(ctx: AppContext, userId: string, id: string, n: number) {
  await loadVisibleVideo(ctx, userId, id);
  await repo.addShares(ctx.db, id, Math.max(1, n));
}

/** Adds `n` in-app shares to a clip's count inside the caller's transaction (the sharing module's one action). */
export async function countSharesIn(tx: Executor, id: string, n: number) {
  await repo.addShares(tx, id, n);
}

/**
 * For rows that point at clips (notifications): which of `ids` the viewer may still see, each
 * with its poster (null while there is none). A clip deleted or hidden since is absent.
 */
export async function visiblePosters(ctx: AppContext, viewerId: string, ids: readonly string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await visibleToViewer(ctx, viewerId, await repo.findVideos(ctx.db, [...new Set(ids)]));
  return new Map(rows.map((v) => [String(v.id), v.has_poster ? `${mediaBase(v)}/poster.jpg` : null]));
}

/** The ones among `viewerIds` who may see clip `videoId` (none when it is gone). */
export async function whoCanSeeVideo(ctx: AppContext, viewerIds: readonly string[], videoId: string): Promise<Set<string>> {
  const [v] = await repo.findVideos(ctx.db, [videoId]);
  return v ? viewersWhoCanView(ctx, viewerIds, v) : new Set();
}

/** Clip rows by id, for modules that check each with `canView` (share cards, the /v/:id page). */
export const findVideoRows = (ctx: AppContext, ids: readonly string[]) => repo.findVideos(ctx.db, ids);

// ---- comments ----

async function toCommentViews(ctx: AppContext, viewerId: string | null, rows: readonly repo.CommentRow[]): Promise<Comment[]> {
  const [authors, liked] = await Promise.all([
    getUserViews(ctx, [...new Set(rows.map((r) => String(r.author_id)))]),
    viewerId ? repo.likedComments(ctx.db, viewerId, rows.map((r) => String(r.id))) : Promise.resolve(new Set<string>()),
  ]);
  return rows.flatMap((c) => {
    const author = authors.get(String(c.author_id));
    if (!author) return [];
    return [
      {
        id: String(c.id),
        videoId: String(c.video_id),
        author,
        text: c.text,
        replyToId: c.parent_id ? String(c.parent_id) : null,
        likes: Number(c.likes_count),
        replies: Number(c.replies_count),
        viewer: { liked: liked.has(String(c.id)) },
        createdAt: new Date(c.created_at).toISOString(),
      },
    ];
  });
}

export async function listComments(ctx: AppContext, viewerId: string | null, videoId: string, q: { cursor?: string; limit: number; replyToId?: string }) {
  await loadVisibleVideo(ctx, viewerId, videoId);
  const scope = { list: `comments:${videoId}:${q.replyToId ?? ''}`, viewer: viewerId };
  const c = decodeCursor(scope, q.cursor, 2);
  const hidden = viewerId ? await graph.blockedEitherWayIds(ctx, viewerId) : [];
  const rows = await repo.listComments(ctx.db, {
    videoId,
    parentId: q.replyToId ?? null,
    after: c ? { createdAt: String(c[0]), id: String(c[1]) } : null,
    hiddenAuthors: hidden,
    limit: q.limit + 1,
  });
  const page = toPage(
    scope,
    rows,
    q.limit,
    (r) => r,
    (r) => [new Date(r.created_at).toISOString(), String(r.id)],
  );
  return { items: await toCommentViews(ctx, viewerId, page.items), nextCursor: page.nextCursor };
}

export async function addComment(ctx: AppContext, userId: string, videoId: string, body: { text: string; replyToId?: string }) {
  const v = await loadVisibleVideo(ctx, userId, videoId);
  if (!v.comments_enabled) throw new AppError('comments_disabled', 403, 'Comments are turned off for this video');
  let parentId: string | null = null;
  let parentAuthorId: string | null = null;
  if (body.replyToId) {
    const parent = await repo.findComment(ctx.db, body.replyToId);
    if (!parent || String(parent.video_id) !== videoId) throw new AppError('comment_not_found', 404, 'replyToId: no such comment', { field: 'replyToId' });
    // One level of replies: answering a reply answers its thread.
    parentId = parent.parent_id ? String(parent.parent_id) : String(parent.id);
    parentAuthorId = String(parent.author_id);
  }
  const mentionIds = await mentionedUserIds(ctx, body.text);
  const row = await inTransaction(ctx.db, async (tx) => {
    const c = await repo.insertComment(tx, { video_id: videoId, author_id: userId, parent_id: parentId, text: body.text });
    await recordEvent(tx, {
      type: 'comment.created',
      commentId: String(c.id),
      videoId,
      videoAuthorId: String(v.author_id),
      authorId: userId,
      parentAuthorId: parentAuthorId,
      mentionIds,
      excerpt: body.text.slice(0, 120),
    });
    return c;
  });
  const [comment] = await toCommentViews(ctx, userId, [row]);
  return { comment: comment! };
}

async function loadVisibleComment(ctx: AppContext, userId: string, videoId: string, commentId: string) {
  const v = await loadVisibleVideo(ctx, userId, videoId);
  const c = /^\d{1,19}$/.test(commentId) ? await repo.findComment(ctx.db, commentId) : undefined;
  if (!c || String(c.video_id) !== videoId) throw notFound('comment');
  if (String(c.author_id) !== userId && (await graph.isBlockedEitherWay(ctx, userId, String(c.author_id)))) throw notFound('comment');
  return { v, c };
}

/** The comment's author, or the video's author, may delete it (with its replies). */
export async function deleteComment(ctx: AppContext, userId: string, videoId: string, commentId: string) {
  const { v, c } = await loadVisibleComment(ctx, userId, videoId, commentId);
  if (String(c.author_id) !== userId && String(v.author_id) !== userId)
    throw new AppError('not_comment_author', 403, 'Only the comment author or the video author can delete this comment');
  await inTransaction(ctx.db, (tx) => repo.deleteComment(tx, c));
}

export async function setCommentLike(ctx: AppContext, userId: string, videoId: string, commentId: string, on: boolean) {
  await loadVisibleComment(ctx, userId, videoId, commentId);
  await repo.setCommentLike(ctx.db, commentId, userId, on);
  const row = await repo.findComment(ctx.db, commentId);
  const [comment] = await toCommentViews(ctx, userId, [row!]);
  return { comment: comment! };
}

// ---- events ----

interface PendingEvents {
  userId: string;
  events: EventsBody['events'];
}

const eventWriters = new WeakMap<AppContext, Batcher<PendingEvents, number[], { accepted: number }>>();
/** Most requests one write takes (each brings at most 100 events). */
const MAX_REQUESTS_PER_WRITE = 200;
/**
 * Writes in flight at once (of the pool's connections). Appends need no order among themselves
 * (the worker's fold copes with ids committing out of order, signals.service.ts), so a request
 * arriving during a write starts on a free writer rather than waiting that write out.
 */
const EVENT_WRITERS = 4;

/**
 * Appends a batch of playback events (`POST /events`). Cheap by design: requests that arrive
 * while every writer is busy go together in the next write (group commit, platform/batch; no
 * wait window: a lone request is written on the next turn of the event loop), and a
 * write is three statements however many requests it carries — one read of the clips, one
 * graph query for whether each person may see them (events about clips they may not see are
 * dropped silently: a client cannot learn anything from the answer), one insert into the
 * append-only log. Nothing here updates a clip's row: impressions, views (once per viewer per
 * day) and the per-clip signal counters are folded in from the log by the worker
 * (signals.repo `aggregateSignals`), so no request queues on a trending clip's row lock.
 * `npm run bench:feed` (part 3) measures it.
 */
export function recordEvents(ctx: AppContext, userId: string, body: EventsBody): Promise<{ accepted: number }> {
  let w = eventWriters.get(ctx);
  if (!w) {
    w = new Batcher<PendingEvents, number[], { accepted: number }>(
      (items) => writeEvents(ctx, items),
      async (accepted) => accepted.map((n) => ({ accepted: n })),
      MAX_REQUESTS_PER_WRITE,
      EVENT_WRITERS,
    );
    eventWriters.set(ctx, w);
  }
  return w.add({ userId, events: body.events });
}

/** One group-commit write: the requests' visible events, appended; returns how many each request had accepted. */
async function writeEvents(ctx: AppContext, items: PendingEvents[]): Promise<number[]> {
  const clips = new Map((await repo.findVideoAccess(ctx.db, [...new Set(items.flatMap((i) => i.events.map((e) => e.videoId)))])).map((v) => [v.id, v]));
  const pairs = new Map<string, [string, string]>();
  for (const i of items)
    for (const e of i.events) {
      const author = clips.get(e.videoId)?.author_id;
      if (author !== undefined && String(author) !== i.userId) pairs.set(`${i.userId}:${author}`, [i.userId, String(author)]);
    }
  const standing = await graph.blocksAndFriendshipAmong(ctx, [...pairs.values()]);
  const visible = (userId: string, v: Awaited<ReturnType<typeof repo.findVideoAccess>>[number]) => {
    if (String(v.author_id) === userId) return true;
    const s = standing.get(`${userId}:${v.author_id}`);
    const clip = { status: v.status, visibility: v.visibility, privateAccount: v.author_private };
    return s !== undefined && mayView(clip, { ...s, privateAccount: v.author_private });
  };
  const now = Date.now();
  const rows: repo.NewEvent[] = [];
  const dismissed: Array<{ userId: string; videoIds: string[] }> = [];
  const accepted = items.map((i) => {
    const events = i.events
      .filter((e) => {
        const v = clips.get(e.videoId);
        return v !== undefined && visible(i.userId, v);
      })
      .map((e) => {
        // Client clocks are not trusted beyond a day back and never into the future.
        const at = e.at ? Math.min(now, Math.max(now - 24 * 3600 * 1000, Date.parse(e.at))) : now;
        return { userId: i.userId, videoId: e.videoId, type: e.type, watchedMs: e.watchedMs ?? null, at: new Date(at) };
      });
    rows.push(...events);
    // "Not interested" works at once (the next page leaves the clip out): it is written here too.
    const no = [...new Set(events.filter((e) => e.type === 'not_interested').map((e) => e.videoId))];
    if (no.length) dismissed.push({ userId: i.userId, videoIds: no });
    return events.length;
  });
  if (!dismissed.length) await repo.insertEvents(ctx.db, rows);
  else
    await inTransaction(ctx.db, async (tx) => {
      await repo.insertEvents(tx, rows);
      for (const d of dismissed) await repo.markNotInterested(tx, d.userId, d.videoIds);
    });
  return accepted;
}
