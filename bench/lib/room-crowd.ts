// A child process holding WebSocket clients for bench/realtime.ts: they sit in one room and
// record when each frame arrives. Commands over IPC:
//   { cmd: 'connect', url, count, hello } → { ok, open }   (hello: send `hello` and wait for `ready`)
//   { cmd: 'start' } → { ok }                              (counting starts now)
//   { cmd: 'count' } → { ok, received, lastAt }             (lastAt: when the latest frame arrived, ms since the epoch)
//   { cmd: 'stop' } → { ok, received, lastAt, histogram }  (latency histogram, HIST_STEP_MS buckets)
//   { cmd: 'close' } → { ok }
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const HIST_STEP_MS = 0.25;
const HIST_BUCKETS = 40_000; // up to 10 s

let sockets: WebSocket[] = [];
let counting = false;
let received = 0;
let lastAt = 0;
let histogram = new Uint32Array(HIST_BUCKETS);
const now = () => performance.timeOrigin + performance.now();

function onFrame(data: WebSocket.RawData) {
  if (!counting) return;
  const text = String(data);
  // Only the bench's room frames carry `"t":` (the send time, ms since the epoch, fractional).
  const at = text.indexOf('"t":');
  if (at < 0) return;
  const t = Number.parseFloat(text.slice(at + 4));
  received += 1;
  lastAt = now();
  const bucket = Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor((lastAt - t) / HIST_STEP_MS)));
  histogram[bucket]! += 1;
}

function open(url: string, hello: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => {
      if (!hello) {
        ws.on('message', onFrame);
        return resolve(ws);
      }
      ws.send('{"type":"hello"}');
      ws.once('message', () => {
        ws.on('message', onFrame);
        resolve(ws);
      });
    });
  });
}

process.on('message', async (m: any) => {
  try {
    if (m.cmd === 'connect') {
      for (let i = 0; i < m.count; i += 250) sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, m.count - i) }, () => open(m.url, m.hello)))));
      process.send?.({ ok: true, open: sockets.length });
    } else if (m.cmd === 'start') {
      received = 0;
      lastAt = 0;
      histogram = new Uint32Array(HIST_BUCKETS);
      counting = true;
      process.send?.({ ok: true });
    } else if (m.cmd === 'count') {
      process.send?.({ ok: true, received, lastAt });
    } else if (m.cmd === 'stop') {
      counting = false;
      process.send?.({ ok: true, received, lastAt, histogram: Array.from(histogram) });
    } else if (m.cmd === 'close') {
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((r) => {
              if (ws.readyState === ws.CLOSED) return r();
              ws.once('close', () => r());
              ws.close();
            }),
        ),
      );
      sockets = [];
      process.send?.({ ok: true });
    } else if (m.cmd === 'exit') {
      process.exit(0);
    }
  } catch (err) {
    process.send?.({ ok: false, error: String(err) });
  }
});
