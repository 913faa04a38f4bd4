import { Problem } from '@loop/contracts';
import type { z } from 'zod';

/**
 * The one way the web app talks to the server: same-origin fetch with the httpOnly session
 * cookie, JSON in and out, problem+json turned into ApiError. Answers can be checked against
 * their contract schema so a drifting server fails loudly here rather than deep in a screen.
 */

/** A failed call: the HTTP status (0 when the network failed), the server's stable code and field errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** field → message, from problem+json `errors` (e.g. `{ username: 'is already taken' }`). */
    readonly fields: Record<string, string> = {},
    readonly retryAfterSec: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNetwork() {
    return this.status === 0;
  }
}

export interface RequestOptions<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON with `content-type: application/json`. */
  json?: unknown;
  /** Sent as multipart/form-data (the browser sets the boundary). */
  form?: FormData;
  query?: Record<string, string | number | undefined | null>;
  /** Validates (and strips) the answer. */
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
  /** Extra request headers (an `idempotency-key`). */
  headers?: Record<string, string>;
}

const BASE = '/api/v1';

function url(path: string, query?: RequestOptions<unknown>['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return `${BASE}${path}${qs ? `?${qs}` : ''}`;
}

async function toApiError(res: Response): Promise<ApiError> {
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterSec = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's HTML error page): fall through to a generic message.
  }
  const parsed = Problem.safeParse(body);
  if (!parsed.success) return new ApiError(res.status, `http_${res.status}`, messageForStatus(res.status), {}, retryAfterSec);
  const p = parsed.data;
  const fields: Record<string, string> = {};
  for (const e of p.errors ?? []) if (!(e.field in fields)) fields[e.field] = e.message;
  return new ApiError(p.status, p.code, p.detail, fields, retryAfterSec);
}

function messageForStatus(status: number): string {
  if (status === 413) return 'That file is too large.';
  if (status === 429) return 'Too many tries. Wait a moment and try again.';
  if (status >= 500) return 'Loop is having trouble right now. Try again in a moment.';
  return 'The request failed.';
}

/** Calls `/api/v1{path}`; resolves with the (validated) answer, or `undefined` for 204. */
export async function api<T = unknown>(path: string, opts: RequestOptions<T> = {}): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = opts.form;
  }
  let res: Response;
  try {
    res = await fetch(url(path, opts.query), {
      method: opts.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'Can’t reach Loop. Check your connection and try again.');
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json();
  return opts.schema ? opts.schema.parse(data) : (data as T);
}

/** A sentence for a person, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 429 && err.retryAfterSec) return `Too many tries. Try again in ${err.retryAfterSec} s.`;
    if (err.status === 0) return err.message;
    // Server trouble reads the same whatever its internal detail was.
    if (err.status >= 500) return messageForStatus(err.status);
    return /[.!?]$/.test(err.message) ? err.message : `${err.message}.`;
  }
  return 'Something unexpected happened. Try again.';
}
