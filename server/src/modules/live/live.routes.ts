import fs from 'node:fs';
import path from 'node:path';
import { BanBody, CreateLiveBody, CreateLiveResult, Id, Live, LiveResult, PatchLiveBody, PageQuery, page } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { notFound } from '../../app/errors.ts';
import { stopLiveRooms } from './live-rooms.ts';
import { hlsDirOf, startRtmpIngest, stopAllPackagers } from './live-ingest.ts';
import { loadVisibleLive } from './live.policy.ts';
import * as lives from './live.service.ts';

const tags = ['live'];
const IdParams = z.object({ id: Id });
const UserParams = z.object({ id: Id, userId: Id });
const MessageParams = z.object({ id: Id, messageId: Id });
/** The packager's files: the playlist and its numbered segments, nothing else. */
const HlsParams = z.object({ id: Id, file: z.string().regex(/^(index\.m3u8|seg\d{1,6}\.ts)$/, 'must be index.m3u8 or a segment name') });
const ok = z.object({ ok: z.literal(true) });

/** How long a viewer's right to a live's segments is remembered (segments come every second). */
const HLS_ACCESS_TTL_MS = 10_000;

/**
 * Lives (API.md "Live streams and chats inside them"). The plugin also runs this node's RTMP
 * ingest (when RTMP_PORT is set) and stops it, and the rooms' timers, when the server closes.
 */
export function liveRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const ingest = await startRtmpIngest(ctx);
    base.addHook('onClose', async () => {
      await ingest?.close();
      await stopAllPackagers(ctx);
      stopLiveRooms(ctx);
    });

    app.post('/lives', { schema: { tags, body: CreateLiveBody, response: { 201: CreateLiveResult } } }, async (req, reply) =>
      reply.code(201).send(await lives.createLive(ctx, requireUser(req), req.body)),
    );
    app.get('/lives/:id', { schema: { tags, params: IdParams, response: { 200: LiveResult } } }, async (req) => lives.getLive(ctx, req.auth?.userId ?? null, req.params.id));
    app.patch('/lives/:id', { schema: { tags, params: IdParams, body: PatchLiveBody, response: { 200: LiveResult } } }, async (req) =>
      lives.updateLive(ctx, requireUser(req), req.params.id, req.body),
    );
    app.post('/lives/:id/end', { schema: { tags, params: IdParams, response: { 200: LiveResult } } }, async (req) => lives.endLiveByHost(ctx, requireUser(req), req.params.id));
    app.get('/feed/live', { schema: { tags, querystring: PageQuery, response: { 200: page(Live) } } }, async (req) => lives.liveFeed(ctx, req.auth?.userId ?? null, req.query.limit));

    app.put('/lives/:id/moderators/:userId', { schema: { tags, params: UserParams, response: { 200: ok } } }, async (req) => {
      await lives.setModerator(ctx, requireUser(req), req.params.id, req.params.userId, true);
      return { ok: true as const };
    });
    app.delete('/lives/:id/moderators/:userId', { schema: { tags, params: UserParams, response: { 200: ok } } }, async (req) => {
      await lives.setModerator(ctx, requireUser(req), req.params.id, req.params.userId, false);
      return { ok: true as const };
    });
    app.put('/lives/:id/bans/:userId', { schema: { tags, params: UserParams, body: BanBody.optional(), response: { 200: ok } } }, async (req) => {
      await lives.banFromLive(ctx, requireUser(req), req.params.id, req.params.userId, req.body?.durationSec);
      return { ok: true as const };
    });
    app.delete('/lives/:id/bans/:userId', { schema: { tags, params: UserParams, response: { 200: ok } } }, async (req) => {
      await lives.unbanFromLive(ctx, requireUser(req), req.params.id, req.params.userId);
      return { ok: true as const };
    });
    app.delete('/lives/:id/chat/:messageId', { schema: { tags, params: MessageParams, response: { 200: ok } } }, async (req) => {
      await lives.deleteChatMessage(ctx, requireUser(req), req.params.id, req.params.messageId);
      return { ok: true as const };
    });

    // HLS of a live on this node's ingest, for those who may see the live (cookie or bearer, like every API call).
    const access = new Map<string, number>();
    app.get('/lives/:id/hls/:file', { schema: { tags, params: HlsParams, hide: true } }, async (req, reply) => {
      const viewer = req.auth?.userId ?? null;
      const key = `${viewer ?? '-'}:${req.params.id}`;
      const now = Date.now();
      if ((access.get(key) ?? 0) < now) {
        await loadVisibleLive(ctx, viewer, req.params.id);
        if (access.size > 50_000) access.clear();
        access.set(key, now + HLS_ACCESS_TTL_MS);
      }
      const file = path.join(hlsDirOf(ctx, req.params.id), req.params.file);
      const stream = await fs.promises
        .open(file, 'r')
        .then((h) => h.createReadStream())
        .catch(() => null);
      if (!stream) throw notFound('live_segment');
      const playlist = req.params.file.endsWith('.m3u8');
      return reply
        .type(playlist ? 'application/vnd.apple.mpegurl' : 'video/mp2t')
        .header('cache-control', playlist ? 'no-cache' : 'private, max-age=60')
        .send(stream);
    });
  };
}
