/**
 * How For You is paged in the web app (bench/sim-feed.ts simulates the same, so it imports these).
 *
 * For You re-ranks what lies ahead on every swipe: the pending playback events are sent
 * (flushEvents), then a small page is asked for and replaces the clips queued after the next one.
 * The clip right after the one on screen is kept (KEEP_AHEAD): it is already buffering, so the
 * swipe to it is smooth; everything beyond it comes from the fresh ranking, which has seen every
 * swipe so far. A completion (the clip on screen played to its end) re-ranks at once too — the
 * clearest sign of what works, and the person is still on that clip. The request asked for before
 * the latest swipe is cancelled (its answer would rank on less). One small page per swipe is the
 * whole request rate. Following and Friends are chronological: bigger pages, asked for near the end.
 */
/** The first page of For You (before any swipe). */
export const FOR_YOU_PAGE = 4;
/** Clips after the one on screen that a re-rank keeps (the next one, already buffering). */
export const KEEP_AHEAD = 1;
/** Clips after the one on screen once a re-rank lands: the kept one and one freshly ranked behind it. */
export const AHEAD = 2;
export const CHRONOLOGICAL_PAGE = 8;
export const CHRONOLOGICAL_PREFETCH_LEFT = 3;

/**
 * How many times a re-rank asks again, with the cursor of its answer, when the answer brought
 * nothing new behind the kept clip. With few clips For You comes round again quickly and may serve
 * the very clip the app keeps next (it is among the cursor's recent ones, but so is everything else);
 * the queue would then end at the next clip, and a quick second swipe would find nothing to go to.
 * The next ask has that clip among the cursor's latest and brings another.
 */
export const ASK_AGAIN = 2;

/** A re-rank with `ahead` clips queued after the one on screen: how many it keeps and how many it asks for. */
export function rerankPlan(ahead: number): { keep: number; limit: number } {
  const keep = Math.min(ahead, KEEP_AHEAD);
  return { keep, limit: Math.max(1, AHEAD - keep) };
}

/** After a re-rank that kept `keep` clips, `queued` lie after the one on screen: ask again when nothing came behind the kept ones. */
export const broughtNothingNew = (queued: number, keep: number) => queued <= keep;

/**
 * The queue after a re-rank: the kept clips, then the fresh page without what is already there or
 * on screen (a clip never twice in a row; For You itself keeps clips from coming back too soon).
 */
export function requeue<T extends { id: string }>(kept: readonly T[], fresh: readonly T[], onScreen?: string): T[] {
  const there = new Set([...(onScreen === undefined ? [] : [onScreen]), ...kept.map((k) => k.id)]);
  const out = [...kept];
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
 * The feed's pages (react-query's infinite data) after a re-rank: the clips up to `cut` (those seen,
 * the one on screen and the kept ones) stay where they are, the rest give way to `fresh` — the page
 * asked for with `param` — deduplicated by requeue against the clips from `onScreen` on.
 */
export function replaceAhead<T extends { id: string }, D extends Pages<T>>(data: D, cut: number, onScreen: number, fresh: D['pages'][number], param: string): D {
  const pages: D['pages'] = [];
  const pageParams: D['pageParams'] = [];
  let n = 0;
  data.pages.forEach((p, i) => {
    if (n >= cut) return;
    pages.push(n + p.items.length <= cut ? p : { ...p, items: p.items.slice(0, cut - n) });
    pageParams.push(data.pageParams[i]);
    n += p.items.length;
  });
  const all = pages.flatMap((p) => p.items);
  const kept = all.slice(onScreen + 1);
  const items = requeue(kept, fresh.items, all[onScreen]?.id).slice(kept.length);
  return { ...data, pages: [...pages, { ...fresh, items }], pageParams: [...pageParams, param] };
}
