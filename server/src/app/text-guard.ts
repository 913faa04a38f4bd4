import { unstorableText } from '@loop/contracts';
import { Stream } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.ts';

/**
 * The first string (object keys included) inside `value` that cannot be stored, with where it
 * is: `field` is the dotted path from the root (`events.0.videoId`), or `root` for the value
 * itself. The walk uses its own stack: a 256 KiB body can nest arrays 100,000 deep.
 */
export function findUnstorableText(value: unknown, root: string): { field: string; problem: string } | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = unstorableText(v);
      if (problem) return { field: at || root, problem };
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], at ? `${at}.${i}` : String(i)]);
    } else if (isPlainObject(v)) {
      for (const [k, child] of Object.entries(v)) {
        const field = at ? `${at}.${k}` : k;
        const keyProblem = unstorableText(k);
        if (keyProblem) return { field: at || root, problem: `has a field name that ${keyProblem}` };
        stack.push([child, field]);
      }
    }
  }
  return null;
}

/**
 * Parsed JSON bodies, query strings (objects without Object.prototype) and route params are
 * walked; a streamed body (tus PATCH) or a buffer is bytes, not text, and is not.
 */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !(v instanceof Stream) && !ArrayBuffer.isView(v);
}

/** Throws the 400 for the first unstorable string in `value` (a request part: `params`, `querystring`, `body`, a form). */
export function assertStorableText(value: unknown, root: string) {
  const bad = findUnstorableText(value, root);
  if (bad) throw new AppError('invalid_input', 400, `${bad.field}: ${bad.problem}`, { field: bad.field });
}

/**
 * One rule for every route, present and future: a NUL or a lone surrogate in a decoded path
 * parameter, a query value or a JSON body string is a 400 naming the field, before any route
 * schema or handler sees it (PostgreSQL refuses NUL in text with an error, and would store a
 * lone surrogate as U+FFFD). Multipart fields go through the same check in `readMultipart`.
 */
export function registerTextGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    assertStorableText(req.params, 'params');
    assertStorableText(req.query, 'querystring');
    assertStorableText(req.body, 'body');
  });
}
