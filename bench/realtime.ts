// `npm run bench:realtime` (issue 12, acceptance 6): one live room with 10,000 sockets, 50
// messages a second published into it, fanned out by the real-time core (platform/realtime:
// the transport, a channel subscribed once on pub/sub, fan-out in passes of 500 sockets a turn,
// writes corked per turn), beside a bare `ws` broadcast (one JSON.stringify and encode, then
// `send` to every client in one loop) measured in the same run. Reports deliveries/s,
// publish→receive p50/p99, and the server's event-loop lag p99; then the core again at half
// the load. The server runs in this process; the clients are child processes (bench/lib/room-crowd.ts).
// Rounds: bare, core, core at half load, bare (the core is compared with the mean of the bare rounds).
import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { createLocalPubSub } from '../server/src/platform/pubsub/pubsub.ts';
import type { Frame } from '../server/src/platform/realtime/frames.ts';
import { RealtimeServer, WS_MAX_PAYLOAD } from '../server/src/platform/realtime/transport.ts';
import { HIST_STEP_MS } from './lib/room-crowd.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 2);
const ROOM = 'room:bench';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A chat line of a usual length, as a live room's frame would carry it.
const LINE = 'that trick at the end though 🔥🔥 how long did it take to land';

function crowd(): ChildProcess {
  return fork(path.resolve(import.meta.dirname, 'lib/room-crowd.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
function ask(child: ChildProcess, msg: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    child.once('message', (m: any) => (m.ok ? resolve(m) : reject(new Error(m.error))));
    child.send(msg as any);
  });
}
const all = (children: ChildProcess[], msg: unknown) => Promise.all(children.map((c) => ask(c, msg)));

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

interface Round {
  name: string;
  rate: number;
  deliveriesPerSec: number;
  expectedPerSec: number;
  p50: number;
  p99: number;
  lagP99: number;
  cpuPct: number;
}

/** Publishes `rate` frames a second for SECONDS through `publish`, the clients counting; the server's lag and CPU alongside. */
async function measure(children: ChildProcess[], name: string, rate: number, publish: (frame: Frame & { n: number; t: number }) => void): Promise<Round> {
  await all(children, { cmd: 'start' });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const total = Math.round(rate * SECONDS);
  for (let n = 0; n < total; n++) {
    // On schedule, not after a fixed pause: a slow fan-out does not lower the offered load.
    const due = t0 + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    publish({ type: 'room.message', n, t: now(), text: LINE } as Frame & { n: number; t: number });
  }
  await sleep(Math.max(0, t0 + SECONDS * 1000 - performance.now()) + 500);
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const results = await all(children, { cmd: 'stop' });
  const hist = new Array<number>(results[0].histogram.length).fill(0);
  let received = 0;
  for (const r of results) {
    received += r.received;
    for (const [i, c] of (r.histogram as number[]).entries()) hist[i] = (hist[i] ?? 0) + c;
  }
  const pct = (p: number) => {
    let seen = 0;
    const want = (p / 100) * received;
    for (const [i, c] of hist.entries()) {
      seen += c;
      if (seen >= want) return (i + 1) * HIST_STEP_MS;
    }
    return Number.NaN;
  };
  const round = {
    name,
    rate,
    deliveriesPerSec: Math.round(received / SECONDS),
    expectedPerSec: rate * SOCKETS,
    p50: pct(50),
    p99: pct(99),
    lagP99: lag.percentile(99) / 1e6,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (SECONDS * 1000 + 500)) * 100),
  };
  console.log(`${name} @ ${rate}/s: ${round.deliveriesPerSec} deliveries/s of ${round.expectedPerSec}, p50 ${round.p50} ms, p99 ${round.p99} ms, lag p99 ${round.lagP99.toFixed(1)} ms, server CPU ${round.cpuPct}%`);
  return round;
}

async function connectAll(children: ChildProcess[], url: string, hello: boolean) {
  const t0 = Date.now();
  const per = Math.ceil(SOCKETS / children.length);
  await Promise.all(children.map((c, i) => ask(c, { cmd: 'connect', url, count: Math.min(per, SOCKETS - i * per), hello })));
  console.log(`${SOCKETS} sockets open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The baseline: a bare `ws` server that sends each frame, serialised and encoded once, to every client in one loop (ws's README broadcast). */
async function bareRound(children: ChildProcess[], name: string): Promise<Round> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD });
  const port = await listen(server);
  await connectAll(children, `ws://127.0.0.1:${port}/`, false);
  const round = await measure(children, name, RATE, (frame) => {
    const bytes = Buffer.from(JSON.stringify(frame));
    for (const ws of wss.clients) ws.send(bytes, { binary: false });
  });
  await all(children, { cmd: 'close' });
  wss.close();
  server.close();
  return round;
}

/** The real-time core: each socket accepted by the transport (hello, ready) and joined to the room; frames published on pub/sub. */
async function coreRounds(children: ChildProcess[]): Promise<Round[]> {
  const log = pino({ level: 'warn' });
  const pubsub = createLocalPubSub({ freezePayloads: false });
  const realtime = new RealtimeServer({
    ctx: {},
    pubsub,
    log,
    limits: { heartbeatMs: 30_000, sessionRecheckMs: 600_000, framesPerSec: 20, frameBurst: 40, maxBufferedBytes: 1 << 20 },
    features: [],
    helloSchema: z.object({ type: z.literal('hello') }),
    personalChannel: (userId) => `user:${userId}`,
    describeError: () => null,
    ...(process.env.BENCH_CHUNK && { fanOutChunk: Number(process.env.BENCH_CHUNK) }),
  });
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD });
  let n = 0;
  wss.on('connection', (ws) => {
    const conn = realtime.accept(ws, { userId: String(++n), session: `s${n}` });
    // A live room module would join on a `live.join` frame; the room is what is measured here.
    void conn.join(ROOM);
  });
  const port = await listen(server);
  await connectAll(children, `ws://127.0.0.1:${port}/`, true);
  const publish = (frame: Frame) => void pubsub.publish(ROOM, frame);
  const rounds = [await measure(children, 'core', RATE, publish), await measure(children, 'core, half load', RATE / 2, publish)];
  await all(children, { cmd: 'close' });
  await realtime.close();
  wss.close();
  server.close();
  await pubsub.close();
  return rounds;
}

async function main() {
  const children = Array.from({ length: CHILDREN }, crowd);
  const bare1 = await bareRound(children, 'bare ws broadcast');
  const [core, half] = await coreRounds(children);
  const bare2 = await bareRound(children, 'bare ws broadcast');
  await all(children, { cmd: 'exit' }).catch(() => {});
  const bareMean = (bare1.deliveriesPerSec + bare2.deliveriesPerSec) / 2;
  const ratio = core!.deliveriesPerSec / bareMean;
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const f = (x: number) => x.toLocaleString('en-US');
  const row = (r: Round, vs: string) => [r.name, `${r.rate}/s`, f(r.deliveriesPerSec), f(r.expectedPerSec), vs, r.p50.toFixed(2), r.p99.toFixed(2), r.lagP99.toFixed(1), `${r.cpuPct}%`];
  const md = [
    '## Real-time core: one live room, 10,000 sockets (bench:realtime)',
    '',
    `\`npm run bench:realtime\` — ${f(SOCKETS)} WebSocket clients (in ${CHILDREN} child processes) in one room; frames of about 130 bytes published`,
    `into it at ${RATE}/s for ${SECONDS} s per round, the server in the bench process. **Core**: each socket accepted by the transport`,
    '(`hello` → `ready`, budgets, heartbeats) and joined to channel `room:bench`; frames are published on pub/sub (in-process here),',
    'serialised and encoded once, and the channel fans out in passes of 500 sockets per event-loop turn, writes corked per',
    'socket per turn. **Bare**: a `ws` server that serialises and encodes once and `send`s to every client in one loop (the',
    'broadcast of ws\'s README), no auth, no channels. Rounds run bare, core, core at half load, bare; the core is compared with the mean of the two bare rounds.',
    'Latency is publish → the client has the frame (the clock of the same machine); lag is the server process\'s event-loop',
    'delay p99 (`monitorEventLoopDelay`).',
    '',
    table(
      ['round', 'offered', 'deliveries/s', 'offered deliveries/s', 'vs bare', 'p50 ms', 'p99 ms', 'event-loop lag p99 ms', 'server CPU'],
      [row(bare1, '—'), row(core!, `${ratio.toFixed(2)}×`), row(half!, '—'), row(bare2, '—')],
    ),
    '',
    `Targets (issue 12): deliveries/s ≥ 0.5× bare — ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×); p99 ≤ 250 ms at half load — ${half!.p99 <= 250 ? 'met' : 'NOT met'} (${half!.p99.toFixed(1)} ms); event-loop lag p99 ≤ 50 ms at half load — ${half!.lagP99 <= 50 ? 'met' : 'NOT met'} (${half!.lagP99.toFixed(1)} ms).`,
    '',
    `${machineNote()} Load average at the end: ${load} (a shared machine: compare ratios).`,
  ].join('\n');
  recordSection('realtime', md);
  console.log(`\n${md}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
