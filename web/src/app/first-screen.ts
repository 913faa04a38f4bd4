/**
 * What the server sent with the page for the first screen (server/src/app/first-screen.ts): for a
 * signed-in `/`, the answers of `GET /me` and of For You's first page, in a JSON data block (not a
 * script: the CSP runs none inline). They are read once, at start, and the block is removed: each
 * answer is taken at most once (`take`), by the query it answers, as if that query had just
 * fetched it; later reads, after any navigation, ask the server as usual.
 */
interface FirstScreen {
  me?: unknown;
  feed?: { kind: string; limit: number; page: unknown };
}

const BLOCK_ID = 'loop-first-screen';

function read(): { data: FirstScreen; at: number } | null {
  if (typeof document === 'undefined') return null;
  const el = document.getElementById(BLOCK_ID);
  if (!el) return null;
  el.remove();
  try {
    const data = JSON.parse(el.textContent ?? '') as FirstScreen;
    return data && typeof data === 'object' ? { data, at: Date.now() } : null;
  } catch {
    return null;
  }
}

const sent = read();
const taken = new Set<keyof FirstScreen>();

/** When the server's answers were read (they count as fetched then). */
export const firstScreenAt = () => sent?.at ?? 0;

/** Whether the page was sent for someone signed in. */
export const firstScreenSignedIn = () => Boolean(sent?.data.me);

/** The person the page was sent for (`GET /me`'s answer), once. */
export function takeFirstScreenMe(): unknown {
  if (!sent?.data.me || taken.has('me')) return undefined;
  taken.add('me');
  return sent.data.me;
}

/** For You's first page as the server answered it, once, if it is the page asked for. */
export function takeFirstScreenFeed(kind: string, limit: number): unknown {
  const feed = sent?.data.feed;
  if (!feed || taken.has('feed') || feed.kind !== kind || feed.limit !== limit) return undefined;
  taken.add('feed');
  return feed.page;
}
