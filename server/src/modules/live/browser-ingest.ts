import { PassThrough } from 'node:stream';
import { Id } from '@loop/contracts';
import type { FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { refuseCrossSiteUpgrade } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import type { RoutesFactory } from '../../app/wiring.ts';
import { startHlsPackager } from './live-ingest.ts';
import * as repo from './live.repo.ts';

/**
 * Going live from the browser (docs/live-web.md): `GET /api/v1/lives/:id/ingest` is a WebSocket
 * on which the host's tab sends the WebM chunks MediaRecorder cuts (about every 300 ms, binary
 * messages, in order). They are piped to the live's HLS packager (ffmpeg reading stdin, which
 * transcodes to H.264/AAC with 1 s segments). Only the live's host, signed in, from this site,
 * may open it, once, while the live has not ended; closing the socket ends the input, and so the
 * live. Limits keep one connection from holding the server: a message is at most 64 KiB (the
 * app's WebSocket limit, WS_MAX_PAYLOAD: the tab sends bigger chunks in pieces), the stream at most INGEST_MAX_BYTES_PER_SEC on average over
 * INGEST_RATE_WINDOW_MS, and what ffmpeg has not read yet at most INGEST_MAX_PENDING_BYTES.
 */

/** 8 Mbit/s: far above what the browser is asked for (1.5 Mbit/s video + 64 kbit/s audio). */
export const INGEST_MAX_BYTES_PER_SEC = 1024 * 1024;
const INGEST_RATE_WINDOW_MS = 10_000;
/** ffmpeg fell this far behind (the machine cannot transcode in real time): the stream is given up, not queued in memory. */
export const INGEST_MAX_PENDING_BYTES = 16 * 1024 * 1024;

/** WebSocket close codes the host's tab reads (broadcast.ts shows the reason). */
const CLOSE_NORMAL = 1000;
const CLOSE_UNSUPPORTED = 1003;
const CLOSE_TRY_LATER = 1013;
const CLOSE_POLICY = 1008;

const Params = z.object({ id: Id });

export const browserIngestRoutes: RoutesFactory = (ctx) => async (app) => {
  app.get(
    '/lives/:id/ingest',
    {
      websocket: true,
      schema: { hide: true },
      preValidation: async (req: FastifyRequest) => {
        // Only this site's pages may stream (cookies ride along on cross-site upgrades).
        refuseCrossSiteUpgrade(ctx, req);
        if (!req.auth) throw new AppError('unauthorized', 401, 'Sign in to continue');
        const params = Params.safeParse(req.params);
        // Another person's live is "not found", like any object of theirs.
        const live = params.success ? await repo.findLive(ctx.db, params.data.id) : undefined;
        if (!live || live.host_id !== req.auth.userId) throw new AppError('not_found', 404, 'No such live');
        if (live.status === 'ended') throw new AppError('live_ended', 409, 'This live has ended');
      },
    },
    (socket, req) => void accept(ctx, socket, (req.params as { id: string }).id, req.auth!.userId),
  );
};

async function accept(ctx: AppContext, socket: WebSocket, liveId: string, userId: string) {
  const live = await repo.findLive(ctx.db, liveId);
  if (!live || live.host_id !== userId || live.status === 'ended') {
    socket.close(CLOSE_POLICY, 'This live has ended');
    return;
  }
  const input = new PassThrough({ highWaterMark: 1024 * 1024 });
  let packager: ReturnType<typeof startHlsPackager>;
  try {
    packager = startHlsPackager(ctx, { id: live.id, hostId: live.host_id, title: live.title }, { kind: 'stream', stream: input, format: 'webm' });
  } catch {
    // Already streaming (another tab, or OBS over RTMP) on this node.
    socket.close(CLOSE_TRY_LATER, 'This live is already receiving a stream');
    return;
  }
  ctx.log.info({ liveId }, 'browser ingest connected');
  let windowStart = Date.now();
  let windowBytes = 0;
  const giveUp = (code: number, reason: string) => {
    if (socket.readyState === socket.OPEN) socket.close(code, reason);
    input.end();
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary) return giveUp(CLOSE_UNSUPPORTED, 'Send the recording as binary messages');
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const now = Date.now();
    if (now - windowStart > INGEST_RATE_WINDOW_MS) {
      windowStart = now;
      windowBytes = 0;
    }
    windowBytes += chunk.length;
    if (windowBytes > (INGEST_MAX_BYTES_PER_SEC * INGEST_RATE_WINDOW_MS) / 1000) return giveUp(CLOSE_POLICY, 'The stream is above the allowed bitrate');
    if (input.writableLength > INGEST_MAX_PENDING_BYTES) return giveUp(CLOSE_TRY_LATER, 'The server could not keep up with the stream');
    input.write(chunk);
  });
  // The tab closed, the network dropped, or the host pressed End: the input ends, ffmpeg finishes, the live ends.
  socket.on('close', () => input.end());
  socket.on('error', () => input.end());
  void packager.done.then(() => {
    if (socket.readyState === socket.OPEN) socket.close(CLOSE_NORMAL, 'The live has ended');
  });
}
