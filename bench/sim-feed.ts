// `npm run sim:feed`: synthetic people with hidden tastes swipe through For You's real ranking
// (the service functions behind GET /feed/for-you and POST /events, on a fresh PostgreSQL
// database per seed) and, with the same people and catalogue, through a popularity feed and an
// oracle that knows their taste. Reports watch time per session (mean, 95 % interval) and how
// many impressions For You needs to follow a sudden change of taste. Records BENCHMARKS.md
// (section sim-feed) with `-- --write`.
import os from 'node:os';
import { sql } from 'kysely';
import { loadConfig } from '../server/src/app/config.ts';
import { createContext } from '../server/src/app/context.ts';
import { forYouFeed } from '../server/src/modules/feed/feed.service.ts';
import { recordEvents } from '../server/src/modules/media/media.service.ts';
import { createFreshDatabase } from '../server/test/harness.ts';
import { machineNote, recordSection, table } from './lib/report.ts';
import { seededRandom } from '../server/src/platform/random/seeded-random.ts';
import { ASK_AGAIN, broughtNothingNew, FOR_YOU_PAGE, requeue, rerankQuery } from '../web/src/features/video/feed-paging.ts';

const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PEOPLE = Number(process.env.SIM_PEOPLE ?? 1000);
const SEEDS = (process.env.SIM_SEEDS ?? '1,2,3').split(',').map(Number);
const SHIFTERS = Number(process.env.SIM_SHIFTERS ?? 100);
const TOPICS = 8;
const AUTHORS_PER_TOPIC = 5;
const CLIPS_PER_AUTHOR = 12;
const CLIP_MS = 15_000;
const SKIP_MS = 1_500;
// Paged as the web app pages For You (feed-paging.ts): a first page of FOR_YOU_PAGE, then a re-rank
// on every swipe and on every completion (pending events sent, a small page naming the clips queued
// after the one on screen asked for, and put in their place).
const SESSION = 24;
/** Adapted: at least this many of the last 5 impressions are of the new favourite topic. */
const ADAPTED = 3;
const ADAPT_CAP = 60;
/** People simulated at once (each one's swipes in order): more only fills the wait on the database. */
const CONCURRENCY = Number(process.env.SIM_CONCURRENCY ?? 4);
const write = process.argv.includes('--write');


interface Clip {
  id: string;
  topic: number;
  hot: number;
}

/** A person's hidden taste: the chance they watch a clip of each topic to the end (else they skip it). */
const tasteFor = (fav: number, second: number) => Array.from({ length: TOPICS }, (_, t) => (t === fav ? 0.85 : t === second ? 0.35 : 0.08));

/** The person watches (or skips) one clip; returns the events a client would send and the time watched. */
function watch(clip: Clip, taste: number[], rand: () => number) {
  const likes = rand() < taste[clip.topic]!;
  const impression = { type: 'impression' as const, videoId: clip.id };
  const outcome = likes
    ? [
        { type: 'watch' as const, videoId: clip.id, watchedMs: CLIP_MS },
        { type: 'completion' as const, videoId: clip.id },
      ]
    : [{ type: 'skip' as const, videoId: clip.id, watchedMs: SKIP_MS }];
  return { impression, outcome, events: [impression, ...outcome], ms: likes ? CLIP_MS : SKIP_MS };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
function interval(xs: number[]) {
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  const h = (1.96 * sd) / Math.sqrt(Math.max(1, xs.length));
  return { m, lo: m - h, hi: m + h };
}
const sec = (ms: number) => (ms / 1000).toFixed(1);

async function runSeed(seed: number) {
  const db = await createFreshDatabase(PG);
  // RECOMMENDER_REFIT_MINUTES=0: the learned model is refitted only when asked, so every person is
  // ranked by what For You learns online from their own swipes (affinities, the same code path).
  const ctx = await createContext(loadConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'warn', NODE_ENV: 'test', WORKER: 'false', RECOMMENDER_REFIT_MINUTES: '0' }));
  const rand = seededRandom(seed);
  try {
    const authors = TOPICS * AUTHORS_PER_TOPIC;
    await sql`INSERT INTO users (username, display_name, password_hash)
              SELECT 'sim_' || g, 'Sim ' || g, 'x' FROM generate_series(1, ${authors + PEOPLE}) g`.execute(ctx.db);
    // Author a (1-based) posts topic (a - 1) % TOPICS; popularity (likes) is skewed and has nothing to do with topic.
    const rows: string[] = [];
    for (let a = 1; a <= authors; a++)
      for (let k = 0; k < CLIPS_PER_AUTHOR; k++) {
        const topic = (a - 1) % TOPICS;
        const likes = Math.floor(rand() ** 4 * 2000);
        const ageDays = rand() < 0.1 ? rand() * 6 : 8 + rand() * 30;
        rows.push(`(${a}, 'clip ${a}-${k} #topic${topic}', ${likes}, ${ageDays.toFixed(4)})`);
      }
    await sql`
      INSERT INTO videos (author_id, caption, visibility, status, media_token, renditions, has_poster, duration_ms, width, height, likes_count, created_at, ready_at)
      SELECT c.a, c.caption, 'public', 'ready', md5(c.caption), '[]', false, ${CLIP_MS}, 1080, 1920, c.likes, now() - c.age * interval '1 day', now()
        FROM (VALUES ${sql.raw(rows.join(','))}) AS c(a, caption, likes, age)`.execute(ctx.db);
    await sql`INSERT INTO video_hashtags (tag, video_id) SELECT substring(caption from '#(topic[0-9]+)'), id FROM videos`.execute(ctx.db);
    const catalogue = (await sql<{ id: string; caption: string; hot_score: number }>`SELECT id::text, caption, hot_score FROM videos`.execute(ctx.db)).rows.map(
      (r): Clip => ({ id: r.id, topic: Number(/#topic(\d+)/.exec(r.caption)![1]), hot: r.hot_score }),
    );
    const byId = new Map(catalogue.map((c) => [c.id, c]));
    const byPopularity = [...catalogue].sort((a, b) => b.hot - a.hot);

    const people = Array.from({ length: PEOPLE }, (_, i) => {
      const fav = Math.floor(rand() * TOPICS);
      const second = (fav + 1 + Math.floor(rand() * (TOPICS - 1))) % TOPICS;
      return { userId: String(authors + 1 + i), fav, second, seed: Math.floor(rand() * 2 ** 31) };
    });

    const loop: number[] = [];
    const popularity: number[] = [];
    const oracle: number[] = [];
    const adapt: number[] = [];
    /** Impressions until the first clip of the new topic was watched to the end. */
    const firstFinish: number[] = [];
    let feedCalls = 0;
    let feedMs = 0;
    /** Re-ranks with a clip queued next, and how many of them kept it next (it is buffering in the app). */
    let queuedAsks = 0;
    let queuedKept = 0;

    async function simulate(p: (typeof people)[number], index: number) {
      const taste = tasteFor(p.fav, p.second);
      // The same person's coin flips for each feed, so the feeds differ only in what they show.
      // Popularity: the trending order, nothing personal.
      const rPop = seededRandom(p.seed);
      popularity.push(byPopularity.slice(0, SESSION).reduce((a, c) => a + watch(c, taste, rPop).ms, 0));
      // Oracle: knows the taste; best expected watch first.
      const rOr = seededRandom(p.seed);
      const best = [...catalogue].sort((a, b) => taste[b.topic]! - taste[a.topic]! || b.hot - a.hot).slice(0, SESSION);
      oracle.push(best.reduce((a, c) => a + watch(c, taste, rOr).ms, 0));
      // Loop: For You as the web app runs it (feed-paging.ts, FeedScreen): the clips queued after the one
      // on screen; each swipe to a clip not seen yet and each completion sends the pending events and
      // re-ranks what lies beyond the clip on screen (the queued clips named, so they may keep their place).
      const rLoop = seededRandom(p.seed);
      let cursor: string | undefined;
      let ended = false;
      let ahead: Clip[] = [];
      let onScreen: Clip | undefined;
      let pending: { type: 'impression' | 'watch' | 'completion' | 'skip'; videoId: string; watchedMs?: number }[] = [];
      const send = async () => {
        if (pending.length) await recordEvents(ctx, p.userId, { events: pending });
        pending = [];
      };
      const fetchPage = async (limit: number, queued: string[] = []) => {
        await send();
        const t0 = performance.now();
        const res = await forYouFeed(ctx, p.userId, { cursor, limit, ahead: queued });
        feedMs += performance.now() - t0;
        feedCalls++;
        cursor = res.nextCursor ?? undefined;
        ended = !res.nextCursor;
        return res.items.map((v) => byId.get(v.id)!);
      };
      const rerank = async (asks = 0): Promise<void> => {
        const ask = rerankQuery(ahead);
        const next = ahead[0];
        const fresh = await fetchPage(ask.limit, ask.ahead);
        ahead = requeue(fresh, onScreen?.id);
        if (next) {
          queuedAsks++;
          if (ahead[0]?.id === next.id) queuedKept++;
        }
        if (!ended && asks < ASK_AGAIN && broughtNothingNew(ahead.length)) return rerank(asks + 1);
      };
      /** The next clip on screen, watched with `t`; null when the feed has nothing more. */
      const swipe = async (t: number[]) => {
        const first = onScreen === undefined;
        if (first) ahead = await fetchPage(FOR_YOU_PAGE);
        else if (!ahead.length && !ended) await rerank();
        const c = ahead.shift();
        if (!c) return null;
        onScreen = c;
        const w = watch(c, t, rLoop);
        pending.push(w.impression);
        // The first clip is what the first page was ranked for; every later swipe re-ranks.
        if (!first && !ended) await rerank();
        pending.push(...w.outcome);
        if (w.ms === CLIP_MS && !ended) await rerank();
        return { clip: c, ms: w.ms };
      };
      let total = 0;
      for (let i = 0; i < SESSION; i++) total += (await swipe(taste))?.ms ?? 0;
      loop.push(total);
      // A change of taste, for the first SHIFTERS people: a new favourite; how many impressions until For You follows?
      if (index < SHIFTERS) {
        const fav2 = (p.fav + 1 + Math.floor(rLoop() * (TOPICS - 1))) % TOPICS;
        const taste2 = tasteFor(fav2, fav2 === p.second ? p.fav : p.second);
        const last: number[] = [];
        let n = 0;
        let firstHit: number | null = null;
        while (n < ADAPT_CAP) {
          const s = await swipe(taste2);
          if (!s) break;
          n++;
          if (firstHit === null && s.clip.topic === fav2 && s.ms > SKIP_MS) firstHit = n;
          last.push(s.clip.topic === fav2 ? 1 : 0);
          if (last.length > 5) last.shift();
          if (last.reduce((a, b) => a + b, 0) >= ADAPTED) break;
        }
        adapt.push(n);
        firstFinish.push(firstHit ?? ADAPT_CAP);
      }
      await send();
    }

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < people.length) {
          const i = next++;
          await simulate(people[i]!, i);
        }
      }),
    );
    return { loop, popularity, oracle, adapt, firstFinish, feedMsMean: feedMs / Math.max(1, feedCalls), keptNext: queuedKept / Math.max(1, queuedAsks) };
  } finally {
    await ctx.close();
    await db.drop();
  }
}

const load = os.loadavg()[0]!.toFixed(1);
const rows: (string | number)[][] = [];
const adaptRows: (string | number)[][] = [];
for (const seed of SEEDS) {
  const t0 = performance.now();
  const r = await runSeed(seed);
  const [l, p, o] = [interval(r.loop), interval(r.popularity), interval(r.oracle)];
  const fmt = (x: { m: number; lo: number; hi: number }) => `${sec(x.m)} s [${sec(x.lo)}, ${sec(x.hi)}]`;
  rows.push([seed, PEOPLE, fmt(p), fmt(l), fmt(o), (l.m / p.m).toFixed(2), l.lo > p.hi ? 'yes' : 'no', r.feedMsMean.toFixed(0), `${(100 * r.keptNext).toFixed(0)} %`]);
  const within10 = r.adapt.filter((n) => n <= 10).length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? '–';
  adaptRows.push([
    seed,
    r.adapt.length,
    median(r.adapt),
    mean(r.adapt).toFixed(1),
    `${((100 * within10) / Math.max(1, r.adapt.length)).toFixed(0)} %`,
    median(r.firstFinish),
    median(r.adapt.map((n, i) => n - r.firstFinish[i]!)),
  ]);
  console.log(`seed ${seed}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const md = `### For You simulator (\`npm run sim:feed\`)

${TOPICS} topics, ${TOPICS * AUTHORS_PER_TOPIC} authors, ${TOPICS * AUTHORS_PER_TOPIC * CLIPS_PER_AUTHOR} clips of ${CLIP_MS / 1000} s (popularity skewed and independent of topic).
Each simulated person has a hidden favourite topic (watched to the end 85 % of the time), a second one (35 %), the rest 8 %;
a clip not watched is skipped after ${SKIP_MS / 1000} s. A session is ${SESSION} impressions. For You is paged as the web app pages it
(a first page of ${FOR_YOU_PAGE}; then on every swipe and every completion the pending events are sent and what is queued after the
clip on screen is ranked again beside the rest — \`ahead\` — and replaced by a small page, through the functions behind \`POST /events\`
and \`GET /feed/for-you\`; "queued next clip kept": how often the clip queued next, buffering in the app, kept its place). The popularity feed and
the oracle see the same people with the same coin flips. Learned model not refitted during the run (\`RECOMMENDER_REFIT_MINUTES=0\`):
what is measured is what For You learns online from a person's own swipes.

Watch time per session, mean [95 % interval]:

${table(['seed', 'people', 'popularity', 'Loop For You', 'oracle', 'Loop ÷ popularity', 'intervals apart', 'For You ms/page', 'queued next clip kept'], rows)}

A change of taste (the first ${SHIFTERS} people of each seed, right after their session: a new favourite topic), impressions until
${ADAPTED} of the last 5 are of the new topic (capped at ${ADAPT_CAP}):

${table(['seed', 'people', 'median', 'mean', 'within 10', 'first finish of the new topic (median)', 'then until adapted (median)'], adaptRows)}

A skip reaches the ranking at the next swipe and shapes the clip after the one on screen; a completion re-ranks at once
and shapes the next clip. docs/recommender.md (simulator) explains the figures.

${machineNote()} Load average at start: ${load}.`;
console.log(md);
if (write) recordSection('sim-feed', md);
