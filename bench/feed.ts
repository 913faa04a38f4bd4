// `npm run bench:feed`: p50/p99 of each feed on PostgreSQL with 100k users, ~2M follows and
// 1M videos, seeded set-based with generate_series. Each feed is timed through its service
// function (candidates, filters, author lookup and the API view), page 1 and page 2.
// Part 2 seeds a skewed `video_events` log, fits the live recommender exactly as the worker
// does and times For You for people with a history, the learned model in use. Part 3 times
// event ingestion through the function `POST /events` calls, beside a bare single-row INSERT.
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../server/src/app/config.ts';
import { createContext } from '../server/src/app/context.ts';
import type { EventsBody } from '@loop/contracts';
import { followingFeed, forYouFeed, friendsFeed } from '../server/src/modules/feed/feed.service.ts';
import { recordEvents } from '../server/src/modules/media/media.service.ts';
import { personSignals } from '../server/src/modules/media/signals.service.ts';
import { modelScores, refitRecommender } from '../server/src/modules/recommender/recommender.service.ts';
import { seededRandom } from '../server/src/platform/random/seeded-random.ts';
import { createFreshDatabase } from '../server/test/harness.ts';
import { AHEAD, FOR_YOU_PAGE, rerankQuery } from '../web/src/features/video/feed-paging.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const VIDEOS = Number(process.env.BENCH_VIDEOS ?? 1_000_000);
const FOLLOWS_PER_USER = 20;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
/** Events in the seeded signal log (part 2); the live model trains on at most 2 M. */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_500_000);
/** Part 3: seconds of each ingestion run, and the offered rate of the fixed-rate runs. */
const INGEST_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 10);
const OFFERED_EVENTS_PER_S = 5000;
/** Events in one `POST /events` batch as the web client sends it (clientBatch below). */
const EVENTS_PER_BATCH = 5;
/** Topics of taste in the seeded log: a clip's is its id modulo TOPICS, a person's their id modulo TOPICS. */
const TOPICS = 50;

// BENCH_DB=<name> keeps a seeded database between runs (for working from query plans);
// without it every run seeds a fresh database and drops it at the end.
const db0 = process.env.BENCH_DB ? await namedDatabase(PG, process.env.BENCH_DB) : { ...(await createFreshDatabase(PG)), seeded: false };
// RECOMMENDER_REFIT_MINUTES=0: no refit starts by itself in the background of a timed request;
// the bench fits once, explicitly, with the worker's own function.
const ctx = await createContext(
  loadConfig({ DATABASE_URL: db0.url, LOG_LEVEL: 'warn', NODE_ENV: 'test', WORKER: 'false', RECOMMENDER_REFIT_MINUTES: '0' }),
);
const timed = async (label: string, q: ReturnType<typeof sql>) => {
  const t0 = performance.now();
  await q.execute(ctx.db);
  console.log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
};

async function namedDatabase(serverUrl: string, name: string) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('BENCH_DB: a plain lower-case database name');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
  if (!exists) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  const seeded = exists ? Boolean((await c.query(`SELECT 1 FROM pg_tables WHERE tablename = 'videos'`)).rowCount) && Number((await c.query('SELECT count(*) AS n FROM users')).rows[0].n) > 0 : false;
  await c.end();
  return { url: url.toString(), seeded, drop: async () => {} };
}

// BENCH_PARTS=feeds,learned,ingest (the default: all three) runs only some parts while working on one.
const parts = new Set((process.env.BENCH_PARTS ?? 'feeds,learned,ingest').split(','));
try {
  if (!db0.seeded) await seed();
  const hasLog = Boolean((await sql`SELECT 1 FROM video_events LIMIT 1`.execute(ctx.db)).rows.length);
  const feeds = parts.has('feeds') ? await runFeeds(hasLog) : '(part 1 not run)';
  if (!hasLog) await seedEvents();
  const learned = parts.has('learned') ? await runLearnedForYou() : '(part 2 not run)';
  const ingestion = parts.has('ingest') ? await runIngestion() : '(part 3 not run)';
  const md = `## Feeds on PostgreSQL

${feeds}

${learned}

${ingestion}

Targets: feed p99 ≤ 50 ms (For You with the learned model included); events ingested at ≥ 5,000/s with p99 write ≤ 20 ms.
${machineNote()} Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end of the run; other helpers' jobs share the 2 cores.`;
  console.log(`\n${md}`);
  if (parts.size === 3) recordSection('feed', md);
} finally {
  await ctx.close();
  await db0.drop();
}

/** The p-th percentile of some timings, to one decimal ('–' when there are none). */
function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1) : '–';
}

async function seed() {
  console.log(`seeding ${USERS} users, ${USERS * FOLLOWS_PER_USER} follows, ${VIDEOS} videos…`);
  await timed(
    'users',
    // One account in twenty is private (its clips are for its followers only).
    sql`INSERT INTO users (username, display_name, password_hash, private_account)
        SELECT 'user' || g, 'User ' || g, 'x', g % 20 = 0 FROM generate_series(1, ${USERS}) g`,
  );
  // Follows: each user follows FOLLOWS_PER_USER others spread over the id space; the first
  // five of those are followed back (friends), as real graphs have many mutual edges.
  await timed(
    'follows',
    sql`INSERT INTO follows (follower_id, followee_id)
        SELECT u, 1 + ((u - 1 + k * k * 7919 + k) % ${USERS})
          FROM generate_series(1, ${USERS}) u, generate_series(1, ${FOLLOWS_PER_USER}) k
         WHERE 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}) <> u
        UNION
        SELECT 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}), u
          FROM generate_series(1, ${USERS}) u, generate_series(1, 5) k
         WHERE 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}) <> u
        ON CONFLICT DO NOTHING`,
  );
  // Videos over 60 days; 80 % public, 15 % friends, 5 % private; engagement skewed; the
  // newest ~5000 are still inside their impression budget (the For You fresh pool).
  await timed(
    'videos',
    sql`INSERT INTO videos (author_id, author_private, caption, visibility, status, media_token, renditions, has_poster, duration_ms, width, height,
                            likes_count, comments_count, views_count, impressions_count, created_at, ready_at)
        SELECT 1 + (g * 7 % ${USERS}), (1 + (g * 7 % ${USERS})) % 20 = 0, 'clip ' || g,
               CASE WHEN g % 20 = 0 THEN 'private' WHEN g % 20 < 4 THEN 'friends' ELSE 'public' END,
               'ready', md5(g::text), '[{"name":"240p","width":240,"height":426,"bandwidth":500000,"codecs":"avc1.640029"}]', true, 15000, 1080, 1920,
               (power(random(), 4) * 5000)::int, (power(random(), 4) * 300)::int, (power(random(), 3) * 50000)::int,
               CASE WHEN g > ${VIDEOS} - 5000 THEN (random() * 100)::int ELSE 1000 END,
               now() - ((${VIDEOS} - g) * (interval '60 days' / ${VIDEOS})), now()
          FROM generate_series(1, ${VIDEOS}) g`,
  );
  // A watch history for the sampled viewers, so "nothing already watched" has work to do:
  // 150 clips among the newest 4000 (the fresh pool's head) and the 50 hottest clips of the
  // hot stream (what For You would show first), so its first candidate round is filtered out.
  await timed(
    'views',
    sql`INSERT INTO video_views (viewer_id, video_id, period)
        SELECT 1 + ((i * 337) % ${USERS}), ${VIDEOS} - (i * 31 + k * 17) % 4000, current_date
          FROM generate_series(0, ${SAMPLES - 1}) i, generate_series(1, 150) k
        UNION ALL
        SELECT 1 + ((i * 337) % ${USERS}), h.id, current_date
          FROM generate_series(0, ${SAMPLES - 1}) i,
               (SELECT id FROM videos WHERE status = 'ready' AND visibility = 'public' AND NOT author_private
                   AND NOT (created_at >= now() - interval '7 days' AND impressions_count < ${ctx.config.media.freshImpressionBudget})
                 ORDER BY hot_score DESC, id DESC LIMIT 50) h
        ON CONFLICT DO NOTHING`,
  );
  // What autovacuum does on a live server after a bulk load (statistics, visibility map,
  // hint bits); the test server runs with autovacuum off, so the bench does it once.
  await timed('vacuum analyze', sql`VACUUM (ANALYZE)`);
}

/** The sampled viewers: spread over the id space, each with a watch history (and, in part 2, a signal log). */
function sampledViewers() {
  return Array.from({ length: SAMPLES }, (_, i) => String(1 + ((i * 337) % USERS)));
}

/** A feed's page for `viewer`: the first without `cursor`; the second after it, knowing what the first brought. */
type Feed = (viewer: string, cursor?: string, first?: readonly { id: string }[]) => Promise<{ items: { id: string }[]; nextCursor: string | null }>;

/**
 * Times page 1 and page 2 of a feed for each viewer, one request at a time, after a warm-up as
 * other people (so no measured request finds its own rows already cached). `check` runs after
 * each page, untimed.
 */
async function timeFeed(run: Feed, viewers: string[], check?: (viewer: string, items: { id: string }[]) => void | Promise<void>) {
  const sampled = new Set(viewers);
  const warmers = Array.from({ length: 20 }, (_, i) => String(1 + ((i * 337 + 50) % USERS))).filter((v) => !sampled.has(v));
  for (const v of warmers) await run(v);
  const first: number[] = [];
  const second: number[] = [];
  let items = 0;
  for (const v of viewers) {
    let t0 = performance.now();
    const p1 = await run(v);
    first.push(performance.now() - t0);
    items += p1.items.length;
    await check?.(v, p1.items);
    if (p1.nextCursor) {
      t0 = performance.now();
      const p2 = await run(v, p1.nextCursor, p1.items);
      second.push(performance.now() - t0);
      await check?.(v, p2.items);
    }
  }
  return [pct(first, 50), pct(first, 99), pct(second, 50), pct(second, 99), (items / viewers.length).toFixed(1)];
}

async function runFeeds(hasLog: boolean) {
  const feeds: Record<string, Feed> = {
    following: (v, cursor) => followingFeed(ctx, v, { limit: 10, cursor }),
    friends: (v, cursor) => friendsFeed(ctx, v, { limit: 10, cursor }),
    'for-you': (v, cursor) => forYouFeed(ctx, v, { limit: 10, cursor }),
  };
  const rows: (string | number)[][] = [];
  for (const [name, run] of Object.entries(feeds)) {
    const row = [`/feed/${name}`, ...(await timeFeed(run, sampledViewers()))];
    console.log(row.join('  '));
    rows.push(row);
  }
  return `\`npm run bench:feed\` — ${USERS.toLocaleString('en')} users (one in twenty private), ~${(USERS * (FOLLOWS_PER_USER + 5)).toLocaleString('en')} follows (20 out, 5 of them mutual),
${VIDEOS.toLocaleString('en')} videos over 60 days (80 % public / 15 % friends / 5 % private), 200 watched clips per sampled viewer (the 50 hottest among them),
seeded with \`generate_series\`. ${SAMPLES} viewers, page size 10, timed through the feed service (all queries, filters and the API view),
one request at a time. Milliseconds. Part 1, ${hasLog ? 'on a kept database (BENCH_DB) whose signal log already exists, no model fitted' : 'before any signal exists (For You ranks by trending alone)'}:

${table(['feed', 'p50 page 1', 'p99 page 1', 'p50 page 2', 'p99 page 2', 'items / page'], rows)}`;
}

/**
 * Part 2's signal log, set-based: sessions of one person and one clip (impression, watch, then
 * a completion — sometimes a like — when the clip is of the person's topic, a skip after a few
 * seconds when not). 70 % of a person's sessions are on their topic; within a topic clips are
 * picked by hot rank with a steep power law (what is hot is what is watched); activity is skewed
 * too (a few people watch a lot). The sampled viewers get 80 recent sessions each on top, so
 * every measured page folds in a full history of 200 events. Ids follow time.
 */
async function seedEvents() {
  const sessions = Math.round(EVENTS / 3.1);
  console.log(`seeding ~${EVENTS} events (${sessions} sessions)…`);
  await timed(
    'open clips by topic',
    sql`CREATE TABLE bench_topic_clips AS
        SELECT id % ${TOPICS} AS topic, row_number() OVER (PARTITION BY id % ${TOPICS} ORDER BY hot_score DESC, id DESC) AS rk, id
          FROM videos WHERE status = 'ready' AND visibility = 'public' AND NOT author_private`,
  );
  await timed('index', sql`CREATE UNIQUE INDEX ON bench_topic_clips (topic, rk); ANALYZE bench_topic_clips`);
  await timed(
    'video_events',
    sql`WITH people AS MATERIALIZED (
          SELECT 1 + ((floor(${USERS} * power(random(), 2))::bigint * 7919) % ${USERS}) AS u, now() - random() * interval '30 days' AS at
            FROM generate_series(1, ${sessions})
          UNION ALL
          SELECT 1 + ((i * 337) % ${USERS}), now() - random() * interval '2 days'
            FROM generate_series(0, ${SAMPLES - 1}) i, generate_series(1, 80)),
        s AS MATERIALIZED (
          SELECT u, at, CASE WHEN random() < 0.7 THEN u % ${TOPICS} ELSE floor(random() * ${TOPICS})::int END AS topic, random() AS r, random() AS w
            FROM people),
        sized AS (SELECT topic, max(rk) AS n FROM bench_topic_clips GROUP BY topic),
        picked AS (
          SELECT s.u, s.at, s.w, s.topic = s.u % ${TOPICS} AS liked, c.id
            FROM s JOIN sized z ON z.topic = s.topic
            JOIN bench_topic_clips c ON c.topic = s.topic AND c.rk = 1 + floor(z.n * power(s.r, 4))::bigint)
        INSERT INTO video_events (user_id, video_id, type, watched_ms, at)
        SELECT p.u, p.id, t.type,
               CASE WHEN t.type <> 'watch' THEN NULL WHEN p.liked THEN 15000 ELSE 1000 + (p.w * 3000)::int END,
               p.at + t.k * interval '1 second'
          FROM picked p,
               unnest(CASE WHEN NOT p.liked THEN ARRAY['impression', 'watch', 'skip']
                           WHEN p.w < 0.1 THEN ARRAY['impression', 'watch', 'completion', 'like']
                           ELSE ARRAY['impression', 'watch', 'completion'] END) WITH ORDINALITY t(type, k)
         ORDER BY p.at, t.k`,
  );
  await timed('drop helper', sql`DROP TABLE bench_topic_clips`);
  await timed('vacuum analyze', sql`VACUUM (ANALYZE) video_events`);
}

/**
 * Part 2: the live model fitted by the worker's own function on the seeded log, then For You
 * for the sampled viewers (each with 200 recent events). After every page (untimed) the bench
 * asks the model for the page's clips as the ranker did: it fails unless the model is loaded
 * and scores the pages — a silent fallback to affinities and trending would not pass.
 */
async function runLearnedForYou() {
  const events = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM video_events`.execute(ctx.db)).rows[0]!.n);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = await refitRecommender(ctx);
  const fitSeconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  if (!model) throw new Error('the recommender did not fit on the seeded log');
  const fit = `${events.toLocaleString('en')} events → ${model.data.users.length.toLocaleString('en')} people × ${model.data.items.length.toLocaleString('en')} clips, ${model.data.uItems.length.toLocaleString('en')} interactions; blend ${model.validation?.chosen ?? '–'}`;
  console.log(`fit: ${fitSeconds.toFixed(1)} s, rss +${((peak - rss0) / 2 ** 20).toFixed(0)} MiB peak; ${fit}`);

  // Each row's pages are checked (untimed) and counted on their own.
  const modelCheck = () => {
    const seen = { pages: 0, scoredPages: 0, items: 0, scoredItems: 0 };
    const check = async (viewer: string, page: { id: string }[]) => {
      const person = await personSignals(ctx, viewer);
      const scores = modelScores(ctx, person, page.map((v) => v.id));
      if (!scores) throw new Error(`no model scores for viewer ${viewer}: the learned model is not in use`);
      seen.pages++;
      seen.items += page.length;
      seen.scoredItems += scores.size;
      if (scores.size) seen.scoredPages++;
    };
    return { seen, check };
  };
  const pagesOf10 = modelCheck();
  const row = ['/feed/for-you, learned model', ...(await timeFeed((v, cursor) => forYouFeed(ctx, v, { limit: 10, cursor }), sampledViewers(), pagesOf10.check))];
  const of10 = pagesOf10.seen;
  console.log(row.join('  '), `model scored ${of10.scoredItems}/${of10.items} items, ${of10.scoredPages}/${of10.pages} pages`);
  if (of10.scoredPages < of10.pages * 0.9) throw new Error(`the model scored only ${of10.scoredPages} of ${of10.pages} pages: For You is falling back`);
  // As the web app pages For You (web/src/features/video/feed-paging.ts): a first page of
  // FOR_YOU_PAGE clips; the swipe to the second then re-ranks AHEAD clips after it, naming the
  // ones queued there (the ranking weighs them beside the rest: the `ahead` path).
  const onScreen = 1;
  const asTheApp: Feed = (v, cursor, first) =>
    forYouFeed(ctx, v, cursor ? { limit: AHEAD, cursor, ahead: rerankQuery(first!.slice(onScreen + 1)).ahead } : { limit: FOR_YOU_PAGE });
  // A re-rank's two clips are often both fresh (no interactions yet, so no model score): its pages are counted, not held to the bar.
  const pagesAsApp = modelCheck();
  const appRow = [`/feed/for-you as the app asks: ${FOR_YOU_PAGE} clips, then a re-rank of ${AHEAD} naming the queued ones`, ...(await timeFeed(asTheApp, sampledViewers(), pagesAsApp.check))];
  const asApp = pagesAsApp.seen;
  console.log(appRow.join('  '), `model scored ${asApp.scoredPages}/${asApp.pages} pages`);
  return `Part 2, For You with the learned model: a signal log of ${events.toLocaleString('en')} events seeded set-based (sessions of impression, watch and
completion/like on the person's topic or a skip off it; clips by hot rank with a steep power law; skewed activity), the live model
fitted by the worker's function (\`refitRecommender\`, last 60 days, at most 2 M events): ${fit}; **fit ${fitSeconds.toFixed(0)} s**, peak RSS
+${((peak - rss0) / 2 ** 20).toFixed(0)} MiB. The same ${SAMPLES} viewers, each with 200 recent events (fold-in, affinities, model scores over the candidates);
the bench checks after each page that the model scored it (${of10.scoredItems.toLocaleString('en')} of ${of10.items.toLocaleString('en')} page items, ${of10.scoredPages} of ${of10.pages} pages).
The second row pages as the web app does: its "page 2" is the re-rank a swipe asks for, with \`ahead\` (the model scored ${asApp.scoredPages} of its ${asApp.pages} pages;
a re-rank's two clips are often both fresh, with no interactions yet).

${table(['feed', 'p50 page 1', 'p99 page 1', 'p50 page 2', 'p99 page 2', 'items / page'], [row, appRow])}`;
}

/** One `POST /events` batch as the web client sends it (its queue flushes every 4 s): a person's last two clips, five events. */
function clientBatch(rnd: () => number, clips: string[]): EventsBody {
  const pick = () => clips[Math.floor(clips.length * rnd() ** 4)]!;
  const [a, b] = [pick(), pick()];
  const at = new Date().toISOString();
  return {
    events: [
      { type: 'impression', videoId: a, at },
      { type: 'watch', videoId: a, watchedMs: 15000, at },
      { type: 'completion', videoId: a, at },
      { type: 'impression', videoId: b, at },
      { type: 'watch', videoId: b, watchedMs: 1500, at },
    ],
  };
}

/** Runs `write` from `writers` concurrent loops for `seconds`; returns writes per second. */
async function saturate(write: () => Promise<unknown>, writers: number, seconds: number) {
  const end = performance.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < end) {
        await write();
        n++;
      }
    }),
  );
  return n / seconds;
}

/**
 * Offers `perSecond` writes on a fixed schedule for `seconds` (open loop: a slow write does not
 * delay the next one's start), and times each from when it was due, so queueing counts.
 */
async function fixedRate(write: () => Promise<unknown>, perSecond: number, seconds: number) {
  const latencies: number[] = [];
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now();
  const total = perSecond * seconds;
  let issued = 0;
  while (issued < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * perSecond) + 1);
    for (; issued < due; issued++) {
      const at = t0 + (issued / perSecond) * 1000;
      inFlight.push(write().then(() => void latencies.push(performance.now() - at)));
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  const achieved = total / ((performance.now() - t0) / 1000);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), achieved };
}

/**
 * Part 3: ingestion through `recordEvents` (what `POST /events` calls after validating the body),
 * beside a bare single-row INSERT into a table of the same shape (columns, identity and index) as
 * \`video_events\`, on the same connection pool. Writers are random people; clips are the open
 * clips by hot rank with a steep power law (the hot rows everyone is watching).
 */
async function runIngestion() {
  const rnd = seededRandom(13);
  const clips = (
    await sql<{ id: string }>`SELECT id::text AS id FROM videos WHERE status = 'ready' AND visibility = 'public' AND NOT author_private
                               ORDER BY hot_score DESC, id DESC LIMIT 20000`.execute(ctx.db)
  ).rows.map((r) => r.id);
  const person = () => String(1 + Math.floor(rnd() * USERS));
  // What this part appends is taken out again at the end: a kept database (BENCH_DB) would
  // otherwise train the next run's model mostly on these random writes (the newest 2 M events).
  const before = (await sql<{ id: string | null }>`SELECT max(id)::text AS id FROM video_events`.execute(ctx.db)).rows[0]!.id ?? '0';
  await sql`DROP TABLE IF EXISTS bench_events_baseline`.execute(ctx.db);
  await sql`CREATE TABLE bench_events_baseline (LIKE video_events INCLUDING ALL)`.execute(ctx.db);
  const baseline = () =>
    sql`INSERT INTO bench_events_baseline (user_id, video_id, type, watched_ms, at) VALUES (${person()}, ${clips[Math.floor(clips.length * rnd() ** 4)]!}, 'watch', 1500, now())`.execute(
      ctx.db,
    );
  const batch = () => recordEvents(ctx, person(), clientBatch(rnd, clips));
  // Many clients at once (each a person whose app flushes its queue), as a busy server sees them.
  const writers = 200;
  const perSecond = OFFERED_EVENTS_PER_S / EVENTS_PER_BATCH;
  const rows: (string | number)[][] = [];
  for (const [name, write, events] of [
    ['bare single-row INSERT (baseline)', baseline, 1],
    ['`POST /events` batch (recordEvents)', batch, EVENTS_PER_BATCH],
  ] as const) {
    await saturate(write, writers, 1); // warm-up
    const sat = await saturate(write, writers, INGEST_SECONDS);
    const fixed = await fixedRate(write, perSecond, INGEST_SECONDS);
    const row = [name, events, Math.round(sat).toLocaleString('en'), Math.round(sat * events).toLocaleString('en'), `${perSecond.toLocaleString('en')} (${Math.round(fixed.achieved).toLocaleString('en')})`, fixed.p50, fixed.p99];
    console.log(row.join('  '));
    rows.push(row);
  }
  await sql`DROP TABLE bench_events_baseline`.execute(ctx.db);
  await sql`DELETE FROM video_events WHERE id > ${before}::bigint`.execute(ctx.db);
  return `Part 3, event ingestion: a write is one \`POST /events\` batch as the web client sends it (its queue flushes every 4 s: a person's last two
clips — impression, watch to the end and completion; impression and a 1.5 s watch — five events), through \`recordEvents\`, the function the
route calls after validating the body (group commit: visibility check and append to \`video_events\`; impressions and views are folded in by the worker). Random people, clips by hot
rank with a steep power law. Saturation: ${writers} concurrent writers for ${INGEST_SECONDS} s on the server's pool of ${ctx.config.databasePoolSize} connections; fixed
rate: ${perSecond.toLocaleString('en')} writes/s offered (${OFFERED_EVENTS_PER_S.toLocaleString('en')} events/s) for ${INGEST_SECONDS} s, open loop, latency from when each write was due.
The baseline is a bare single-row INSERT into a table of \`video_events\`' shape, offered the same writes/s.

${table(['write', 'events / write', 'writes/s at saturation', 'events/s at saturation', 'offered writes/s (achieved)', 'p50 ms', 'p99 ms'], rows)}`;
}
