// `npm run bench:live-chat` (issue 14, acceptance 4): 10,000 viewer sockets in one live room and
// 50 chat messages a second sent into it by 50 people, through the whole app: auth, `live.join`,
// every chat rule checked on the server (visibility, bans, followers-only, rate limit, slow
// mode), each message stored and acked, then batched (~100 ms) and fanned out by the real-time
// core. Beside it, in the same run, a bare `ws` broadcast: the same frame shape, each message
// sent to every socket as it arrives (no auth, no rules, no database, no batching). Reports
// delivered chat p50/p99 (sender's send → viewer has it; one machine, one clock), the server's
// event-loop lag p99, its CPU, and its RSS per viewer. The server runs in this process (PGlite,
// or PostgreSQL with BENCH_DATABASE_URL); sockets live in child processes (bench/lib/live-crowd.ts).
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { loadConfig } from '../server/src/app/config.ts';
import { createContext } from '../server/src/app/context.ts';
import { buildHttpApp } from '../server/src/app/http.ts';
import { instrumentLiveChat } from './lib/live-breakdown.ts';
import { HIST_STEP_MS } from './lib/live-crowd.ts';
import { machineNote, recordSection, table } from './lib/report.ts';
import { ask, askAll, forkCrowd } from './lib/crowd-ipc.ts';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const SENDERS = 50;
const VIEWER_USERS = 100;
const CHILDREN = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const crowd = () => forkCrowd('live-crowd.ts');
const all = askAll;

interface Round {
  name: string;
  sent: number;
  accepted: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  lagP99: number;
  cpuPct: number;
  /** The server process's CPU time per 1,000 deliveries: what the fan-out costs, whatever else loads the machine. */
  cpuMsPerK: number;
  /** Each viewer child process's CPU over the round (they share the machine's cores with the server). */
  crowdCpuPct: number[];
  /** Each viewer child's own event-loop delay p99: how late it gets to read what the kernel already has. */
  crowdLagP99: number[];
  /** The viewer processes' CPU time (both) per 1,000 deliveries: what reading costs the machine. */
  crowdCpuMsPerK: number;
  rssPerViewerKiB: number;
}

async function connect(children: ChildProcess[], url: string, tokens: string[], liveId?: string): Promise<number> {
  gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = Date.now();
  const per = Math.ceil(VIEWERS / children.length);
  await Promise.all(children.map((c, i) => ask(c, { cmd: 'connect', url, tokens, liveId, count: Math.min(per, VIEWERS - i * per) })));
  await sleep(1000);
  gc();
  const perViewer = (process.memoryUsage().rss - rss0) / VIEWERS / 1024;
  console.log(`${VIEWERS} viewers in the room in ${((Date.now() - t0) / 1000).toFixed(1)} s; RSS +${perViewer.toFixed(1)} KiB per viewer`);
  return perViewer;
}

/** Chat sent at RATE/s for SECONDS by the senders (a child of their own, so they send on schedule), then until every viewer has every accepted message. */
async function measure(children: ChildProcess[], senders: ChildProcess, name: string, send: Record<string, unknown>, rssPerViewerKiB: number): Promise<Round> {
  await all(children, { cmd: 'start' });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const sent = await ask(senders, { cmd: 'send', rate: RATE, seconds: SECONDS, ...send });
  if (sent.refused) console.log(`${name}: refused ${JSON.stringify(sent.codes)}`);
  const accepted = send.liveId ? sent.acked : sent.sent;
  const expected = accepted * VIEWERS;
  const deadline = Date.now() + 90_000;
  let counts: any[] = [];
  for (;;) {
    counts = await all(children, { cmd: 'count' });
    if (counts.reduce((s, c) => s + c.received, 0) >= expected || Date.now() > deadline) break;
    await sleep(100);
  }
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const results = await all(children, { cmd: 'stop' });
  const hist = new Array<number>(results[0].histogram.length).fill(0);
  let delivered = 0;
  for (const r of results) {
    delivered += r.received;
    for (const [i, c] of (r.histogram as number[]).entries()) hist[i] = (hist[i] ?? 0) + c;
  }
  const pct = (p: number) => {
    let seen = 0;
    for (const [i, c] of hist.entries()) {
      seen += c;
      if (seen >= (p / 100) * delivered) return (i + 1) * HIST_STEP_MS;
    }
    return Number.NaN;
  };
  const round: Round = {
    name,
    sent: sent.sent,
    accepted,
    delivered,
    expected,
    p50: pct(50),
    p99: pct(99),
    lagP99: lag.percentile(99) / 1e6,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    cpuMsPerK: (cpu.user + cpu.system) / 1000 / (delivered / 1000),
    crowdCpuPct: results.map((r) => r.cpuPct as number),
    crowdLagP99: results.map((r) => r.lagP99 as number),
    crowdCpuMsPerK: results.reduce((sum, r) => sum + (r.cpuMs as number), 0) / (delivered / 1000),
    rssPerViewerKiB,
  };
  console.log(`${name}: sent ${round.sent}, accepted ${accepted}, delivered ${delivered}/${expected}, p50 ${round.p50} ms, p99 ${round.p99} ms, lag p99 ${round.lagP99.toFixed(1)} ms, CPU ${round.cpuPct}% (${round.cpuMsPerK.toFixed(2)} ms per 1,000 deliveries), viewer processes' CPU ${round.crowdCpuPct.join(' / ')}% (${round.crowdCpuMsPerK.toFixed(2)} ms per 1,000 deliveries), their event-loop lag p99 ${round.crowdLagP99.map((l) => l.toFixed(1)).join(' / ')} ms`);
  return round;
}

/** The baseline: a bare `ws` server that broadcasts each chat frame it receives, serialised and encoded once, to every socket. */
async function bareRound(children: ChildProcess[], senders: ChildProcess): Promise<Round> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 64 * 1024 });
  const viewers = new Set<import('ws').WebSocket>();
  let n = 0;
  wss.on('connection', (ws) => {
    viewers.add(ws);
    ws.on('close', () => viewers.delete(ws));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { text: string };
      viewers.delete(ws); // a sender is not a viewer
      const bytes = Buffer.from(JSON.stringify({ type: 'live.chat', liveId: '1', messages: [{ id: String(++n), user: { id: '1', username: 'bench' }, text: m.text, createdAt: new Date().toISOString() }] }));
      for (const v of viewers) v.send(bytes, { binary: false });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const rss = await connect(children, url, []);
  const round = await measure(children, senders, 'bare ws broadcast', { url, tokens: [], senders: SENDERS }, rss);
  await all(children, { cmd: 'close' });
  wss.close();
  server.close();
  return round;
}

async function liveRound(children: ChildProcess[], senders: ChildProcess): Promise<{ round: Round; engine: string; where?: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-bench-live-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    APP_SECRET: 'bench-secret-bench-secret-bench-secret-01',
    DATA_DIR: dataDir,
    RTMP_PORT: '0',
    // 10,000 sockets from one address: the documented per-IP and per-user limits raised for the bench.
    RATE_LIMIT_API_PER_IP: '10000000',
    RATE_LIMIT_API_PER_USER: '10000000',
    RATE_LIMIT_SIGNUP_PER_IP: '100000',
    // Each sender sends 1 message a second, but a busy machine delivers them in bunches: the per-person chat limit
    // (documented setting) is raised from 3 to 10 per 2 s so the bench measures delivery, not the limiter. Every rule is still checked.
    LIVE_CHAT_MESSAGES: '10',
    ...(process.env.BENCH_DATABASE_URL && { DATABASE_URL: process.env.BENCH_DATABASE_URL }),
  });
  // BENCH_BREAKDOWN=1: time each stage of a message's way from outside the server (bench/lib/live-breakdown.ts).
  const breakdown = process.env.BENCH_BREAKDOWN ? instrumentLiveChat() : undefined;
  const ctx = await createContext(config, { pgliteDataDir: 'memory://' });
  const app = await buildHttpApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const signup = async (i: number) => {
    const res = await fetch(`${base}/api/v1/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: `bench${i}_${process.pid % 1000}`, password: 'correct-horse-battery' }) });
    if (res.status !== 201) throw new Error(`signup ${res.status} ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const tokens: string[] = [];
  for (let i = 0; i < VIEWER_USERS + SENDERS + 1; i += 10) tokens.push(...(await Promise.all(Array.from({ length: Math.min(10, VIEWER_USERS + SENDERS + 1 - i) }, (_, k) => signup(i + k)))));
  const hostToken = tokens.pop()!;
  const created = await fetch(`${base}/api/v1/lives`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` }, body: JSON.stringify({ title: 'bench live' }) });
  const liveId = ((await created.json()) as { live: { id: string } }).live.id;
  const url = `${base.replace('http', 'ws')}/api/v1/ws`;
  const rss = await connect(children, url, tokens.slice(0, VIEWER_USERS), liveId);
  breakdown?.start();
  const round = await measure(children, senders, 'Loop live chat', { url, tokens: tokens.slice(VIEWER_USERS), liveId }, rss);
  const where = breakdown?.report();
  if (where) console.log(where);
  await all(children, { cmd: 'close' });
  await app.close();
  await ctx.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { round, engine: ctx.dbEngine, where };
}

async function main() {
  const children = Array.from({ length: CHILDREN }, crowd);
  const senders = crowd();
  // One server's 10,000 sockets at a time (the open-file limit may be 20,000 per process).
  // BENCH_LOOP_ONLY=1: only Loop's round, printed and not recorded (to compare two versions of the server quickly).
  if (process.env.BENCH_LOOP_ONLY) {
    await liveRound(children, senders);
    for (const c of [...children, senders]) c.kill();
    return;
  }
  const bare = await bareRound(children, senders);
  const { round: live, engine, where } = await liveRound(children, senders);
  for (const c of [...children, senders]) c.kill();

  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const row = (r: Round) => [r.name, f(r.sent), f(r.accepted), `${f(r.delivered)} / ${f(r.expected)}`, r.p50.toFixed(1), r.p99.toFixed(1), r.lagP99.toFixed(1), `${r.cpuPct}%`, r.cpuMsPerK.toFixed(2), r.crowdCpuPct.map((c) => `${c}%`).join(' / '), r.crowdCpuMsPerK.toFixed(2), r.crowdLagP99.map((l) => l.toFixed(1)).join(' / '), r.rssPerViewerKiB.toFixed(1)];
  const md = [
    '## Live chat: 10,000 viewers in one room, 50 messages/s (bench:live-chat)',
    '',
    `\`npm run bench:live-chat\` — ${f(VIEWERS)} viewer sockets (in ${CHILDREN} child processes) in one live room; ${SENDERS} people send ${RATE} chat`,
    `messages a second between them for ${SECONDS} s (1 a second each; the per-person limit raised to 10 per 2 s, since a busy machine bunches them). **Loop**: the whole app in the bench`,
    `process (${engine}): each viewer signs in, \`hello\`, \`live.join\` → snapshot; each message passes every chat rule, is stored and acked,`,
    'then leaves with the others of the next ~100 ms in one `live.chat` frame, fanned out by the real-time core (a room channel: a cursor',
    'going round the members, 500 sockets per event-loop turn, each handed what it has not had in one write). **Bare**: a `ws` server that sends each message, serialised once, to every socket as it',
    'arrives (no auth, rules, storage or batching). Delivered p50/p99: the sender wrote the frame → the viewer has the message (one',
    "machine, one clock). Lag: the server process's event-loop delay p99; CPU: the server process's over the round, and its CPU time per",
    "1,000 deliveries (what the fan-out costs, less sensitive to what else loads the machine); viewer processes' CPU: each crowd child's",
    'own over the round, per 1,000 deliveries, and its event-loop lag (they read 5,000 sockets each on the same cores, splitting the',
    "frames themselves rather than through `ws`'s receiver; a saturated one delays what it counts); RSS per viewer:",
    "the server process's resident memory after the viewers joined, less before, over the viewers (after a GC).",
    '',
    table(['server', 'sent', 'accepted', 'delivered', 'p50 ms', 'p99 ms', 'event-loop lag p99 ms', 'server CPU', 'server CPU ms per 1,000 deliveries', 'viewer processes CPU', 'viewer CPU ms per 1,000 deliveries', 'viewer event-loop lag p99 ms', 'RSS KiB per viewer'], [row(bare), row(live)]),
    '',
    `Targets (issue 14): delivered chat p99 ≤ 500 ms — ${live.p99 <= 500 ? 'met' : 'NOT met'} (${live.p99.toFixed(1)} ms; bare ${bare.p99.toFixed(1)} ms); event-loop lag p99 ≤ 50 ms — ${live.lagP99 <= 50 ? 'met' : 'NOT met'} (${live.lagP99.toFixed(1)} ms; bare ${bare.lagP99.toFixed(1)} ms).`,
    '',
    ...(where ? ['```', where, '```', ''] : []),
    `${machineNote()} Load average at the end: ${load} (a shared machine: compare with the bare round).`,
  ].join('\n');
  recordSection('live-chat', md);
  console.log(`\n${md}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
