/**
 * How For You is paged in the web app (bench/sim-feed.ts simulates the same, so it imports these).
 *
 * For You re-ranks what lies ahead on every swipe: the pending playback events are sent
 * (flushEvents), then a small page is asked for and replaces the clips queued after the one on
 * screen. The request names those queued clips (`ahead`): the server ranks them beside the rest,
 * so the clip already buffering keeps its place while it is still the best (it has a small edge
 * for being loaded) and gives way as soon as the latest swipes say otherwise — a skip then shapes
 * the very next clip after the one on screen, not the one after it. The answer comes within tens
 * of milliseconds of the swipe; a replaced clip has the whole time the person spends on the one on
 * screen to load its poster and first segment. A completion (the clip on screen played to its
 * end) re-ranks at once too — the clearest sign of what works, and the person is still on that
 * clip. The request asked for before the latest swipe is cancelled (its answer would rank on
 * less). One small page per swipe is the whole request rate. Following and Friends are
 * chronological: bigger pages, asked for near the end.
 */
/** The first page of For You (before any swipe). */
export const FOR_YOU_PAGE = 4;
/** Clips after the one on screen once a re-rank lands. */
export const AHEAD = 2;
export const CHRONOLOGICAL_PAGE = 8;
export const CHRONOLOGICAL_PREFETCH_LEFT = 3;

/**
 * How many times a re-rank asks again, with the cursor of its answer, when the answer brought
 * nothing after the clip on screen. With few clips For You comes round again quickly and may serve
 * only the very clip on screen (it is among the cursor's recent ones, but so is everything else);
 * the queue would then end there, and a swipe would find nothing to go to. The next ask has that
 * clip among the cursor's latest and brings another.
 */
export const ASK_AGAIN = 2;

/** A re-rank's query: a look-ahead of AHEAD clips, naming the clips queued now (they may keep their place). */
export function rerankQuery(queued: readonly { id: string }[]): { limit: number; ahead: string[] } {
  return { limit: AHEAD, ahead: queued.slice(0, AHEAD).map((c) => c.id) };
}

/** After a re-rank, `queued` clips lie after the one on screen: ask again when there are none. */
export const broughtNothingNew = (queued: number) => queued === 0;

/**
 * What a re-rank's answer queues after the clip on screen: the fresh page without that clip and
 * without repeats (a clip never twice in a row; For You itself keeps clips from coming back too soon).
 */
export function requeue<T extends { id: string }>(fresh: readonly T[], onScreen?: string): T[] {
  const there = new Set(onScreen === undefined ? [] : [onScreen]);
  const out: T[] = [];
  for (const f of fresh)
    if (!there.has(f.id)) {
      there.add(f.id);
      out.push(f);
    }
  return out;
}

interface Pages<T extends { id: string }> {
  pages: { items: T[]; nextCursor: string | null }[];
  pageParams: (string | undefined)[];
}

/**
 * The feed's pages (react-query's infinite data) after a re-rank: the clips up to the one on screen
 * (index `onScreen`) stay where they are, what was queued after it gives way to `fresh` — the page
 * asked for with `param` (a queued clip the ranking kept comes back in it, the same clip: its
 * player and what it buffered stay).
 */
export function replaceAhead<T extends { id: string }, D extends Pages<T>>(data: D, onScreen: number, fresh: D['pages'][number], param: string): D {
  const pages: D['pages'] = [];
  const pageParams: D['pageParams'] = [];
  let n = 0;
  data.pages.forEach((p, i) => {
    if (n > onScreen) return;
    pages.push(n + p.items.length <= onScreen + 1 ? p : { ...p, items: p.items.slice(0, onScreen + 1 - n) });
    pageParams.push(data.pageParams[i]);
    n += p.items.length;
  });
  const items = requeue(fresh.items, pages.flatMap((p) => p.items)[onScreen]?.id);
  return { ...data, pages: [...pages, { ...fresh, items }], pageParams: [...pageParams, param] };
}
