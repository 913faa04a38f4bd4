/**
 * How much each signal says about a person's taste (pure; unit-tested). A pair's weight is
 * the sum over its events: watching counts by the share of the clip watched, finishing and
 * looping count more, explicit actions (like, save, comment, share, follow from the clip) more
 * still; skipping and "not interested" count against. Only pairs with a positive sum are
 * interactions the models train on; the negative ones steer the person's own ranking.
 */
export interface SignalEvent {
  type: string;
  watchedMs: number | null;
  durationMs: number;
}

const FIXED: Record<string, number> = {
  impression: 0,
  completion: 1,
  rewatch: 1,
  like: 2,
  save: 2,
  comment: 2,
  share: 3,
  follow: 3,
  skip: -1,
  not_interested: -5,
};

export function signalWeight(e: SignalEvent): number {
  if (e.type === 'watch') {
    if (e.watchedMs === null || e.durationMs <= 0) return 0;
    const share = Math.min(e.watchedMs / e.durationMs, 2);
    // Under a quarter of the clip is closer to a skip than to interest.
    return share < 0.25 ? -0.5 : share;
  }
  return FIXED[e.type] ?? 0;
}

/** Hashtags of a caption, lower-cased (topics for the person's affinities and the diversity rule). */
export function hashtagsOf(caption: string): string[] {
  const out = new Set<string>();
  for (const m of caption.matchAll(/(^|[^\p{L}\p{N}_&#])#([\p{L}\p{N}_]{1,100})/gu)) if (!/^\d+$/.test(m[2]!)) out.add(m[2]!.toLowerCase());
  return [...out];
}

export interface Affinities {
  authors: Map<string, number>;
  topics: Map<string, number>;
  /** Authors the person said "not interested" to: For You leaves them out. */
  dismissedAuthors: Set<string>;
  /** How many events these come from. */
  events: number;
}

/**
 * The person's leaning toward authors and topics from their last events (newest first), each
 * event counting half as much every `halfLife` events back: the first few swipes of a new
 * person already move it, and a change of taste shows within a few more.
 */
export function affinitiesOf(events: ReadonlyArray<SignalEvent & { authorId: string; caption: string }>, halfLife = 15): Affinities {
  const authors = new Map<string, number>();
  const topics = new Map<string, number>();
  const dismissedAuthors = new Set<string>();
  events.forEach((e, age) => {
    const w = signalWeight(e) * 0.5 ** (age / halfLife);
    if (e.type === 'not_interested') dismissedAuthors.add(e.authorId);
    if (w === 0) return;
    authors.set(e.authorId, (authors.get(e.authorId) ?? 0) + w);
    for (const t of hashtagsOf(e.caption)) topics.set(t, (topics.get(t) ?? 0) + w);
  });
  return { authors, topics, dismissedAuthors, events: events.length };
}

/** A candidate's affinity score: its author's plus the mean of its topics'. */
export function affinityScore(a: Affinities, authorId: string, caption: string): number {
  const tags = hashtagsOf(caption);
  let t = 0;
  for (const tag of tags) t += a.topics.get(tag) ?? 0;
  return (a.authors.get(authorId) ?? 0) + (tags.length ? t / tags.length : 0);
}
