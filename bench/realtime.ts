// `npm run bench:realtime` (issue 12, acceptance 6): one live room with 10,000 sockets, up to 50
// messages a second published into it, fanned out by the real-time core (platform/realtime:
// the transport, a channel subscribed once on pub/sub, fan-out in passes of 500 sockets a turn,
// writes corked per turn), beside a bare `ws` broadcast (one JSON.stringify and encode, then
// `send` to every client in one loop) measured in the same run. Reports deliveries/s,
// publish→receive p50/p99, and the server's event-loop lag p99; then both at half the bare
// broadcast's deliveries/s. The server runs in this process; the clients are child processes
// (bench/lib/room-crowd.ts). Rounds: bare, core, bare (the core is compared with the mean of the
// bare rounds either side), bare at half load, core at half load.
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pino from 'pino';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { createLocalPubSub } from '../server/src/platform/pubsub/pubsub.ts';
import type { Frame } from '../server/src/platform/realtime/frames.ts';
import { RealtimeServer, WS_MAX_PAYLOAD } from '../server/src/platform/realtime/transport.ts';
import { HIST_STEP_MS } from './lib/room-crowd.ts';
import { machineNote, recordSection, table } from './lib/report.ts';
import { ask, askAll, forkCrowd } from './lib/crowd-ipc.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const HALF_SECONDS = Number(process.env.BENCH_HALF_SECONDS ?? 10);
/** How long to wait for the last frames after publishing stops. */
const DRAIN_LIMIT_S = 120;
const CHILDREN = Number(process.env.BENCH_CHILDREN ?? 2);
const ROOM = 'room:bench';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A chat line of a usual length, as a live room's frame would carry it.
const LINE = 'that trick at the end though 🔥🔥 how long did it take to land';

const crowd = () => forkCrowd('room-crowd.ts');
const all = askAll;

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

interface Round {
  name: string;
  rate: number;
  deliveriesPerSec: number;
  offeredPerSec: number;
  p50: number;
  p99: number;
  lagP99: number;
  cpuPct: number;
  seconds: number;
}

/**
 * Publishes `rate` frames a second for `seconds` through `publish` (on schedule: a server that
 * falls behind is offered the same load), then waits until every client has every frame (or
 * DRAIN_LIMIT_S). Deliveries/s are over the time from the first publish to the last frame in;
 * the server's event-loop lag and CPU are taken over the same time.
 */
async function measure(children: ChildProcess[], name: string, rate: number, seconds: number, publish: (frame: Frame & { n: number; t: number }) => void): Promise<Round> {
  await all(children, { cmd: 'start' });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const start = now();
  const t0 = performance.now();
  const total = Math.max(1, Math.round(rate * seconds));
  for (let n = 0; n < total; n++) {
    // Yields to the event loop between publishes even when behind (as frames arriving over a
    // socket would), so a broadcast's queued writes can flush in between.
    await sleep(Math.max(0, t0 + (n * 1000) / rate - performance.now()));
    publish({ type: 'room.message', n, t: now(), text: LINE } as Frame & { n: number; t: number });
  }
  const expected = total * SOCKETS;
  const deadline = performance.now() + DRAIN_LIMIT_S * 1000;
  let counts: any[] = [];
  for (;;) {
    counts = await all(children, { cmd: 'count' });
    if (counts.reduce((sum, c) => sum + c.received, 0) >= expected || performance.now() > deadline) break;
    await sleep(100);
  }
  const end = Math.max(...counts.map((c) => c.lastAt), start + 1);
  lag.disable();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = now() - start;
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
  const round: Round = {
    name,
    rate,
    deliveriesPerSec: Math.round(received / ((end - start) / 1000)),
    offeredPerSec: Math.round(rate * SOCKETS),
    p50: pct(50),
    p99: pct(99),
    lagP99: lag.percentile(99) / 1e6,
    cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100),
    seconds: (end - start) / 1000,
  };
  if (received < expected) console.warn(`${name}: ${expected - received} of ${expected} frames never arrived within ${DRAIN_LIMIT_S} s`);
  console.log(
    `${name} @ ${rate.toFixed(1)}/s: ${round.deliveriesPerSec} deliveries/s (offered ${round.offeredPerSec}), p50 ${round.p50} ms, p99 ${round.p99} ms, lag p99 ${round.lagP99.toFixed(1)} ms, server CPU ${round.cpuPct}%, ${round.seconds.toFixed(1)} s`,
  );
  return round;
}

async function connectAll(children: ChildProcess[], url: string, hello: boolean) {
  const t0 = Date.now();
  const per = Math.ceil(SOCKETS / children.length);
  await Promise.all(children.map((c, i) => ask(c, { cmd: 'connect', url, count: Math.min(per, SOCKETS - i * per), hello })));
  console.log(`${SOCKETS} sockets open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

type Publish = (frame: Frame & { n: number; t: number }) => void;

/** The baseline: a bare `ws` server that sends each frame, serialised and encoded once, to every client in one loop (ws's README broadcast). */
async function bareServer(children: ChildProcess[]): Promise<{ publish: Publish; close(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: WS_MAX_PAYLOAD });
  const port = await listen(server);
  await connectAll(children, `ws://127.0.0.1:${port}/`, false);
  return {
    publish: (frame) => {
      const bytes = Buffer.from(JSON.stringify(frame));
      for (const ws of wss.clients) ws.send(bytes, { binary: false });
    },
    async close() {
      await all(children, { cmd: 'close' });
      wss.close();
      server.close();
    },
  };
}

/** The real-time core: each socket accepted by the transport (hello, ready) and joined to the room; frames published on pub/sub. */
async function coreServer(children: ChildProcess[]): Promise<{ publish: Publish; close(): Promise<void> }> {
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
  return {
    publish: (frame) => void pubsub.publish(ROOM, frame),
    async close() {
      await all(children, { cmd: 'close' });
      await realtime.close();
      wss.close();
      server.close();
      await pubsub.close();
    },
  };
}

async function main() {
  const children = Array.from({ length: CHILDREN }, crowd);
  // Saturation: bare, core, bare (the core against the mean of the bare rounds either side).
  let bare = await bareServer(children);
  const bare1 = await measure(children, 'bare ws broadcast', RATE, SECONDS, bare.publish);
  await bare.close();
  let core = await coreServer(children);
  const coreFull = await measure(children, 'core', RATE, SECONDS, core.publish);
  // One server's 10,000 sockets at a time: the open-file limit here is 20,000 per process.
  await core.close();
  bare = await bareServer(children);
  const bare2 = await measure(children, 'bare ws broadcast', RATE, SECONDS, bare.publish);
  const bareMean = (bare1.deliveriesPerSec + bare2.deliveriesPerSec) / 2;
  // Latency at half the bare broadcast's deliveries/s, for both.
  const halfRate = Math.min(RATE, bareMean / 2 / SOCKETS);
  const bareHalf = await measure(children, 'bare ws broadcast, half load', halfRate, HALF_SECONDS, bare.publish);
  await bare.close();
  core = await coreServer(children);
  const coreHalf = await measure(children, 'core, half load', halfRate, HALF_SECONDS, core.publish);
  await core.close();
  for (const c of children) c.kill();

  const ratio = coreFull.deliveriesPerSec / bareMean;
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const row = (r: Round, vs: string) => [r.name, `${r.rate.toFixed(1)}/s (${f(r.offeredPerSec)} deliveries/s)`, f(r.deliveriesPerSec), vs, r.p50.toFixed(1), r.p99.toFixed(1), r.lagP99.toFixed(1), `${r.cpuPct}%`];
  const md = [
    '## Real-time core: one live room, 10,000 sockets (bench:realtime)',
    '',
    `\`npm run bench:realtime\` — ${f(SOCKETS)} WebSocket clients (in ${CHILDREN} child processes) in one room; frames of about 130 bytes published`,
    `into it at up to ${RATE}/s (on schedule: a server that falls behind is offered the same load) for ${SECONDS} s, then until every`,
    'client has every frame; deliveries/s are over the time from the first publish to the last frame in. The server runs in the',
    'bench process. **Core**: each socket accepted by the transport (`hello` → `ready`, budgets, heartbeats) and joined to channel',
    '`room:bench`; frames are published on pub/sub (in-process here), serialised and encoded once, and the channel fans out in',
    "passes of 500 sockets per event-loop turn (frames that arrive during a pass share the next; each socket's frames of a pass",
    'leave in one write). **Bare**: a `ws` server that serialises and encodes each frame once and `send`s it to every client in one loop (the',
    "broadcast of ws's README), no auth, no channels. Saturation rounds run bare, core, bare; the core is compared with the mean",
    `of the two bare rounds. Then both at half the bare broadcast's deliveries/s (${halfRate.toFixed(1)} frames/s) for ${HALF_SECONDS} s: latency is`,
    "publish → the client has the frame (one machine, one clock); lag is the server process's event-loop delay p99",
    '(`monitorEventLoopDelay`), CPU the server process\'s.',
    '',
    table(
      ['round', 'offered', 'deliveries/s', 'vs bare', 'p50 ms', 'p99 ms', 'event-loop lag p99 ms', 'server CPU'],
      [row(bare1, '—'), row(coreFull, `${ratio.toFixed(2)}×`), row(bare2, '—'), row(bareHalf, '—'), row(coreHalf, '—')],
    ),
    '',
    `Targets (issue 12): deliveries/s ≥ 0.5× bare — ${ratio >= 0.5 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×); at half load p99 ≤ 250 ms — ${coreHalf.p99 <= 250 ? 'met' : 'NOT met'} (${coreHalf.p99.toFixed(1)} ms) and event-loop lag p99 ≤ 50 ms — ${coreHalf.lagP99 <= 50 ? 'met' : 'NOT met'} (${coreHalf.lagP99.toFixed(1)} ms).`,
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
