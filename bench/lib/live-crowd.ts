// A child process holding WebSocket clients for bench/live-chat.ts: viewers that sit in one live
// room and record when each chat message arrives, and senders that chat at a steady rate. Every
// message's text carries its send time (`t=<ms since the epoch>`). Commands over IPC:
//   { cmd: 'connect', url, tokens, count, liveId? } → { ok, open }   (liveId: hello, ready, live.join, snapshot; else a bare socket)
//   { cmd: 'start' } → { ok }                                      (counting starts now)
//   { cmd: 'count' } → { ok, received, lastAt }
//   { cmd: 'send', url, tokens, senders, liveId?, rate, seconds } → { ok, sent, acked, refused }   (no tokens: bare senders)
//   { cmd: 'stop' } → { ok, received, lastAt, cpuPct, lagP99, histogram }
//   { cmd: 'close' } → { ok }
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const HIST_STEP_MS = 0.5;
const HIST_BUCKETS = 120_000; // up to 60 s

let sockets: WebSocket[] = [];
let counting = false;
let cpu0 = process.cpuUsage();
let wall0 = 0;
let received = 0;
let lastAt = 0;
let histogram = new Uint32Array(HIST_BUCKETS);
let lag = monitorEventLoopDelay({ resolution: 10 });
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CHAT_PREFIX = Buffer.from('{"type":"live.chat"');
const STAMP = Buffer.from('t=');

/**
 * Counts the chat messages in a frame and when each was sent. Works on the bytes as they came (no
 * decoding of the whole frame into a string): 10,000 sockets on the same 2 cores as the server make
 * this process's own CPU part of what is measured, and it should be as small as the count allows.
 */
function onFrame(data: WebSocket.RawData) {
  if (!counting) return;
  const buf = data as Buffer;
  if (buf.length < CHAT_PREFIX.length || buf.compare(CHAT_PREFIX, 0, CHAT_PREFIX.length, 0, CHAT_PREFIX.length) !== 0) return;
  const at = now();
  // One delivery per message in the (batched) frame.
  for (let i = buf.indexOf(STAMP); i >= 0; i = buf.indexOf(STAMP, i + 2)) {
    const t = Number.parseFloat(buf.toString('latin1', i + 2, i + 20));
    if (!Number.isFinite(t)) continue;
    received += 1;
    lastAt = at;
    histogram[Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor((at - t) / HIST_STEP_MS)))]! += 1;
  }
}

/**
 * From the round's start a viewer reads its socket itself, in place of `ws`'s receiver (a stream per
 * socket, and a UTF-8 check of every text frame): it splits the bytes into WebSocket frames (a
 * server's: unmasked), hands text frames to `onFrame`, answers pings, and closes on a close frame.
 * The server's side is untouched; the crowd, which shares the machine's 2 cores with the server and
 * whose read delay counts in what is measured, spends less per frame.
 */
function readRaw(ws: WebSocket) {
  const inner = ws as unknown as { _socket: import('node:net').Socket; _receiver: { _state: number; _bufferedBytes: number; _fragments: unknown[] } };
  // Switch only between frames (the receiver holds nothing), so no frame is split between the two readers.
  if (ws.readyState !== ws.OPEN) return;
  if (inner._receiver._state !== 0 || inner._receiver._bufferedBytes !== 0 || inner._receiver._fragments.length) return void setImmediate(readRaw, ws);
  const socket = inner._socket;
  socket.removeAllListeners('data');
  let pending: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let off = 0;
    while (buf.length - off >= 2) {
      const b0 = buf[off]!;
      const b1 = buf[off + 1]!;
      if (!(b0 & 0x80) || b1 & 0x80) throw new Error('bench viewer: a fragmented or masked frame from the server');
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (buf.length - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (buf.length - off < 10) break;
        len = Number(buf.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (buf.length - off < head + len) break;
      const payload = buf.subarray(off + head, off + head + len);
      off += head + len;
      const opcode = b0 & 0x0f;
      if (opcode === 0x1) onFrame(payload);
      else if (opcode === 0x9) ws.pong(payload);
      else if (opcode === 0x8) return void ws.terminate();
    }
    if (off < buf.length) pending = buf.subarray(off);
  });
}

function open(url: string, token: string | undefined, liveId: string | undefined, listen: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...(token && { headers: { authorization: `Bearer ${token}` } }) });
    ws.on('error', reject);
    ws.on('open', () => {
      if (!token) {
        if (listen) ws.on('message', onFrame);
        return resolve(ws);
      }
      ws.send('{"type":"hello"}');
      const onSetup = (data: WebSocket.RawData) => {
        const text = String(data);
        if (text.startsWith('{"type":"ready"')) {
          if (!liveId || !listen) {
            ws.off('message', onSetup);
            return resolve(ws);
          }
          ws.send(JSON.stringify({ type: 'live.join', liveId }));
        } else if (text.startsWith('{"type":"live.snapshot"')) {
          ws.off('message', onSetup);
          ws.on('message', onFrame);
          resolve(ws);
        } else if (text.startsWith('{"type":"error"')) reject(new Error(text));
      };
      ws.on('message', onSetup);
    });
  });
}

async function send(m: { url: string; tokens: string[]; senders: number; liveId?: string; rate: number; seconds: number }) {
  // Bare senders (no tokens) just send; the bare server broadcasts and answers nothing.
  const bare = m.tokens.length === 0;
  const senders = await Promise.all(bare ? Array.from({ length: m.senders }, () => open(m.url, undefined, undefined, false)) : m.tokens.map((t) => open(m.url, t, m.liveId, false)));
  let acked = 0;
  let refused = 0;
  const codes: Record<string, number> = {};
  for (const ws of senders) {
    ws.on('message', (d) => {
      const text = String(d);
      if (text.startsWith('{"type":"live.chat.ack"')) acked += 1;
      else if (text.startsWith('{"type":"error"')) {
        refused += 1;
        const code = (JSON.parse(text) as { code: string }).code;
        codes[code] = (codes[code] ?? 0) + 1;
      }
    });
  }
  const total = Math.round(m.rate * m.seconds);
  const t0 = performance.now();
  for (let n = 0; n < total; n++) {
    await sleep(Math.max(0, t0 + (n * 1000) / m.rate - performance.now()));
    // Senders take turns, so each stays within the per-person limit (3 per 2 s).
    const ws = senders[n % senders.length]!;
    ws.send(JSON.stringify({ type: 'live.chat', liveId: m.liveId, clientMsgId: `b${n}`, text: `that trick at the end though, how long did it take t=${now().toFixed(3)}` }));
  }
  const deadline = Date.now() + (bare ? 0 : 10_000);
  while (acked + refused < total && Date.now() < deadline) await sleep(50);
  for (const ws of senders) ws.close();
  return { sent: total, acked, refused, codes };
}

process.on('message', async (m: any) => {
  try {
    if (m.cmd === 'connect') {
      for (let i = 0; i < m.count; i += 200) {
        sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, m.count - i) }, (_, k) => open(m.url, m.tokens?.[(i + k) % m.tokens.length], m.liveId, true)))));
      }
      process.send?.({ ok: true, open: sockets.length });
    } else if (m.cmd === 'start') {
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
      received = 0;
      lastAt = 0;
      histogram = new Uint32Array(HIST_BUCKETS);
      lag = monitorEventLoopDelay({ resolution: 10 });
      lag.enable();
      counting = true;
      // BENCH_WS_READER=1: read with `ws` itself, as before (to compare what the crowd costs).
      if (!process.env.BENCH_WS_READER) for (const ws of sockets) readRaw(ws);
      process.send?.({ ok: true });
    } else if (m.cmd === 'count') {
      process.send?.({ ok: true, received, lastAt });
    } else if (m.cmd === 'send') {
      process.send?.({ ok: true, ...(await send(m)) });
    } else if (m.cmd === 'stop') {
      counting = false;
      const cpu = process.cpuUsage(cpu0);
      // This process's own CPU over the round: the crowd shares the cores with the server, so its load is part of what is measured.
      const cpuPct = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100);
      lag.disable();
      process.send?.({ ok: true, received, lastAt, cpuPct, cpuMs: (cpu.user + cpu.system) / 1000, lagP99: lag.percentile(99) / 1e6, histogram: Array.from(histogram) });
    } else if (m.cmd === 'close') {
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise<void>((r) => {
              if (ws.readyState === ws.CLOSED) return r();
              ws.once('close', () => r());
              // Its socket may be read raw (readRaw): no close handshake to wait for.
              ws.terminate();
            }),
        ),
      );
      sockets = [];
      process.send?.({ ok: true });
    }
  } catch (err) {
    process.send?.({ ok: false, error: String(err) });
  }
});
