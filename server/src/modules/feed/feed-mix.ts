/**
 * The pure stages of For You (no I/O, unit-tested): rank and mix. Candidates arrive from
 * their sources — "hot" (ranked by the decayed engagement score), "fresh" (recent clips still
 * within their impression budget) and, once those run out, "again" (clips shown before, best
 * first) — already filtered.
 */
export interface Candidate {
  id: string;
  authorId: string;
  source: 'hot' | 'fresh' | 'again';
  score: number;
  /** The clip's first hashtag, if any: no more than two in a row of one topic. */
  topic?: string | null;
  /** No recent evidence about the clip's topic (or author): a candidate for the exploration slot. */
  explore?: boolean;
  /** Set by mix on the clip it placed in an exploration slot. */
  explored?: boolean;
}

/** At most this many clips in a row share a topic (within a page). */
export const TOPIC_RUN = 2;

/** Every `freshEvery`-th slot goes to a fresh clip, so new uploads get seen. */
export const FRESH_EVERY = 3;

/**
 * About one slot in EXPLORE_EVERY tries the best-ranked clip of a topic (or author) the person
 * has no recent evidence about — not a random clip — so a new taste is found within a few
 * swipes rather than only when the favourites run out.
 */
export const EXPLORE_EVERY = 10;

/** Hot by score (desc), fresh kept in the order given (newest first). */
export function rank(hot: Candidate[], fresh: Candidate[]) {
  return { hot: [...hot].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1)), fresh };
}

/** A clip is not shown again until this many others have been (unless there are not that many). */
export const RECENT = 10;

export interface MixOptions {
  /** The author of the clip shown just before this page (the rule holds across pages). */
  lastAuthorId?: string | null;
  /** The clips shown last, oldest first (at most RECENT): they wait until others have been shown. */
  recent?: readonly string[];
  /**
   * The lists are all there is (their sources are exhausted). Then the mix plans ahead — an
   * author with just over half of what is left goes next, so their clips can still be spread
   * out — and when only clips by the author just shown, or shown lately, are left it shows
   * them anyway (the one shown longest ago first) rather than end the feed. Without it such
   * clips wait, as a later fetch may bring others.
   */
  relax?: boolean;
  /** Clips shown since the last exploration slot (across pages); without it, no exploration slot. */
  sinceExplore?: number;
  /** One exploration slot in this many (default EXPLORE_EVERY; fewer when what is known stopped working). */
  exploreEvery?: number;
  /**
   * The clips the person saw last (their latest impressions, oldest first). `recent` is the order
   * the clips were served in, and the web app drops much of what it is served (each swipe replaces
   * what lies beyond the next clip), so a clip on screen may have been served long before clips
   * never shown. When clips must come round again these count as shown latest of all: with a few
   * clips the feed otherwise served the very clip on screen, and the person had nothing to swipe to.
   */
  lastSeen?: readonly string[];
}

/**
 * Interleaves the two ranked lists into a page of `limit`: fresh clips take every
 * FRESH_EVERY-th slot (or any slot when hot runs dry), no clip appears twice, never two clips
 * in a row from one author, no more than TOPIC_RUN in a row of one topic, and no clip again
 * within RECENT clips (a clip that would break any of these waits for a later slot). Every
 * EXPLORE_EVERY-th slot (counting across pages with `sinceExplore`) goes to the best-ranked
 * candidate marked `explore`, when one fits; the clip placed there is marked `explored`.
 */
export function mix(hot: Candidate[], fresh: Candidate[], limit: number, opts: MixOptions = {}): Candidate[] {
  const out: Candidate[] = [];
  const queues = { hot: [...hot], fresh: [...fresh] };
  // A clip in both lists is shown once, as hot.
  const inHot = new Set(hot.map((c) => c.id));
  queues.fresh = queues.fresh.filter((c) => !inHot.has(c.id));
  let prev = opts.lastAuthorId ?? null;
  const recent = (opts.recent ?? []).slice(-RECENT);
  const left = new Map<string, number>();
  for (const c of [...queues.hot, ...queues.fresh]) left.set(c.authorId, (left.get(c.authorId) ?? 0) + 1);
  const take = (q: Candidate[], fits: (c: Candidate) => boolean) => {
    const i = q.findIndex(fits);
    return i < 0 ? null : q.splice(i, 1)[0]!;
  };
  // The best-scored clip of either list that passes `ok` (the exploration slot).
  const takeBest = (ok: (c: Candidate) => boolean) => {
    const best = [...queues.hot, ...queues.fresh].filter(ok).reduce<Candidate | null>((a, b) => (a && a.score >= b.score ? a : b), null);
    return best && (take(queues.hot, (c) => c === best) ?? take(queues.fresh, (c) => c === best));
  };
  // Only when nothing fits the rules: the clip shown longest ago (or never), by another author if
  // possible; the clips the person saw last count as shown after everything served.
  const seen = opts.lastSeen ?? [];
  const shownAt = (id: string) => (seen.includes(id) ? recent.length + seen.indexOf(id) : recent.lastIndexOf(id));
  const takeLeastRecent = () => {
    const cost = (c: Candidate) => shownAt(c.id) * 2 + (c.authorId === prev ? 1 : 0);
    const all = [...queues.hot, ...queues.fresh];
    if (!all.length) return null;
    const best = all.reduce((a, b) => (cost(b) < cost(a) ? b : a));
    return take(queues.hot, (c) => c === best) ?? take(queues.fresh, (c) => c === best);
  };
  let sinceExplore = opts.sinceExplore;
  while (out.length < limit) {
    const wantExplore = sinceExplore !== undefined && sinceExplore + 1 >= (opts.exploreEvery ?? EXPLORE_EVERY);
    const wantFresh = (out.length + 1) % FRESH_EVERY === 0;
    const [first, second] = wantFresh ? [queues.fresh, queues.hot] : [queues.hot, queues.fresh];
    const runTopic = out.length >= TOPIC_RUN && out.slice(-TOPIC_RUN).every((o) => o.topic && o.topic === out[out.length - 1]!.topic) ? out[out.length - 1]!.topic : null;
    let fits = (c: Candidate) => c.authorId !== prev && !recent.includes(c.id) && (!runTopic || c.topic !== runTopic);
    if (opts.relax) {
      const remaining = queues.hot.length + queues.fresh.length;
      // Exactly one more than half: only starting with this author now keeps them apart. (More
      // than that cannot be kept apart anyway; then rank decides.)
      const [crowded] = [...left].filter(([a, n]) => a !== prev && 2 * n === remaining + 1);
      if (crowded) fits = (c) => c.authorId === crowded[0] && !recent.includes(c.id);
    }
    // Each exploration slot of a page tries a topic not on the page yet.
    const onPage = new Set(out.map((o) => o.topic ?? o.authorId));
    const explored = wantExplore ? (takeBest((c) => !!c.explore && !onPage.has(c.topic ?? c.authorId) && fits(c)) ?? null) : null;
    const next = explored ?? take(first, fits) ?? take(second, fits) ?? (opts.relax ? takeLeastRecent() : null);
    if (!next) break;
    if (sinceExplore !== undefined) sinceExplore = explored ? 0 : sinceExplore + 1;
    out.push(explored ? { ...next, explored: true } : next);
    left.set(next.authorId, left.get(next.authorId)! - 1);
    prev = next.authorId;
    recent.push(next.id);
    if (recent.length > RECENT) recent.shift();
  }
  return out;
}
