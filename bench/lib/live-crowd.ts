// A child process holding WebSocket clients for bench/live-chat.ts: viewers that sit in one live
// room and record when each chat message arrives, and senders that chat at a steady rate. Every
// message's text carries its send time (`t=<ms since the epoch>`). Commands over IPC:
//   { cmd: 'connect', url, tokens, count, liveId? } → { ok, open }   (liveId: hello, ready, live.join, snapshot; else a bare socket)
//   { cmd: 'start' } → { ok }                                      (counting starts now)
//   { cmd: 'count' } → { ok, received, lastAt }
//   { cmd: 'send', url, tokens, senders, liveId?, rate, seconds } → { ok, sent, acked, refused }   (no tokens: bare senders)
//   { cmd: 'stop' } → { ok, received, lastAt, histogram }
//   { cmd: 'close' } → { ok }
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export const HIST_STEP_MS = 0.5;
const HIST_BUCKETS = 120_000; // up to 60 s

let sockets: WebSocket[] = [];
let counting = false;
let received = 0;
let lastAt = 0;
let histogram = new Uint32Array(HIST_BUCKETS);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function onFrame(data: WebSocket.RawData) {
  if (!counting) return;
  const text = String(data);
  if (!text.startsWith('{"type":"live.chat"')) return;
  const at = now();
  // One delivery per message in the (batched) frame.
  for (let i = text.indexOf('t='); i >= 0; i = text.indexOf('t=', i + 2)) {
    const t = Number.parseFloat(text.slice(i + 2, i + 20));
    if (!Number.isFinite(t)) continue;
    received += 1;
    lastAt = at;
    histogram[Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor((at - t) / HIST_STEP_MS)))]! += 1;
  }
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
      received = 0;
      lastAt = 0;
      histogram = new Uint32Array(HIST_BUCKETS);
      counting = true;
      process.send?.({ ok: true });
    } else if (m.cmd === 'count') {
      process.send?.({ ok: true, received, lastAt });
    } else if (m.cmd === 'send') {
      process.send?.({ ok: true, ...(await send(m)) });
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
    }
  } catch (err) {
    process.send?.({ ok: false, error: String(err) });
  }
});
