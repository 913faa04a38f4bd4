import { hashtagsOf, signalWeight } from '../media/index.ts';

/**
 * A person's short-term (session) taste (pure; unit-tested): what their last few swipes say,
 * weighed far above the long-term profile so For You follows a change of taste at once. The
 * long-term affinities (media/signal-weights.ts) decay by events and sum over everything the
 * person ever finished, so after a few dozen clips of one topic a handful of skips hardly moves
 * them; this turns each of the latest clips into one outcome (finished or engaged: +1, skipped:
 * −1) and averages them per topic and author, the newest counting most:
 *
 *     score(topic) = Σ wₖ·outcomeₖ / (1 + Σ wₖ)    over the clips of that topic, wₖ = ½^(k / SESSION_HALF_LIFE)
 *
 * where k is how many clips back the clip was. The 1 in the denominator is a prior of "no
 * opinion": one finished clip of a topic with no other recent evidence lifts it to +½, three
 * skips in a row of a topic finished six times before push it below zero. Topics (and authors) with no clip
 * among the last EXPLORE_HORIZON are "unexplored": the mix's exploration slot tries them.
 *
 * A single skip of a favoured topic hedges: the slots after the next clip try an untried topic,
 * until the next outcome says whether it was a one-off (a finish: back to the favourites; the cost
 * is one clip at most) or the start of a streak (then the exploration is already one topic in).
 * A skip streak (SKIP_STREAK skipped clips in a row of favoured topics — finished FAVOURED times
 * more than skipped lately: what For You exploited) means what it knew has stopped working —
 * typically a change of taste — and starts an exploration (skips of other topics are no news:
 * people skip clips outside their favourites all the time, and an exploration then only delays
 * the favourite): every slot tries a topic (or author)
 * the person has not skipped since it began (the best-ranked clip of each, one topic after
 * another), until something is finished. That topic is a lead: its next clip comes at once (above
 * everything the long-term profile says) and tests it, while the slots after it, until that
 * clip's outcome is in, go on exploring — one finish in three among untried topics is a
 * person's second-best topic or chance, and filling every slot with it would cost three skips
 * before the first of them is seen. A second finish confirms the lead and ends the exploration
 * (then it is exploited fully); a skip loses it, and the exploration goes on where it was (the
 * one finish does not count as the end of the streak). Until the exploration
 * is EXPLORE_HORIZON clips old, the long-term profile and the model — built on the old taste —
 * only count for the leads: the person has just shown that they no longer hold.
 */
export interface SessionEvent {
  videoId: string;
  type: string;
  watchedMs: number | null;
  durationMs: number;
  authorId: string;
  caption: string;
}

export interface SessionTaste {
  topics: Map<string, number>;
  authors: Map<string, number>;
  /** Topics and authors of the last EXPLORE_HORIZON clips. */
  recentTopics: Set<string>;
  recentAuthors: Set<string>;
  /** How many clips the taste comes from. */
  clips: number;
  /** The same average over all the latest clips, whatever their topic: below 0, more skipped than enjoyed lately. */
  overall: number;
  /**
   * How many of the latest clips with an outcome were skipped in a row (clips with only an
   * impression, e.g. still on screen, neither count nor break it; nor does the finish of a lead lost since).
   */
  skipStreak: number;
  /** Every slot explores: a skip streak, and no lead yet. */
  exploring: boolean;
  /**
   * One skip of a favoured topic since the last finish, not yet a streak: the slots after the next
   * clip hedge (explore) until the next outcome says whether it was a one-off (a finish: back to
   * the favourites) or a change of taste (a second skip: an exploration, already one topic in).
   */
  hedging: boolean;
  /** An exploration has leads, none confirmed yet: one clip of a lead at a time tests it, the other slots go on exploring. */
  testing: boolean;
  /** Topics (and, for clips without hashtags, authors: ids are digits, never a hashtag) finished during the latest exploration and not skipped since. */
  leads: Set<string>;
  /** An exploration is on, or began within the latest EXPLORE_HORIZON clips: the long-term profile holds for the leads only. */
  shifted: boolean;
}

/** The latest clips the session taste reads. */
export const SESSION_CLIPS = 30;
/** A clip this many clips back counts half as much as the latest. */
export const SESSION_HALF_LIFE = 3;
/** A topic or author with no clip among this many latest ones has no recent evidence. */
export const EXPLORE_HORIZON = 12;
/** This many skips in a row of favoured clips (and nothing finished in between) start systematic exploration. */
export const SKIP_STREAK = 2;
/** A topic (or author) finished this many times more than skipped among the latest clips is favoured: skipping it is news. */
export const FAVOURED = 2;
/** During an exploration, a topic skipped among the latest this many skips counts as tried (not explored again yet). */
export const STREAK_MEMORY = 6;
/** A lead's session score at least (a topic's is −1…1): it is followed at once. */
export const LEAD_SCORE = 1;

/** `events` newest first (as personSignals gives them). */
export function sessionTaste(events: readonly SessionEvent[]): SessionTaste {
  // One outcome per clip, in the order of each clip's latest event.
  const clips = new Map<string, { authorId: string; caption: string; weight: number }>();
  for (const e of events) {
    let c = clips.get(e.videoId);
    if (!c) {
      if (clips.size === SESSION_CLIPS) break;
      c = { authorId: e.authorId, caption: e.caption, weight: 0 };
      clips.set(e.videoId, c);
    }
    c.weight += signalWeight(e);
  }
  const sums = { topics: new Map<string, [number, number]>(), authors: new Map<string, [number, number]>() };
  const add = (m: Map<string, [number, number]>, key: string, w: number, outcome: number) => {
    const s = m.get(key) ?? [0, 0];
    s[0] += w * outcome;
    s[1] += w;
    m.set(key, s);
  };
  const recentTopics = new Set<string>();
  const recentAuthors = new Set<string>();
  const all: [number, number] = [0, 0];
  // Newest first: the weighted averages and the recent evidence.
  const list = [...clips.values()].map((c, k) => ({ ...c, k, tags: hashtagsOf(c.caption), outcome: Math.max(-1, Math.min(1, c.weight)) }));
  for (const c of list) {
    if (c.k < EXPLORE_HORIZON) {
      recentAuthors.add(c.authorId);
      for (const t of c.tags) recentTopics.add(t);
    }
    // An impression alone (no watch, no skip reported) says nothing either way.
    if (c.outcome !== 0) {
      const w = 0.5 ** (c.k / SESSION_HALF_LIFE);
      add(sums.authors, c.authorId, w, c.outcome);
      for (const t of c.tags) add(sums.topics, t, w, c.outcome);
      all[0] += w * c.outcome;
      all[1] += w;
    }
  }
  // Oldest first: streaks, explorations and their leads, as they happened.
  const keysOf = (c: (typeof list)[number]) => (c.tags.length ? c.tags : [c.authorId]);
  let skips = 0;
  let skipped: (typeof list)[number][] = [];
  let exploringSince: number | null = null;
  let exploringNow = false;
  const leads = new Set<string>();
  // Finishes minus skips of each topic (or author) so far: what the feed had learned to exploit.
  const tally = new Map<string, number>();
  for (const c of [...list].reverse()) {
    const favoured = keysOf(c).some((key) => (tally.get(key) ?? 0) >= FAVOURED);
    if (c.outcome !== 0) for (const key of keysOf(c)) tally.set(key, (tally.get(key) ?? 0) + Math.sign(c.outcome));
    // Outside an exploration a skip of what the person was not known to like is no news (they skip
    // such clips all the time): it neither starts a streak nor breaks one — but if one starts, it
    // was tried all the same.
    if (c.outcome < 0 && !exploringNow && !favoured) {
      skipped.push(c);
      continue;
    }
    if (c.outcome < 0) {
      skips++;
      skipped.push(c);
      for (const key of keysOf(c)) leads.delete(key);
      if (!exploringNow && skips >= SKIP_STREAK) {
        exploringNow = true;
        exploringSince = c.k;
        leads.clear();
      }
    } else if (c.outcome > 0) {
      const lead = keysOf(c).some((key) => leads.has(key));
      if (exploringNow && !lead) for (const key of keysOf(c)) leads.add(key);
      else {
        // A confirmed lead (or, outside an exploration, any finish) ends the streak.
        exploringNow = false;
        skips = 0;
        skipped = [];
      }
    }
  }
  // What the exploration (or the hedge) tried: the latest skips (a long one tries again what it skipped longest ago).
  const hedging = !exploringNow && skips > 0;
  const streakTopics = new Set<string>();
  const streakAuthors = new Set<string>();
  if (exploringNow || hedging)
    for (const c of skipped.slice(-STREAK_MEMORY)) {
      streakAuthors.add(c.authorId);
      for (const t of c.tags) streakTopics.add(t);
    }
  const shifted = exploringNow || (exploringSince !== null && exploringSince < EXPLORE_HORIZON);
  if (!shifted) leads.clear();
  const mean = (m: Map<string, [number, number]>) => new Map([...m].map(([key, [s, w]]) => [key, s / (1 + w)]));
  // During an exploration what it tried is not lifted by what came before it: at best it scores as
  // a single skip alone would (−½); a lead scores at least LEAD_SCORE.
  const adjusted = (m: Map<string, number>, tried: Set<string>) => {
    const out = new Map(m);
    if (exploringNow) for (const [key, v] of out) if (tried.has(key) && !leads.has(key)) out.set(key, Math.min(v, -0.5));
    for (const key of leads) if (out.has(key)) out.set(key, Math.max(out.get(key)!, LEAD_SCORE));
    return out;
  };
  return {
    topics: adjusted(mean(sums.topics), streakTopics),
    authors: adjusted(mean(sums.authors), streakAuthors),
    // Exploring or hedging, every topic but those skipped lately is worth a try — also those seen
    // lately (For You's topic rule puts another topic after every two of the favourite, so within
    // the latest clips nearly every topic has been on screen once).
    recentTopics: exploringNow || hedging ? new Set([...streakTopics, ...leads]) : recentTopics,
    recentAuthors: exploringNow || hedging ? new Set([...streakAuthors, ...leads]) : recentAuthors,
    clips: clips.size,
    overall: all[0] / (1 + all[1]),
    skipStreak: skips,
    exploring: exploringNow && leads.size === 0,
    hedging,
    testing: exploringNow && leads.size > 0,
    leads,
    shifted,
  };
}

/**
 * The topic (or, for a clip without hashtags, the author) of the clip on screen while it has no
 * outcome yet — the newest clip of the person's events (newest first), with only an impression so
 * far: it is being tried (a lead's test clip, or an exploration's), so the slots after it try
 * others. The clips queued after it are ranked again on every re-rank (For You's `ahead`): they
 * are not being tried yet.
 */
export function pendingTopics(events: readonly SessionEvent[]): Set<string> {
  const newest = events[0];
  if (!newest) return new Set();
  for (const e of events) {
    if (e.videoId !== newest.videoId) break;
    if (e.type !== 'impression') return new Set();
  }
  return new Set([hashtagsOf(newest.caption)[0] ?? newest.authorId]);
}

/** Whether the long-term profile and the model count for this clip (feed-personal.ts): not after a change of taste, unless it is of a lead. */
export function trustsPast(t: SessionTaste, authorId: string, topics: readonly string[]): boolean {
  return !t.shifted || (topics.length ? topics : [authorId]).some((key) => t.leads.has(key));
}

/** A candidate's session score: the mean of its topics' plus half its author's (about −1.5…1.5). */
export function sessionScore(t: SessionTaste, authorId: string, topics: readonly string[]): number {
  let s = 0;
  for (const tag of topics) s += t.topics.get(tag) ?? 0;
  return (topics.length ? s / topics.length : 0) + 0.5 * (t.authors.get(authorId) ?? 0);
}

/** No recent evidence about this clip's topics (or, for a clip without hashtags, its author). */
export function unexplored(t: SessionTaste, authorId: string, topics: readonly string[]): boolean {
  return topics.length ? topics.every((tag) => !t.recentTopics.has(tag)) : !t.recentAuthors.has(authorId);
}

/**
 * The topics For You fetches candidates for (media's topic source): those the session likes,
 * best first, then the long-term favourites — at most `n`. The trending window alone holds few
 * clips of any one topic; without this a taste just discovered could not be followed.
 */
export function currentTopics(t: SessionTaste, longTerm: ReadonlyMap<string, number>, n = 3): string[] {
  const liked = (m: ReadonlyMap<string, number>) =>
    [...m]
      .filter(([, s]) => s > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([tag]) => tag);
  const disliked = new Set([...t.topics].filter(([, s]) => s < 0).map(([tag]) => tag));
  return [...new Set([...liked(t.topics).slice(0, n - 1), ...liked(longTerm).filter((tag) => !disliked.has(tag))])].slice(0, n);
}

/**
 * One exploration slot in how many: about one in ten while some topic works for the person; every
 * slot while hedging after a skip of a favourite, and during an exploration (a skip streak and no lead yet, or only leads being tested: `pending`
 * holds the topics, or authors, of the clips shown and not reached yet); every other slot while they have been skipping more than finishing lately and no
 * topic has come out ahead. What For You knew about them has stopped working (a change of taste),
 * so it looks for what works now, and stops looking as soon as something lands.
 */
export function exploreEvery(t: SessionTaste, usual: number, pending: ReadonlySet<string> = new Set()): number {
  // A lead whose test clip is out (shown, outcome not in yet): the slots after it explore.
  if (t.exploring || t.hedging || (t.testing && [...t.leads].every((key) => pending.has(key)))) return 1;
  const works = [...t.topics].some(([, s]) => s > 0);
  return t.overall < 0 && !works ? 2 : usual;
}
