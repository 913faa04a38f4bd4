// `npm run bench:stories`: the stories tray (GET /stories/feed through its service function) on
// PostgreSQL with 100k people, for people with 500 friends of whom 200 have live stories, beside a
// primary-key lookup measured in the same run. Seeded set-based with generate_series.
import os from 'node:os';
import { sql } from 'kysely';
import { loadConfig } from '../server/src/app/config.ts';
import { createContext } from '../server/src/app/context.ts';
import { storyTray } from '../server/src/modules/stories/stories-tray.ts';
import { createFreshDatabase } from '../server/test/harness.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
/** The people whose trays are timed: 500 friends each, 200 of them with live stories. */
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 40);
const FRIENDS = 500;
const WITH_STORIES = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);

const db0 = await createFreshDatabase(PG);
const ctx = await createContext(loadConfig({ DATABASE_URL: db0.url, LOG_LEVEL: 'warn', NODE_ENV: 'test', WORKER: 'false' }));
const timed = async (label: string, q: ReturnType<typeof sql>) => {
  const t0 = performance.now();
  await q.execute(ctx.db);
  console.log(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
};
function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
/** Viewer i's id, spread over the id space. */
const viewerId = (i: number) => 1 + ((i * 2399) % USERS);

try {
  await seed();
  await measure();
  if (process.env.BENCH_BREAKDOWN) await breakdown();
} finally {
  await ctx.close();
  await db0.drop();
}

async function seed() {
  console.log(`seeding ${USERS} people, their follows, ${VIEWERS} people with ${FRIENDS} friends, stories…`);
  await timed('users', sql`INSERT INTO users (username, display_name, password_hash) SELECT 'user' || g, 'User ' || g, 'x' FROM generate_series(1, ${USERS}) g`);
  // Everyone follows 20 people spread over the id space (5 of them mutual), as in bench:feed.
  await timed(
    'follows',
    sql`INSERT INTO follows (follower_id, followee_id)
        SELECT u, 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}) FROM generate_series(1, ${USERS}) u, generate_series(1, 20) k
         WHERE 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}) <> u
        UNION
        SELECT 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}), u FROM generate_series(1, ${USERS}) u, generate_series(1, 5) k
         WHERE 1 + ((u - 1 + k * k * 7919 + k) % ${USERS}) <> u
        ON CONFLICT DO NOTHING`,
  );
  // The timed people: 500 friends each (mutual follows); friend k of viewer i is 1 + (v + k·97) mod USERS.
  await timed(
    'friends of the timed people',
    sql`INSERT INTO follows (follower_id, followee_id)
        SELECT v, f FROM (SELECT 1 + ((i * 2399) % ${USERS}) AS v, 1 + ((1 + ((i * 2399) % ${USERS}) + k * 97) % ${USERS}) AS f
                            FROM generate_series(0, ${VIEWERS - 1}) i, generate_series(1, ${FRIENDS}) k) p WHERE v <> f
        UNION
        SELECT f, v FROM (SELECT 1 + ((i * 2399) % ${USERS}) AS v, 1 + ((1 + ((i * 2399) % ${USERS}) + k * 97) % ${USERS}) AS f
                            FROM generate_series(0, ${VIEWERS - 1}) i, generate_series(1, ${FRIENDS}) k) p WHERE v <> f
        ON CONFLICT DO NOTHING`,
  );
  // Background: one person in ten has 1–3 live stories; and a week of expired ones (3 a day for
  // one in five), which the tray's index must step over.
  await timed(
    'background stories (live and expired)',
    sql`INSERT INTO stories (author_id, media_type, image_key, media_token, audience, created_at, expires_at)
        SELECT u, 'image', 'stories/' || u || '/' || n || '.webp', md5(u::text || n::text), 'friends',
               now() - (n * interval '5 hours'), now() - (n * interval '5 hours') + interval '24 hours'
          FROM generate_series(1, ${USERS}, 10) u, generate_series(0, 2) n WHERE (u + n) % 3 <> 0
        UNION ALL
        SELECT u, 'image', 'stories/' || u || '/x' || n || '.webp', md5(u::text || 'x' || n::text), 'friends',
               now() - (n * interval '8 hours') - interval '1 day', now() - (n * interval '8 hours')
          FROM generate_series(2, ${USERS}, 5) u, generate_series(1, 21) n`,
  );
  // The timed people's first 200 friends each have 2 live stories (one in ten for close friends).
  await timed(
    'stories of the timed people’s friends',
    sql`INSERT INTO stories (author_id, media_type, image_key, media_token, audience, created_at, expires_at)
        SELECT DISTINCT ON (f, n) f, 'image', 'stories/' || f || '/f' || n || '.webp', md5(f::text || 'f' || n::text),
               CASE WHEN f % 10 = 0 THEN 'close_friends' ELSE 'friends' END,
               now() - (n * interval '3 hours') - (f % 60) * interval '1 minute', now() - (n * interval '3 hours') + interval '24 hours'
          FROM (SELECT 1 + ((1 + ((i * 2399) % ${USERS}) + k * 97) % ${USERS}) AS f FROM generate_series(0, ${VIEWERS - 1}) i, generate_series(1, ${WITH_STORIES}) k) p,
               generate_series(1, 2) n`,
  );
  // Each timed person has seen about half of those; and is on a few close-friends lists.
  await timed(
    'views and close friends',
    sql`WITH v AS (SELECT 1 + ((i * 2399) % ${USERS}) AS v, 1 + ((1 + ((i * 2399) % ${USERS}) + k * 97) % ${USERS}) AS f
                     FROM generate_series(0, ${VIEWERS - 1}) i, generate_series(1, ${WITH_STORIES}) k),
            seen AS (INSERT INTO story_views (story_id, viewer_id) SELECT s.id, v.v FROM v JOIN stories s ON s.author_id = v.f AND s.expires_at > now() WHERE v.f % 2 = 0 ON CONFLICT DO NOTHING)
        INSERT INTO close_friends (user_id, friend_id) SELECT f, v FROM v WHERE f % 20 = 0 AND f <> v ON CONFLICT DO NOTHING`,
  );
  await timed('vacuum analyze', sql`VACUUM (ANALYZE)`);
  const n = await sql<{ n: string; live: string }>`SELECT count(*) AS n, count(*) FILTER (WHERE expires_at > now()) AS live FROM stories`.execute(ctx.db);
  console.log(`  stories: ${n.rows[0]!.n} (${n.rows[0]!.live} live)`);
}


async function measure() {
  const viewers = Array.from({ length: VIEWERS }, (_, i) => String(viewerId(i)));
  // Warm-up as people who are not timed.
  for (let i = 0; i < 10; i++) await storyTray(ctx, String(viewerId(VIEWERS + i)));
  const tray: number[] = [];
  const pk: number[] = [];
  let people = 0;
  let stories = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of viewers) {
      // The baseline beside each tray: one primary-key lookup of a person, the cheapest query there is.
      let t0 = performance.now();
      await ctx.db.selectFrom('users').selectAll().where('id', '=', String(1 + ((Number(v) * 31 + r) % USERS))).executeTakeFirst();
      pk.push(performance.now() - t0);
      t0 = performance.now();
      const t = await storyTray(ctx, v);
      tray.push(performance.now() - t0);
      people += t.items.length;
      stories += t.items.reduce((n, e) => n + e.stories.length, 0);
    }
  }
  const n = tray.length;
  const rows = [
    ['GET /stories/feed (tray)', pct(tray, 50).toFixed(1), pct(tray, 99).toFixed(1), (people / n).toFixed(0), (stories / n).toFixed(0)],
    ['primary-key lookup (baseline)', pct(pk, 50).toFixed(2), pct(pk, 99).toFixed(2), '', ''],
  ];
  console.log(rows.map((r) => r.join('  ')).join('\n'));
  const md = `## Stories tray on PostgreSQL

\`npm run bench:stories\` — ${USERS.toLocaleString('en')} people (each following 20, 5 of them mutual), ${VIEWERS} timed people with ${FRIENDS} friends each,
${WITH_STORIES} of whom have 2 live stories (one author in ten posts to close friends only); in the background one person in ten has live stories
and a week of expired ones lies in the same table; each timed person has seen about half of their friends' stories. Timed through the tray's service
function (candidates, visibility, seen marks, closeness, user views), ${n} trays one at a time, each beside a primary-key lookup of \`users\`. Milliseconds.

${table(['query', 'p50', 'p99', 'people / tray', 'stories / tray'], rows)}

Target: tray p99 ≤ 50 ms. p99 ratio tray / PK lookup: ${(pct(tray, 99) / pct(pk, 99)).toFixed(0)}×. ${machineNote()} Load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1/5/15 min) at the end of the run.`;
  console.log(`\n${md}`);
  // Trial runs with fewer people print but do not replace the recorded figures.
  if (USERS === 100_000) recordSection('stories', md);
}

/** Where a tray's time goes (BENCH_BREAKDOWN=1): each read alone, p50 over the timed people. */
async function breakdown() {
  const graph = await import('../server/src/modules/graph/index.ts');
  const media = await import('../server/src/modules/media/index.ts');
  const messaging = await import('../server/src/modules/messaging/index.ts');
  const repo = await import('../server/src/modules/stories/stories.repo.ts');
  const { getUserViews } = await import('../server/src/modules/accounts/index.ts');
  const viewers = Array.from({ length: VIEWERS }, (_, i) => String(viewerId(i)));
  const parts: Record<string, (v: string) => Promise<unknown>> = {
    followees: (v) => graph.followees(ctx, v),
    closeLists: (v) => repo.closeListsContaining(ctx.db, v),
    blocked: (v) => graph.blockedEitherWayIds(ctx, v),
    chat: (v) => messaging.recentChatActivity(ctx, v, { days: 30, halfLifeDays: 7 }),
    signals: (v) => media.personSignals(ctx, v),
    theirViews: (v) => repo.storyEngagementWith(ctx.db, v, null, 30),
    myViews: (v) => repo.engagementByViewer(ctx.db, v, 30),
    live: async (v) => repo.liveStoriesOf(ctx.db, (await graph.followees(ctx, v)).map((f) => f.id)),
    seen: async (v) => repo.seenAmong(ctx.db, v, (await repo.liveStoriesOf(ctx.db, (await graph.followees(ctx, v)).map((f) => f.id))).map((r) => String(r.id))),
    users: async (v) => getUserViews(ctx, (await graph.followees(ctx, v)).map((f) => f.id)),
  };
  for (const [name, run] of Object.entries(parts)) {
    const ts: number[] = [];
    for (const v of viewers) {
      const t0 = performance.now();
      await run(v);
      ts.push(performance.now() - t0);
    }
    console.log(`${name.padEnd(12)} p50 ${pct(ts, 50).toFixed(1)} ms`);
  }
}
