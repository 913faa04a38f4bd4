// `npm run bench:feed`: p50/p99 of each feed on PostgreSQL with 100k users, ~2M follows and
// 1M videos, seeded set-based with generate_series. Each feed is timed through its service
// function (candidates, filters, author lookup and the API view), page 1 and page 2.
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../server/src/app/config.ts';
import { createContext } from '../server/src/app/context.ts';
import { followingFeed, forYouFeed, friendsFeed } from '../server/src/modules/feed/feed.service.ts';
import { createFreshDatabase } from '../server/test/harness.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const VIDEOS = Number(process.env.BENCH_VIDEOS ?? 1_000_000);
const FOLLOWS_PER_USER = 20;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);

// BENCH_DB=<name> keeps a seeded database between runs (for working from query plans);
// without it every run seeds a fresh database and drops it at the end.
const db0 = process.env.BENCH_DB ? await namedDatabase(PG, process.env.BENCH_DB) : { ...(await createFreshDatabase(PG)), seeded: false };
const ctx = await createContext(loadConfig({ DATABASE_URL: db0.url, LOG_LEVEL: 'warn', NODE_ENV: 'test', WORKER: 'false' }));
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

try {
  if (!db0.seeded) await seed();
  await runFeeds();
} finally {
  await ctx.close();
  await db0.drop();
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

async function runFeeds() {
  // The sampled viewers are the ones with a watch history (above); the warm-up runs as
  // other people, so no measured request finds its own rows already cached.
  const viewers = Array.from({ length: SAMPLES }, (_, i) => String(1 + ((i * 337) % USERS)));
  const sampled = new Set(viewers);
  const warmers = Array.from({ length: 20 }, (_, i) => String(1 + ((i * 337 + 50) % USERS))).filter((v) => !sampled.has(v));
  const feeds = {
    following: (v: string, cursor?: string) => followingFeed(ctx, v, { limit: 10, cursor }),
    friends: (v: string, cursor?: string) => friendsFeed(ctx, v, { limit: 10, cursor }),
    'for-you': (v: string, cursor?: string) => forYouFeed(ctx, v, { limit: 10, cursor }),
  };
  const rows: (string | number)[][] = [];
  for (const [name, run] of Object.entries(feeds)) {
    for (const v of warmers) await run(v); // warm-up
    const first: number[] = [];
    const second: number[] = [];
    let items = 0;
    for (const v of viewers) {
      let t0 = performance.now();
      const p1 = await run(v);
      first.push(performance.now() - t0);
      items += p1.items.length;
      if (p1.nextCursor) {
        t0 = performance.now();
        await run(v, p1.nextCursor);
        second.push(performance.now() - t0);
      }
    }
    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1) : '–';
    };
    const row = [`/feed/${name}`, pct(first, 50), pct(first, 99), pct(second, 50), pct(second, 99), (items / viewers.length).toFixed(1)];
    console.log(row.join('  '));
    rows.push(row);
  }
  const md = `## Feeds on PostgreSQL

\`npm run bench:feed\` — ${USERS.toLocaleString('en')} users (one in twenty private), ~${(USERS * (FOLLOWS_PER_USER + 5)).toLocaleString('en')} follows (20 out, 5 of them mutual),
${VIDEOS.toLocaleString('en')} videos over 60 days (80 % public / 15 % friends / 5 % private), 200 watched clips per sampled viewer (the 50 hottest among them),
seeded with \`generate_series\`. ${SAMPLES} viewers, page size 10, timed through the feed service (all queries, filters and the API view),
one request at a time. Milliseconds.

${table(['feed', 'p50 page 1', 'p99 page 1', 'p50 page 2', 'p99 page 2', 'items / page'], rows)}

Target: p99 ≤ 50 ms. ${machineNote()} Load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min) at the end of the run.`;
  console.log(`\n${md}`);
  recordSection('feed', md);
}
