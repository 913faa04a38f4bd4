import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError } from './errors.ts';
import { assertStorableText } from './text-guard.ts';

/**
 * Reads a multipart/form-data body part by part: `onFile` consumes each file part's stream as
 * it arrives, text fields are collected and checked like every other request string. Whatever
 * the parser finds wrong with the framing (no boundary, a body cut short, a malformed part
 * header), wherever it surfaces, is the sender's fault: 400 `malformed_multipart`, not a 500.
 */
export async function readMultipart(
  req: FastifyRequest,
  limits: { fileSize: number; files?: number },
  onFile: (part: MultipartFile) => Promise<void>,
): Promise<Record<string, string>> {
  if (!req.isMultipart()) throw new AppError('invalid_input', 400, 'body: send it as multipart/form-data', { field: 'body' });
  const fields: Record<string, string> = {};
  try {
    for await (const part of req.parts({ limits: { files: 1, ...limits } })) {
      if (part.type === 'file') await onFile(part);
      else fields[part.fieldname] = String(part.value);
    }
  } catch (err) {
    throw asClientError(err);
  }
  assertStorableText(fields, 'body');
  return fields;
}

/**
 * An upload form with one `file` part (clips, stories): the file is streamed to a fresh name in
 * `dir` (the staging area), never held in memory, and refused past `maxBytes` (413); the text
 * fields are checked against `schema`. On any refusal the partial file is removed, so a bad
 * request leaves nothing behind; on success the caller owns the file.
 */
export async function receiveFileUpload<T extends z.ZodType>(
  req: FastifyRequest,
  opts: { dir: string; prefix: string; maxBytes: number; schema: T },
): Promise<{ file: string; fields: z.infer<T> }> {
  await fs.mkdir(opts.dir, { recursive: true });
  const file = path.join(opts.dir, `${opts.prefix}-${randomBytes(12).toString('hex')}`);
  let gotFile = false;
  try {
    const fields = await readMultipart(req, { fileSize: opts.maxBytes }, async (part) => {
      if (part.fieldname !== 'file') throw new AppError('invalid_input', 400, `${part.fieldname}: unexpected file field`, { field: part.fieldname });
      await pipeline(part.file, createWriteStream(file));
      if (part.file.truncated) throw new AppError('file_too_large', 413, `file: must be at most ${opts.maxBytes} bytes`, { field: 'file' });
      gotFile = true;
    });
    if (!gotFile) throw new AppError('invalid_input', 400, 'file: is required', { field: 'file' });
    return { file, fields: parseInput(opts.schema, fields) };
  } catch (err) {
    await fs.rm(file, { force: true });
    throw err;
  }
}

/** A form's text fields or a body checked against a schema by hand (routes that take two content types): the first problem is a 400 naming its field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new AppError('invalid_input', 400, `${field}: ${issue.message}`, { field });
}

/**
 * The parser's errors are plain `Error`s. Loop's own refusals and the plugin's limits (which
 * carry a status, e.g. 413) keep theirs, and so do system errors (a full disk is ours: 500).
 */
function asClientError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; syscall?: unknown; message?: unknown };
  if (err instanceof AppError || typeof e?.statusCode === 'number' || typeof e?.syscall === 'string') return err;
  const reason = typeof e?.message === 'string' ? e.message : 'unreadable';
  return new AppError('malformed_multipart', 400, `body: is not well-formed multipart/form-data (${reason})`, { field: 'body' });
}
