// `npm run bench:http`: authenticated GET /api/v1/me on PGlite and on PostgreSQL, beside a
// bare Fastify server answering the same JSON, all measured in the same run with autocannon.
import os from 'node:os';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { startTestServer } from '../server/test/harness.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, url: string, headers: Record<string, string>): Promise<Result> {
  // A short warm-up so JIT and connection pools are ready before we measure.
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  const errors = r.errors + r.timeouts + (r.non2xx ?? 0);
  console.log(`${name}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${errors}`);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors };
}

async function bare(body: unknown): Promise<Result> {
  const app = Fastify();
  app.get('/api/v1/me', async () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  try {
    return await load('bare Fastify (same JSON, no auth, no database)', `http://127.0.0.1:${port}/api/v1/me`, {});
  } finally {
    await app.close();
  }
}

async function loop(engine: 'pglite' | 'postgres'): Promise<{ result: Result; body: unknown }> {
  const env: Record<string, string> = { RATE_LIMIT_API_PER_IP: '100000000', RATE_LIMIT_API_PER_USER: '100000000' };
  // Each engine gets a fresh database: in-memory PGlite, or a new database on the PostgreSQL server.
  const s = await startTestServer({ env, postgresUrl: engine === 'postgres' ? PG : '' });
  try {
    const u = await s.make.user();
    const body = (await s.api('GET', '/me', { token: u.token })).body;
    const result = await load(`Loop GET /api/v1/me on ${engine}`, `${s.url}/api/v1/me`, { authorization: `Bearer ${u.token}` });
    return { result, body };
  } finally {
    await s.close();
  }
}

const pglite = await loop('pglite');
const postgres = await loop('postgres');
const baseline = await bare(pglite.body);

const rows = [baseline, pglite.result, postgres.result].map((r) => [
  r.name,
  Math.round(r.rps),
  `${(r.rps / baseline.rps).toFixed(2)}×`,
  r.p50,
  r.p99,
  r.errors,
]);
const md = table(['server', 'requests/s', 'vs bare', 'p50 ms', 'p99 ms', 'errors'], rows);
console.log(`\n${md}`);
recordSection(
  'http',
  `## HTTP: authenticated \`GET /api/v1/me\`

\`npm run bench:http\` — autocannon, ${CONNECTIONS} connections, ${DURATION} s after a 2 s warm-up, load generator in the same process.
Each Loop request resolves the bearer token (SHA-256 → session row), applies the per-IP and per-user rate limits,
reads the user and serialises through the zod response schema. The bare server answers the same JSON with nothing else.

${md}

${machineNote()} Load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1/5/15 min) at the end of the run: the machine is shared, compare the rows, not the absolute figures.`,
);
process.exit(0);
