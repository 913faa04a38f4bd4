import { createHmac } from 'node:crypto';
import { safeEqual } from '../crypto/safe-equal.ts';
import { AppError } from '../../app/errors.ts';

/**
 * Opaque keyset cursors: the position of the last item (for example its sort key and id),
 * base64url-encoded JSON. Never OFFSET: keyset paging stays fast and stable under inserts.
 *
 * Cursors are signed with the app secret over the list they came from and the person they
 * were given to (the scope), so a cursor this server did not give out, or gave out for another
 * list (message history's on the followers list) or to another person, is refused with a 400
 * here, for every list, instead of reaching a query as a malformed timestamp or id.
 */
let signingKey = 'loop-cursors-unconfigured';

/** Called once at start-up with APP_SECRET (every node of a deployment shares it, so cursors work on any node). */
export function setCursorSecret(secret: string) {
  signingKey = `cursor:${secret}`;
}

/**
 * Where a cursor is valid: `list` names the list and its subject (`followers:42`,
 * `messages:7`), `viewer` the signed-in person who asked (null when signed out).
 */
export interface CursorScope {
  list: string;
  viewer: string | null;
}

const signatureOf = (scope: CursorScope, body: string) =>
  createHmac('sha256', signingKey).update(`${scope.list}\n${scope.viewer ?? ''}\n${body}`).digest('base64url').slice(0, 22);

export function encodeCursor(scope: CursorScope, position: readonly (string | number)[]): string {
  const body = Buffer.from(JSON.stringify(position)).toString('base64url');
  return `${body}.${signatureOf(scope, body)}`;
}

export function decodeCursor(scope: CursorScope, cursor: string | undefined, arity: number): (string | number)[] | null {
  if (!cursor) return null;
  const [body = '', signature = '', ...rest] = cursor.split('.');
  const expected = signatureOf(scope, body);
  if (rest.length === 0 && safeEqual(signature, expected)) {
    try {
      const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (Array.isArray(value) && value.length === arity && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value;
    } catch {
      // fall through to the 400 below
    }
  }
  throw new AppError('invalid_cursor', 400, 'cursor: is not a cursor this list gave out', { field: 'cursor' });
}

/** Cuts a page fetched with limit+1 rows and makes the next cursor (for this scope) from the last kept row. */
export function toPage<R, T>(scope: CursorScope, rows: R[], limit: number, map: (row: R) => T, position: (row: R) => (string | number)[]) {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last ? encodeCursor(scope, position(last)) : null };
}
