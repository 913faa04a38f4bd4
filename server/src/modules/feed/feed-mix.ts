/**
 * The pure stages of For You (no I/O, unit-tested): rank and mix. Candidates arrive from
 * two sources — "hot" (ranked by the decayed engagement score) and "fresh" (recent clips
 * still within their impression budget) — already filtered.
 */
export interface Candidate {
  id: string;
  authorId: string;
  source: 'hot' | 'fresh';
  score: number;
}

/** Every `freshEvery`-th slot goes to a fresh clip, so new uploads get seen. */
export const FRESH_EVERY = 3;

/** Hot by score (desc), fresh kept in the order given (newest first). */
export function rank(hot: Candidate[], fresh: Candidate[]) {
  return { hot: [...hot].sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1)), fresh };
}

/**
 * Interleaves the two ranked lists into a page of `limit`: fresh clips take every
 * FRESH_EVERY-th slot (or any slot when hot runs dry), no clip appears twice, and never two
 * clips in a row from one author (a clip that would break that waits for a later slot).
 */
export function mix(hot: Candidate[], fresh: Candidate[], limit: number, lastAuthorId: string | null = null): Candidate[] {
  const out: Candidate[] = [];
  const used = new Set<string>();
  const queues = { hot: [...hot], fresh: [...fresh] };
  let prev = lastAuthorId;
  const take = (q: Candidate[]) => {
    const i = q.findIndex((c) => !used.has(c.id) && c.authorId !== prev);
    if (i < 0) return null;
    return q.splice(i, 1)[0]!;
  };
  while (out.length < limit) {
    const wantFresh = (out.length + 1) % FRESH_EVERY === 0;
    const first = wantFresh ? queues.fresh : queues.hot;
    const second = wantFresh ? queues.hot : queues.fresh;
    const next = take(first) ?? take(second);
    if (!next) break;
    used.add(next.id);
    out.push(next);
    prev = next.authorId;
  }
  return out;
}
