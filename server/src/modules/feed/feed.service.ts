import type { AppContext } from '../../app/context.ts';
import { friendsFirstOf } from '../accounts/index.ts';
import { type CursorScope, decodeCursor, encodeCursor } from '../../platform/db/pagination.ts';
import * as graph from '../graph/index.ts';
import * as media from '../media/index.ts';
import {
  affinityScore,
  type ForYouStream,
  forYouCandidates,
  hashtagsOf,
  type PersonSignals,
  personSignals,
  positionIn,
  type StreamPosition,
  topicCandidates,
  type VideoRow,
  viewerHistory,
} from '../media/index.ts';
import { modelScores } from '../recommender/index.ts';
import { type Candidate, EXPLORE_EVERY, mix, RECENT, rank } from './feed-mix.ts';
import { personalScore } from './feed-personal.ts';
import { currentTopics, exploreEvery, pendingTopics, type SessionTaste, sessionScore, sessionTaste, trustsPast, unexplored } from './feed-session.ts';
import { explain } from './feed-why.ts';

/**
 * The three feeds. Following and Friends are chronological (newest first, keyset pages).
 * For You runs four separate stages — candidates → rank → rules → mix — so a learned
 * ranker can later replace `rank`, or add candidate sources, without touching the rest
 * (docs/feed.md). It never runs dry: once nothing new is left it shows the best clips again.
 */

const excludeAuthors = async (ctx: AppContext, viewerId: string) => new Set(await graph.mutedOrBlockedIds(ctx, viewerId));

/** Clips of the people the viewer follows: public ones, and friends-only ones of friends. */
export async function followingFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [following, hidden] = await Promise.all([graph.followees(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const shown = following.filter((f) => !hidden.has(f.id));
  const build = await media.listByAuthorsPage(ctx, {
    authors: shown.map((f) => f.id),
    friendAuthors: shown.filter((f) => f.friend).map((f) => f.id),
    ownerId: null,
    scope: { list: 'feed:following', viewer: viewerId },
    ...page,
  });
  return build(viewerId);
}

/** Clips of the viewer's friends, including their friends-only clips. */
export async function friendsFeed(ctx: AppContext, viewerId: string, page: { cursor?: string; limit: number }) {
  const [friends, hidden] = await Promise.all([graph.friendIds(ctx, viewerId), excludeAuthors(ctx, viewerId)]);
  const authors = friends.filter((id) => !hidden.has(id));
  const build = await media.listByAuthorsPage(ctx, { authors, friendAuthors: authors, ownerId: null, scope: { list: 'feed:friends', viewer: viewerId }, ...page });
  return build(viewerId);
}

const FRESH_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Candidate rounds per page at most (filters may remove many; a small catalogue wraps round within one page). */
const MAX_ROUNDS = 12;
/** The most candidates one stream fetches in a round (the window grows while rounds come back short). */
const MAX_WINDOW = 1000;
/** The first candidate window while exploring (feed-session.ts `exploring`). */
const EXPLORE_WINDOW = 200;
/**
 * Candidates are fetched as for a page of at least this many: the web app asks for a page of two
 * on every swipe (web/src/features/video/feed-paging.ts), and those clips should be the best of as
 * wide a choice as a page of four had, not of a window half the size.
 */
const MIN_CHOICE = 4;
/** How many of the clips a person saw last count as shown after everything served when clips come round again. */
const LAST_SEEN = 3;
/** Ids the cursor carries at most, beside the RECENT last shown (FeedQuery caps a cursor at 2,000 characters). */
const MAX_CARRY = 40;

/**
 * A cycle of For You has two phases, each with its candidate streams: first what is new to the
 * viewer (hot and fresh), then — so the feed never runs dry — every clip again, best first,
 * the viewer's own included. When both are through, the next cycle begins (bringing whatever
 * became new meanwhile).
 */
const PHASES: ForYouStream[][] = [['hot', 'fresh'], ['again']];

/** A stream's position: null before its first clip, 'end' once it has nothing more this cycle. */
type Position = StreamPosition | null | 'end';

interface ForYouState {
  pos: Record<ForYouStream, Position>;
  /** The author of the last clip shown: no two in a row, across pages too. */
  lastAuthor: string | null;
  /** Clips of the current phase shown already beyond its streams' positions. */
  carry: string[];
  /** The last RECENT clips shown, oldest first: none comes again right away, in a new phase or cycle either. */
  recent: string[];
  /** The "caught up with friends" marker has been given in this run of pages. */
  caughtUp: boolean;
  /** Clips shown since the last exploration slot (feed-mix.ts EXPLORE_EVERY). */
  sinceExplore: number;
}

const startOfCycle = (from?: ForYouState): ForYouState => ({
  pos: { hot: null, fresh: null, again: null },
  lastAuthor: from?.lastAuthor ?? null,
  carry: [],
  recent: from?.recent ?? [],
  caughtUp: from?.caughtUp ?? false,
  sinceExplore: from?.sinceExplore ?? 0,
});

/** The state a cursor carries (decoded once per page); one of another shape or list is a 400 (decodeCursor). */
function readCursor(scope: CursorScope, cursor: string | undefined): ForYouState {
  const c = decodeCursor(scope, cursor, 11);
  if (!c) return startOfCycle();
  const pos = (key: string | number | undefined, id: string | number | undefined): Position =>
    key === 'end' ? 'end' : id === '' || id === undefined ? null : { key: key!, id: String(id) };
  return {
    pos: { hot: pos(c[0], c[1]), fresh: pos(c[2], c[3]), again: pos(c[4], c[5]) },
    lastAuthor: c[6] === '' ? null : String(c[6]),
    carry: c[7] === '' ? [] : String(c[7]).split(','),
    recent: c[8] === '' ? [] : String(c[8]).split(','),
    caughtUp: c[9] === 1,
    sinceExplore: Number(c[10]) || 0,
  };
}

function writeCursor(scope: CursorScope, s: ForYouState): string {
  const pos = (p: Position) => (p === 'end' ? ['end', ''] : p ? [p.key, p.id] : ['', '']);
  return encodeCursor(scope, [...pos(s.pos.hot), ...pos(s.pos.fresh), ...pos(s.pos.again), s.lastAuthor ?? '', s.carry.join(','), s.recent.join(','), s.caughtUp ? 1 : 0, s.sinceExplore]);
}

/**
 * Where one candidate stream may continue from: just before its first candidate that was
 * kept but not shown (mix deferred it, e.g. same author twice), so nothing is skipped over;
 * the clips shown beyond that point are carried in the cursor so they are not shown again.
 * Should that list outgrow the cursor, the stream moves past the deferred clip instead.
 */
function advance(list: Candidate[], shown: Set<string>, kept: (c: Candidate) => boolean) {
  let last: Candidate | undefined;
  const beyond: string[] = [];
  let stopped = false;
  for (const c of list) {
    if (!stopped && kept(c) && !shown.has(c.id)) stopped = true;
    if (!stopped) last = c;
    else if (shown.has(c.id)) beyond.push(c.id);
  }
  if (beyond.length > MAX_CARRY) return { last: list.findLast((c) => shown.has(c.id)), beyond: [], all: false };
  return { last, beyond, all: !stopped };
}

/**
 * The clips the client still has queued (`ahead`) were served but not shown: the state as if they
 * had not been served — out of the recent and carried clips (so they may be served again, ranked
 * beside the rest), the author rule measured from the clip before them (the one on screen) and the
 * exploration count without them. Only the clips this run of pages served and the person has not
 * had on screen (no event of theirs) can be queued; any other id is ignored, so `ahead` never
 * brings a clip the feed did not serve.
 */
async function withdrawQueued(ctx: AppContext, state: ForYouState, person: PersonSignals | null, ahead: readonly string[]) {
  const had = new Set(person?.events.map((e) => e.videoId));
  const queued = [...new Set(ahead)].filter((id) => state.recent.includes(id) && !had.has(id));
  if (!queued.length) return { state, queued };
  const recent = state.recent.filter((id) => !queued.includes(id));
  const last = recent.at(-1);
  // The person's events name the clip on screen's author; signed out, it is looked up.
  let lastAuthor = last === undefined ? null : (person?.events.find((e) => e.videoId === last)?.authorId ?? null);
  if (last !== undefined && lastAuthor === null) {
    const [row] = await media.findVideoRows(ctx, [last]);
    lastAuthor = row ? String(row.author_id) : state.lastAuthor;
  }
  return {
    queued,
    state: { ...state, recent, carry: state.carry.filter((id) => !queued.includes(id)), lastAuthor, sinceExplore: Math.max(0, state.sinceExplore - queued.length) },
  };
}

interface FriendsLean {
  dial: number;
  /** Author → 1 for a friend, 0.5 for someone the person follows. */
  closeness: Map<string, number>;
}

/** The friends-first dial and whom it leans toward; null when the dial is at 0 (nothing to look up). */
async function friendsLean(ctx: AppContext, viewerId: string): Promise<FriendsLean | null> {
  const dial = await friendsFirstOf(ctx, viewerId);
  if (!(dial > 0)) return null;
  const followees = await graph.followees(ctx, viewerId);
  return { dial, closeness: new Map(followees.map((f) => [f.id, f.friend ? 1 : 0.5])) };
}

/**
 * Re-scores candidates for this person (feed-personal.ts): learned model + affinities + session
 * taste + a little trending; marks the clips of topics (or authors) they have no recent evidence
 * about, for the exploration slot.
 */
function personalise(
  ctx: AppContext,
  person: PersonSignals,
  session: SessionTaste,
  list: Candidate[],
  rows: Map<string, VideoRow>,
  lean: FriendsLean | null,
  pending: ReadonlySet<string>,
  queued: readonly string[],
): Candidate[] {
  const learned = modelScores(ctx, person, list.map((c) => c.id));
  return list.map((c) => {
    const row = rows.get(c.id)!;
    const tags = hashtagsOf(row.caption);
    return {
      ...c,
      explore: unexplored(session, c.authorId, tags) && !pending.has(tags[0] ?? c.authorId),
      score: personalScore({
        hot: row.hot_score,
        model: learned?.get(c.id),
        affinity: affinityScore(person.affinities, c.authorId, row.caption),
        friendsFirst: lean?.dial,
        closeness: lean?.closeness.get(c.authorId),
        session: sessionScore(session, c.authorId, tags),
        trustPast: trustsPast(session, c.authorId, tags),
        queued: queued.includes(c.id),
      }),
    };
  });
}

/**
 * For You. Each round takes candidates from the current phase's streams, applies the rules
 * (never a clip the viewer marked "not interested"; in the first phase nothing they watched;
 * nothing shown already in this phase), ranks and mixes them. The cursor holds each stream's
 * position, the last author shown and the clips shown beyond the positions.
 */
export async function forYouFeed(ctx: AppContext, viewerId: string | null, page: { cursor?: string; limit: number; ahead?: readonly string[] }) {
  const scope: CursorScope = { list: 'feed:for-you', viewer: viewerId };
  let state = readCursor(scope, page.cursor);
  // Who is left out, what the person did lately (it ranks this page: learned model, affinities,
  // at once) and the friends-first dial: independent reads, one round trip's wait for all three.
  const [hiddenSet, person, lean] = viewerId
    ? await Promise.all([excludeAuthors(ctx, viewerId), personSignals(ctx, viewerId), friendsLean(ctx, viewerId)])
    : [new Set<string>(), null, null];
  const hidden = [...hiddenSet];
  // The clips the client still has queued were served but not shown: they are ranked again beside the rest.
  const withdrawn = await withdrawQueued(ctx, state, person, page.ahead ?? []);
  state = withdrawn.state;
  const queued = withdrawn.queued;
  // The clips the pages before ended with (the state's list is replaced, never changed in place).
  const shownBefore = state.recent;
  const session = person ? sessionTaste(person.events) : null;
  const dismissed = [...(person?.affinities.dismissedAuthors ?? [])];
  // The clips the person saw last (any event is a clip they had on screen), oldest first: the one on
  // screen never comes round again next (feed-mix.ts, lastSeen).
  const lastSeen = [...new Set((person?.events ?? []).map((e) => e.videoId))].slice(0, LAST_SEEN).reverse();
  // Your own clips are on your profile: For You brings them back only among the clips shown
  // again; authors you said "not interested" to stay out of new clips too.
  const excludedIn = (phase: ForYouStream[]) => (phase === PHASES[0] && viewerId ? [...hidden, ...dismissed, viewerId] : hidden);
  const freshSince = new Date(Date.now() - FRESH_WINDOW_MS);
  const picked: Candidate[] = [];
  const rows = new Map<string, VideoRow>();
  const pending = pendingTopics(person?.events ?? []);
  // The queued clips' rows, read beside the first round's candidates (asked for when that round starts).
  let queuedRead: ReturnType<typeof media.queuedCandidates> | null = null;
  const queuedSource = async () => {
    const read = queued.length ? await media.queuedCandidates(ctx, { ids: queued, excludeAuthors: excludedIn(PHASES[0]!), freshSince }) : { rows: [], list: [] };
    for (const r of read.rows) rows.set(String(r.id), r);
    return read;
  };
  let phasePicked: string[] = [];
  // During a skip streak every slot explores, one untried topic each: a wider first window brings
  // the best clip of more topics than the few at the top of trending.
  const choice = Math.max(page.limit, MIN_CHOICE);
  let window = session?.exploring ? EXPLORE_WINDOW : choice * 3 + 5;
  // How many clips had been picked when a cycle began in this request (a cycle that yields none: nothing to show).
  let cycleStart: number | null = page.cursor ? null : 0;
  // The topic source (new clips only): the best clips of the person's current topics, beside the
  // trending window; not the clips they just had. Asked once, when the first phase first needs it
  // (a page that is all "shown again" never does).
  let topicList: Promise<Candidate[]> | null = null;
  const topicSource = async (): Promise<Candidate[]> => {
    if (!person || !session) return [];
    const tags = currentTopics(session, person.affinities.topics);
    // Per topic past the RECENT clips the cursor holds back: with a re-rank on every swipe many of
    // those were asked for and replaced unseen (the web app replaces what it queued unless the
    // ranking keeps it), and a source of `choice` per topic was all held back — For You then fell
    // back to trending.
    const topicRows = await topicCandidates(ctx, { tags, excludeAuthors: excludedIn(PHASES[0]!), excludeIds: [...new Set(person.events.map((e) => e.videoId))], perTag: choice + RECENT });
    for (const r of topicRows) rows.set(String(r.id), r);
    return topicRows.map((r) => ({ id: String(r.id), authorId: String(r.author_id), source: 'hot' as const, score: r.hot_score }));
  };

  for (let round = 0; round < MAX_ROUNDS && picked.length < page.limit; round++) {
    const phase = PHASES.find((streams) => streams.some((s) => state.pos[s] !== 'end'));
    if (!phase) {
      if (cycleStart === picked.length) return { items: [], nextCursor: null };
      state = startOfCycle(state);
      cycleStart = picked.length;
      phasePicked = [];
      continue;
    }
    const streams = phase.filter((s) => state.pos[s] !== 'end');
    const asked = (s: ForYouStream) => (s === 'fresh' ? Math.ceil(window / 2) : window);

    // 1. candidates
    if (phase === PHASES[0]) topicList ??= topicSource();
    queuedRead ??= queuedSource();
    const [cand, topicNow, queuedNow] = await Promise.all([
      forYouCandidates(ctx, {
        streams: Object.fromEntries(streams.map((s) => [s, { after: state.pos[s] as StreamPosition | null, limit: asked(s) }])),
        excludeAuthors: excludedIn(phase),
        freshSince,
      }),
      phase === PHASES[0] ? topicList! : [],
      queuedRead,
    ]);
    for (const r of cand.rows) rows.set(String(r.id), r);
    const lists = cand.lists;
    // 2. rules
    const history = viewerId ? await viewerHistory(ctx, viewerId, [...cand.rows.map((r) => String(r.id)), ...topicNow.map((c) => c.id), ...queued]) : null;
    const eligible = (x: Candidate) => !history || (!history.dismissed.has(x.id) && !(phase === PHASES[0] && history.watched.has(x.id)));
    const shown = new Set([...state.carry, ...phasePicked]);
    const keep = (x: Candidate) => eligible(x) && !shown.has(x.id);
    // 3. rank
    // What is new to the person is ranked for them; clips shown again (the second phase) keep
    // the plain engagement order, best first.
    const personalising = person !== null && session !== null && phase === PHASES[0];
    // Every candidate carries its topic (first hashtag) for the mix's topic rule.
    const topical = (list: Candidate[]) => list.map((c) => ({ ...c, topic: hashtagsOf(rows.get(c.id)!.caption)[0] ?? null }));
    const personal = (list: Candidate[]) => topical(personalising ? personalise(ctx, person, session, list, rows, lean, pending, queued) : list);
    // Beside the streams: the topic source (as hot) and the queued clips (each in its own stream's
    // list; a queued fresh clip is newer than what its stream has left, so it goes first).
    const inStreams = new Set(cand.rows.map((r) => String(r.id)));
    const queuedIn = (source: ForYouStream) => queuedNow.list.filter((c) => c.source === source && !inStreams.has(c.id));
    const fromTopics = topicNow.filter((c) => !inStreams.has(c.id) && !queued.includes(c.id));
    const hotLike = [...lists.hot, ...lists.again, ...fromTopics, ...queuedIn('hot')];
    const ranked = rank(personal(hotLike.filter(keep)), personal([...queuedIn('fresh'), ...lists.fresh].filter(keep)));
    if (personalising && (person.events.length || lean)) ranked.fresh = [...ranked.fresh].sort((a, b) => b.score - a.score);
    // 4. mix — when these candidates are all this phase has, the rules give way rather than end the feed
    const exhausted = streams.every((s) => lists[s].length < asked(s));
    const out = mix(ranked.hot, ranked.fresh, page.limit - picked.length, {
      lastAuthorId: state.lastAuthor,
      recent: state.recent,
      relax: exhausted || window >= MAX_WINDOW,
      sinceExplore: personalising ? state.sinceExplore : undefined,
      exploreEvery: personalising ? exploreEvery(session, EXPLORE_EVERY, pending) : undefined,
      lastSeen,
    });
    picked.push(...out);
    phasePicked.push(...out.map((o) => o.id));
    if (out.length) state.lastAuthor = out[out.length - 1]!.authorId;
    if (personalising) {
      const lastExplored = out.findLastIndex((o) => o.explored);
      state.sinceExplore = lastExplored < 0 ? state.sinceExplore + out.length : out.length - 1 - lastExplored;
    }
    state.recent = [...state.recent, ...out.map((o) => o.id)].slice(-RECENT);

    const nowShown = new Set([...shown, ...out.map((o) => o.id)]);
    const carry: string[] = [];
    for (const s of streams) {
      const a = advance(lists[s], nowShown, eligible);
      if (a.last) state.pos[s] = positionIn(s, rows.get(a.last.id)!);
      if (a.all && lists[s].length < asked(s)) state.pos[s] = 'end';
      carry.push(...a.beyond);
    }
    state.carry = [...new Set(carry)];
    if (streams.every((s) => state.pos[s] === 'end')) {
      state.carry = [];
      phasePicked = [];
    }
    // Rules or the author rule held back most of this round: look further in the next.
    window = Math.min(window * 4, MAX_WINDOW);
  }

  // The marker's reads and the page's views do not depend on each other.
  const [marker, items] = await Promise.all([
    viewerId && !state.caughtUp ? caughtUpAt(ctx, viewerId, hidden, picked, new Set(shownBefore)) : null,
    media.toVideoViews(
      ctx,
      viewerId,
      picked.map((p) => rows.get(p.id)!),
    ),
  ]);
  if (marker !== null && items[marker]) {
    items[marker].caughtUpWithFriends = true;
    state.caughtUp = true;
  }
  return { items, nextCursor: writeCursor(scope, state) };
}

/** How far back "new from friends" reaches (as the fresh pool: a week). */
const FRIENDS_NEW_MS = FRESH_WINDOW_MS;

/**
 * Where this page's "You're caught up with friends" marker goes (API.md: the first item after the
 * viewer has seen everything new from friends), or null. "New from friends" is the friends' clips
 * of the last week the viewer may see; a clip counts as seen once they have an impression, watch
 * or view of it, or it was shown on the pages before (the cursor's last clips) or earlier on this
 * page. With no new clips from friends at all there is nothing to be caught up with: no marker.
 */
async function caughtUpAt(ctx: AppContext, viewerId: string, hidden: readonly string[], picked: readonly Candidate[], shownBefore: ReadonlySet<string>): Promise<number | null> {
  const hiddenSet = new Set(hidden);
  const friends = (await graph.friendIds(ctx, viewerId)).filter((id) => !hiddenSet.has(id));
  if (!friends.length || !picked.length) return null;
  const recent = await media.recentClipsBy(ctx, viewerId, friends, new Date(Date.now() - FRIENDS_NEW_MS));
  if (!recent.length) return null;
  const position = new Map(picked.map((p, i) => [p.id, i]));
  let after = 0;
  for (const clip of recent) {
    if (clip.seen || shownBefore.has(clip.id)) continue;
    const at = position.get(clip.id);
    if (at === undefined) return null; // still unseen, and not on this page
    after = Math.max(after, at + 1);
  }
  // The last friend's clip ends the page: the marker goes on the next page's first clip.
  return after < picked.length ? after : null;
}

/** GET /videos/:id/why: why For You would show this clip to the caller (404 when they may not see it). */
export async function whyThisVideo(ctx: AppContext, viewerId: string | null, videoId: string) {
  const row = await media.loadVisibleVideo(ctx, viewerId, videoId);
  const [video] = await media.toVideoViews(ctx, viewerId, [row]);
  const authorId = String(row.author_id);
  const [person, relationship] = viewerId ? await Promise.all([personSignals(ctx, viewerId), graph.relationshipBetween(ctx, viewerId, authorId)]) : [null, null];
  let model: number | undefined;
  let modelRank: number | undefined;
  if (person) {
    const scores = modelScores(ctx, person, [videoId], { rankAmongAll: true });
    model = scores?.get(videoId);
    modelRank = scores?.rank;
  }
  const reasons = explain({
    authorUsername: video!.author.username,
    relationship,
    authorAffinity: person?.affinities.authors.get(authorId) ?? 0,
    topicAffinity: hashtagsOf(row.caption).map((t) => [t, person?.affinities.topics.get(t) ?? 0]),
    model,
    modelRank,
    ageMs: Date.now() - new Date(row.created_at).getTime(),
    views: Number(row.views_count),
    likes: Number(row.likes_count),
  });
  return { reasons };
}
