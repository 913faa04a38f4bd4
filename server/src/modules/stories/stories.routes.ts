import fs from 'node:fs/promises';
import {
  CreateStoryFromVideoBody,
  Id,
  Message,
  PageQuery,
  StoryFields,
  StoryReplyBody,
  StoryResult,
  StoryTray,
  StoryViewer,
  Story,
  User,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import { parseInput, receiveFileUpload } from '../../app/multipart.ts';
import { safeEqual } from '../../platform/crypto/safe-equal.ts';
import * as media from '../media/index.ts';
import { replyToStory } from './story-replies.ts';
import * as stories from './stories.service.ts';
import { storyTray } from './stories-tray.ts';

const tags = ['stories'];
const IdParams = z.object({ id: Id });
const UserParams = z.object({ userId: Id });

/** The most a story upload may carry: a clip within media's limit, or a picture. */
const maxUpload = (ctx: AppContext) => Math.max(ctx.config.media.maxBytes, stories.STORY_IMAGE_MAX_BYTES);

/** The upload streamed to media's staging area (size-capped), with its text fields; an empty file is refused. */
async function receiveStoryUpload(ctx: AppContext, req: FastifyRequest) {
  const upload = await receiveFileUpload(req, { dir: media.stagingDir(ctx), prefix: 'story', maxBytes: maxUpload(ctx), schema: StoryFields });
  const { size } = await fs.stat(upload.file);
  if (size === 0) {
    await fs.rm(upload.file, { force: true });
    throw new AppError('not_a_video', 422, 'file: the file is empty', { field: 'file' });
  }
  return upload;
}

const VIDEO_FILE = /^(master\.m3u8|poster\.jpg|(240p|480p|720p|1080p|source)\/(index\.m3u8|seg_\d{3,5}\.ts))$/;
const TYPES: Record<string, string> = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t', jpg: 'image/jpeg', webp: 'image/webp' };

/** Stories, their viewers and replies, close friends, the archive (API.md "Stories"; docs/stories.md). */
export function storiesRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/stories',
      {
        schema: {
          tags,
          consumes: ['multipart/form-data', 'application/json'],
          description:
            'multipart: `file` (a picture: JPEG/PNG/WebP/GIF/AVIF/HEIF, re-encoded without metadata → 201; or a clip ≤ 60 s through the media pipeline → 202) plus `audience?`, `caption?`; or JSON `{ videoId, audience?, caption? }` for one of your own clips → 201',
          response: { 201: StoryResult, 202: StoryResult },
        },
      },
      async (req, reply) => {
        const userId = requireUser(req);
        if (req.isMultipart()) {
          const declared = Number(req.headers['content-length'] ?? 0);
          if (declared > maxUpload(ctx) + 64 * 1024) throw new AppError('file_too_large', 413, `file: must be at most ${maxUpload(ctx)} bytes`, { field: 'file' });
          const { file, fields } = await receiveStoryUpload(ctx, req);
          const { story, status } = await stories.createStoryFromFile(ctx, userId, file, fields);
          return reply.code(status).send({ story });
        }
        const body = parseInput(CreateStoryFromVideoBody, req.body);
        return reply.code(201).send(await stories.createStoryFromVideo(ctx, userId, body));
      },
    );

    app.get('/stories/feed', { schema: { tags, description: 'The tray: people with live stories you may see, unseen first, then by closeness', response: { 200: StoryTray } } }, async (req) =>
      storyTray(ctx, requireUser(req)),
    );

    app.get('/users/:userId/stories', { schema: { tags, params: UserParams, response: { 200: page(Story) } } }, async (req) =>
      stories.listUserStories(ctx, req.auth?.userId ?? null, req.params.userId),
    );

    app.get('/stories/:id', { schema: { tags, params: IdParams, response: { 200: StoryResult } } }, async (req) => stories.getStory(ctx, req.auth?.userId ?? null, req.params.id));

    app.delete('/stories/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
      await stories.deleteStory(ctx, requireUser(req), req.params.id);
      return reply.code(204).send();
    });

    app.post('/stories/:id/views', { schema: { tags, params: IdParams, description: 'Marks the story seen (once per person)' } }, async (req, reply) => {
      await stories.recordView(ctx, requireUser(req), req.params.id);
      return reply.code(204).send();
    });

    app.get(
      '/stories/:id/viewers',
      { schema: { tags, params: IdParams, querystring: PageQuery, description: 'The author only', response: { 200: page(StoryViewer) } } },
      async (req) => stories.listViewers(ctx, requireUser(req), req.params.id, req.query),
    );

    app.post('/stories/:id/replies', { schema: { tags, params: IdParams, body: StoryReplyBody, response: { 201: z.object({ message: Message }) } } }, async (req, reply) =>
      reply.code(201).send(await replyToStory(ctx, requireUser(req), req.params.id, req.body)),
    );

    app.get('/me/stories/archive', { schema: { tags, querystring: PageQuery, description: 'Your expired stories, newest first', response: { 200: page(Story) } } }, async (req) =>
      stories.listArchive(ctx, requireUser(req), req.query),
    );

    app.get('/me/close-friends', { schema: { tags, querystring: PageQuery, response: { 200: page(User) } } }, async (req) =>
      stories.listCloseFriends(ctx, requireUser(req), req.query),
    );
    app.put('/me/close-friends/:userId', { schema: { tags, params: UserParams } }, async (req, reply) => {
      await stories.addCloseFriend(ctx, requireUser(req), req.params.userId);
      return reply.code(204).send();
    });
    app.delete('/me/close-friends/:userId', { schema: { tags, params: UserParams } }, async (req, reply) => {
      await stories.removeCloseFriend(ctx, requireUser(req), req.params.userId);
      return reply.code(204).send();
    });

    // ---- media ----
    // Every file is checked against the story now: the caller must be allowed to see it (after
    // expiry only its author) and the story's current token must match, so URLs handed out while
    // it lived stop working when it expires. "No" is the same 404 as "no such file".
    base.get<{ Params: { id: string; token: string; '*': string } }>('/stories/:id/media/:token/*', { schema: { hide: true } }, async (req, reply) => {
      const { id, token } = req.params;
      const file = req.params['*'];
      if (!/^\d{1,19}$/.test(id) || !/^[A-Za-z0-9_-]{22}$/.test(token)) throw notFound('media');
      const found = await stories.loadVisibleStory(ctx, req.auth?.userId ?? null, id).catch(() => null);
      if (!found || !safeEqual(found.row.media_token, token)) throw notFound('media');
      let key: string;
      if (found.row.media_type === 'image') {
        if (file !== 'image.webp' || !found.row.image_key) throw notFound('media');
        key = found.row.image_key;
      } else {
        if (!VIDEO_FILE.test(file) || !found.video) throw notFound('media');
        key = `${media.publishedPrefix(found.video)}/${file}`;
      }
      const size = await ctx.storage.size(key);
      if (size === null) throw notFound('media');
      reply
        .type(TYPES[file.split('.').pop()!]!)
        .header('accept-ranges', 'bytes')
        .header('x-content-type-options', 'nosniff')
        // Who may see it changes (blocks, expiry): never kept by shared caches.
        .header('cache-control', 'private, no-store');
      const range = media.parseRange(req.headers.range, size);
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
