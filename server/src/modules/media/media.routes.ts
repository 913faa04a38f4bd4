import {
  Comment,
  CommentsQuery,
  CreateCommentBody,
  CreateVideoBody,
  EventsBody,
  Id,
  PageQuery,
  UpdateVideoBody,
  Video,
  VideoFields,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import { parseInput, receiveFileUpload } from '../../app/multipart.ts';
import { safeEqual } from '../../platform/crypto/safe-equal.ts';
import * as media from './media.service.ts';
import { forgetUpload, loadOwnUpload, stagedUploadPath, uploadRoutes } from './uploads.ts';

const tags = ['media'];
const VideoParams = z.object({ id: Id });
const CommentParams = z.object({ id: Id, commentId: Id });
const VideoResult = z.object({ video: Video });
const CommentResult = z.object({ comment: Comment });

/** Videos, comments, likes, saves, events, profile grids and tus uploads (API.md "Videos and feeds"). */
export function mediaRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    await base.register(uploadRoutes(ctx));
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/videos',
      {
        schema: {
          tags,
          consumes: ['multipart/form-data', 'application/json'],
          description:
            'multipart: `file` (MP4/MOV/WebM/MKV ≤ the size limit) plus `caption?`, `visibility?`, `commentsEnabled?`; or JSON `{ uploadId, … }` after a tus upload',
          response: { 202: VideoResult },
        },
      },
      async (req, reply) => {
        const userId = requireUser(req);
        if (req.isMultipart()) {
          const declared = Number(req.headers['content-length'] ?? 0);
          // Refuse an oversized body before reading it (multipart framing adds a little).
          if (declared > ctx.config.media.maxBytes + 64 * 1024)
            throw new AppError('file_too_large', 413, `file: must be at most ${ctx.config.media.maxBytes} bytes`, { field: 'file' });
          await media.assertUploadQuota(ctx, userId);
          const { file, fields } = await receiveFileUpload(req, { dir: media.stagingDir(ctx), prefix: 'form', maxBytes: ctx.config.media.maxBytes, schema: VideoFields });
          return reply.code(202).send(await media.createVideoFromFile(ctx, userId, file, fields));
        }
        const body = parseInput(CreateVideoBody, req.body);
        const upload = await loadOwnUpload(ctx, userId, body.uploadId);
        if (Number(upload.upload_offset) !== Number(upload.length))
          throw new AppError('upload_incomplete', 409, `uploadId: the upload has ${upload.upload_offset} of ${upload.length} bytes`, { field: 'uploadId' });
        const staged = stagedUploadPath(ctx, upload.id);
        try {
          return reply.code(202).send(await media.createVideoFromFile(ctx, userId, staged, body));
        } finally {
          await forgetUpload(ctx, upload.id);
        }
      },
    );

    app.get('/videos/:id', { schema: { tags, params: VideoParams, response: { 200: VideoResult } } }, async (req) =>
      media.getVideo(ctx, req.auth?.userId ?? null, req.params.id),
    );

    app.patch('/videos/:id', { schema: { tags, params: VideoParams, body: UpdateVideoBody, response: { 200: VideoResult } } }, async (req) =>
      media.updateVideo(ctx, requireUser(req), req.params.id, req.body),
    );

    app.delete('/videos/:id', { schema: { tags, params: VideoParams } }, async (req, reply) => {
      await media.deleteVideo(ctx, requireUser(req), req.params.id);
      return reply.code(204).send();
    });

    for (const [name, set] of [
      ['like', media.setLike],
      ['save', media.setSave],
    ] as const) {
      app.put(`/videos/:id/${name}`, { schema: { tags, params: VideoParams, response: { 200: VideoResult } } }, async (req) =>
        set(ctx, requireUser(req), req.params.id, true),
      );
      app.delete(`/videos/:id/${name}`, { schema: { tags, params: VideoParams, response: { 200: VideoResult } } }, async (req) =>
        set(ctx, requireUser(req), req.params.id, false),
      );
    }

    app.get('/videos/:id/comments', { schema: { tags, params: VideoParams, querystring: CommentsQuery, response: { 200: page(Comment) } } }, async (req) =>
      media.listComments(ctx, req.auth?.userId ?? null, req.params.id, req.query),
    );
    app.post('/videos/:id/comments', { schema: { tags, params: VideoParams, body: CreateCommentBody, response: { 201: CommentResult } } }, async (req, reply) =>
      reply.code(201).send(await media.addComment(ctx, requireUser(req), req.params.id, req.body)),
    );
    app.delete('/videos/:id/comments/:commentId', { schema: { tags, params: CommentParams } }, async (req, reply) => {
      await media.deleteComment(ctx, requireUser(req), req.params.id, req.params.commentId);
      return reply.code(204).send();
    });
    app.put('/videos/:id/comments/:commentId/like', { schema: { tags, params: CommentParams, response: { 200: CommentResult } } }, async (req) =>
      media.setCommentLike(ctx, requireUser(req), req.params.id, req.params.commentId, true),
    );
    app.delete('/videos/:id/comments/:commentId/like', { schema: { tags, params: CommentParams, response: { 200: CommentResult } } }, async (req) =>
      media.setCommentLike(ctx, requireUser(req), req.params.id, req.params.commentId, false),
    );

    app.post('/events', { schema: { tags, body: EventsBody, response: { 202: z.object({ accepted: z.number().int() }) } } }, async (req, reply) =>
      reply.code(202).send(await media.recordEvents(ctx, requireUser(req), req.body)),
    );

    for (const list of ['liked', 'saved'] as const) {
      app.get(
        `/me/${list}`,
        {
          schema: {
            tags,
            description: `The caller's ${list} clips, most recent first, only those they may still see (keyset-paged)`,
            querystring: PageQuery,
            response: { 200: page(Video) },
          },
        },
        async (req) => media.listFlaggedVideos(ctx, requireUser(req), list, req.query),
      );
    }

    app.get('/users/:id/videos', { schema: { tags, params: z.object({ id: Id }), querystring: PageQuery, response: { 200: page(Video) } } }, async (req) =>
      media.listUserVideos(ctx, req.auth?.userId ?? null, req.params.id, req.query),
    );

    // ---- media files ----
    // Every request is checked against the video: the random per-video token must match
    // (so paths cannot be guessed), and for non-public clips the requester must be allowed
    // to see the video right now. The answer for "no" is the same 404 as for "no such file".
    const FILE = /^(master\.m3u8|poster\.jpg|(240p|480p|720p|1080p|source)\/(index\.m3u8|seg_\d{3,5}\.ts))$/;
    const TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', jpg: 'image/jpeg' };
    base.get<{ Params: { id: string; token: string; '*': string } }>('/media/videos/:id/:token/*', { schema: { hide: true } }, async (req, reply) => {
      const { id, token } = req.params;
      const file = req.params['*'];
      if (!/^\d{1,19}$/.test(id) || !/^[A-Za-z0-9_-]{22}$/.test(token) || !FILE.test(file)) throw notFound('media');
      const v = await media.loadVisibleVideo(ctx, req.auth?.userId ?? null, id).catch(() => null);
      if (!v || !safeEqual(v.media_token, token)) throw notFound('media');
      const key = `${media.publishedPrefix(v)}/${file}`;
      const size = await ctx.storage.size(key);
      if (size === null) throw notFound('media');
      // Shared caches may keep only what anyone may see (not a private account's public clips).
      const isPublic = media.openToEveryone(v);
      const playlist = file.endsWith('.m3u8');
      reply
        .type(TYPES[file.split('.').pop()!]!)
        .header('accept-ranges', 'bytes')
        .header('x-content-type-options', 'nosniff')
        // Segments never change; the master playlist grows while renditions finish.
        .header(
          'cache-control',
          isPublic ? (file === 'master.m3u8' && v.progress < 100 ? 'public, max-age=2' : `public, max-age=${playlist ? 3600 : 31536000}`) : 'private, no-store',
        );
      const range = parseRange(req.headers.range, size);
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
      const object = await ctx.storage.get(key, range ?? undefined);
      if (!object) throw notFound('media');
      if (range)
        return reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(object.body);
      return reply.header('content-length', size).send(object.body);
    });
  };
}

/** One `bytes=` range (the only kind players send); null means "the whole file". */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (!m[1] && !m[2])) return null;
  let start: number;
  let end: number;
  if (!m[1]) {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
