import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unstorableText } from '@loop/contracts';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError, notFound } from '../../app/errors.ts';
import * as repo from './media.repo.ts';
import { assertUploadQuota, stagingDir } from './media.service.ts';

/**
 * Resumable uploads: the core of tus 1.0 (creation, HEAD, PATCH with Upload-Offset,
 * termination) at /api/v1/uploads. The bytes are staged under DATA_DIR/uploads/<id>;
 * the row keeps the owner and the confirmed offset. A finished upload becomes a video via
 * `POST /videos { uploadId }`. (Implemented here rather than with @tus/server so ownership,
 * quotas and limits use Loop's own auth and errors; it is ~150 lines.)
 */
const TUS_VERSION = '1.0.0';
const UPLOAD_TTL_MS = 24 * 3600 * 1000;
const ID = /^[A-Za-z0-9_-]{24}$/;

export const stagedUploadPath = (ctx: AppContext, id: string) => path.join(stagingDir(ctx), `tus-${id}`);

/** Uploads being written right now in this process: one PATCH at a time per upload. */
const busy = new Set<string>();

function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const pair of header.split(',').slice(0, 20)) {
    const [key, value] = pair.trim().split(' ');
    if (!key || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)) throw new AppError('invalid_input', 400, 'Upload-Metadata: is malformed', { field: 'Upload-Metadata' });
    const text = value ? Buffer.from(value, 'base64').toString('utf8').slice(0, 2200) : '';
    // Stored as jsonb, which refuses NUL (and a pair cut in two by the slice above).
    const problem = unstorableText(text);
    if (problem) throw new AppError('invalid_input', 400, `Upload-Metadata: ${key} ${problem}`, { field: 'Upload-Metadata' });
    out[key] = text;
  }
  return out;
}

/** An upload owned by `userId`, else 404 (another user's upload does not exist for you). */
export async function loadOwnUpload(ctx: AppContext, userId: string, id: string) {
  const u = ID.test(id) ? await repo.findUpload(ctx.db, id) : undefined;
  if (!u || String(u.user_id) !== userId) throw notFound('upload');
  return u;
}

/** Removes a finished or abandoned upload's row (its staged file is consumed or deleted by the caller). */
export async function forgetUpload(ctx: AppContext, id: string) {
  await repo.deleteUpload(ctx.db, id);
  await fs.rm(stagedUploadPath(ctx, id), { force: true });
}

function tusHeaders(reply: FastifyReply) {
  return reply.header('tus-resumable', TUS_VERSION).header('cache-control', 'no-store');
}

/** Counts bytes through and stops the stream beyond `max`. */
function capped(max: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new AppError('upload_too_large', 413, 'The body goes past Upload-Length'));
      else cb(null, chunk);
    },
  });
}

export function uploadRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    // PATCH bodies are streamed to disk, never buffered or size-limited by the JSON limit.
    app.addContentTypeParser('application/offset+octet-stream', (_req, payload, done) => done(null, payload));

    app.options('/uploads', { schema: { hide: true } }, async (_req, reply) =>
      tusHeaders(reply)
        .header('tus-version', TUS_VERSION)
        .header('tus-extension', 'creation,termination')
        .header('tus-max-size', String(ctx.config.media.maxBytes))
        .code(204)
        .send(),
    );

    app.post('/uploads', { schema: { tags: ['media'], description: 'tus 1.0 creation: `Upload-Length` (≤ the size limit), optional `Upload-Metadata`' } }, async (req, reply) => {
      const userId = requireUser(req);
      tusHeaders(reply);
      const lengthHeader = String(req.headers['upload-length'] ?? '');
      if (!/^\d{1,15}$/.test(lengthHeader)) throw new AppError('invalid_input', 400, 'Upload-Length: must be a byte count', { field: 'Upload-Length' });
      const length = Number(lengthHeader);
      if (length === 0) throw new AppError('not_a_video', 422, 'file: the file is empty', { field: 'file' });
      if (length > ctx.config.media.maxBytes)
        throw new AppError('file_too_large', 413, `Upload-Length: must be at most ${ctx.config.media.maxBytes} bytes`, { field: 'Upload-Length' });
      const metadata = parseMetadata(req.headers['upload-metadata'] as string | undefined);
      await assertUploadQuota(ctx, userId);
      const id = randomBytes(18).toString('base64url');
      await fs.mkdir(stagingDir(ctx), { recursive: true });
      await fs.writeFile(stagedUploadPath(ctx, id), Buffer.alloc(0));
      await repo.insertUpload(ctx.db, { id, user_id: userId, length, metadata, expires_at: new Date(Date.now() + UPLOAD_TTL_MS) });
      return reply.header('location', `/api/v1/uploads/${id}`).code(201).send();
    });

    app.head<{ Params: { id: string } }>('/uploads/:id', { schema: { hide: true } }, async (req, reply) => {
      const u = await loadOwnUpload(ctx, requireUser(req), req.params.id);
      return tusHeaders(reply).header('upload-offset', String(u.upload_offset)).header('upload-length', String(u.length)).code(200).send();
    });

    app.patch<{ Params: { id: string } }>('/uploads/:id', { schema: { hide: true } }, async (req, reply) => {
      const userId = requireUser(req);
      tusHeaders(reply);
      if (req.headers['content-type'] !== 'application/offset+octet-stream')
        throw new AppError('unsupported_media_type', 415, 'Content-Type: must be application/offset+octet-stream', { field: 'Content-Type' });
      const u = await loadOwnUpload(ctx, userId, req.params.id);
      const offsetHeader = String(req.headers['upload-offset'] ?? '');
      if (!/^\d{1,15}$/.test(offsetHeader)) throw new AppError('invalid_input', 400, 'Upload-Offset: must be a byte count', { field: 'Upload-Offset' });
      if (Number(offsetHeader) !== Number(u.upload_offset))
        throw new AppError('offset_mismatch', 409, `Upload-Offset: the upload is at ${u.upload_offset}`, { field: 'Upload-Offset' });
      if (busy.has(u.id)) throw new AppError('upload_busy', 409, 'Another request is writing this upload');
      busy.add(u.id);
      const file = stagedUploadPath(ctx, u.id);
      try {
        const remaining = Number(u.length) - Number(u.upload_offset);
        try {
          await pipeline(req.body as Readable, capped(remaining), createWriteStream(file, { flags: 'r+', start: Number(u.upload_offset) }));
        } catch (err) {
          // Keep what arrived (that is the point of resuming), but never past the length.
          if (err instanceof AppError) throw err;
        } finally {
          const { size } = await fs.stat(file);
          const offset = Math.min(size, Number(u.length));
          if (size > offset) await fs.truncate(file, offset);
          await repo.setUploadOffset(ctx.db, u.id, offset);
          reply.header('upload-offset', String(offset));
        }
      } finally {
        busy.delete(u.id);
      }
      return reply.code(204).send();
    });

    app.delete<{ Params: { id: string } }>('/uploads/:id', { schema: { hide: true } }, async (req, reply) => {
      const u = await loadOwnUpload(ctx, requireUser(req), req.params.id);
      await forgetUpload(ctx, u.id);
      return tusHeaders(reply).code(204).send();
    });
  };
}
