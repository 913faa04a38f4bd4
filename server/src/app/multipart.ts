import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
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
 * The parser's errors are plain `Error`s. Loop's own refusals and the plugin's limits (which
 * carry a status, e.g. 413) keep theirs, and so do system errors (a full disk is ours: 500).
 */
function asClientError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; syscall?: unknown; message?: unknown };
  if (err instanceof AppError || typeof e?.statusCode === 'number' || typeof e?.syscall === 'string') return err;
  const reason = typeof e?.message === 'string' ? e.message : 'unreadable';
  return new AppError('malformed_multipart', 400, `body: is not well-formed multipart/form-data (${reason})`, { field: 'body' });
}
