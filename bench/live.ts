// `npm run bench:live` (issue 14, acceptance 2): glass-to-glass latency of a live going out from
// the browser. A page draws the wall clock (Date.now(), 40 bits) as black and white blocks into
// the top band of a canvas every frame; `canvas.captureStream()` (plus an oscillator for sound)
// is recorded by MediaRecorder (WebM VP8/Opus, 300 ms chunks) and sent over the real ingest
// WebSocket (server/src/modules/live/browser-ingest.ts) to the server, whose ffmpeg transcodes to
// H.264/AAC HLS in 1 s segments. A second browser context watches the live with hls.js (the
// viewer's settings, LivePlayer.tsx) and, for every frame it presents, reads the blocks back and
// compares them with its clock (one machine, one clock).
// Baseline in the same run: the same WebM chunks, sent by the same page to a socket of this
// process, read directly by ffmpeg (`-f webm -i pipe:0`, decoded to raw frames): what the
// encoder, the transport and ffmpeg cost without HLS packaging and the player's buffer.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { type ServerProcess, spawnServer } from '../server/test/process.ts';
import { machineNote, recordSection, table } from './lib/report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const W = 480;
const H = 854;
const FPS = 24;
const BITS = 40;
const PER_ROW = 20;
const BLOCK = W / PER_ROW; // 24 px
const BAND = 48; // two rows of 24 px
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Reads the 40-bit clock from a grey band (BAND rows of W bytes). */
function decodeBand(px: (x: number, y: number) => number): number {
  let v = 0;
  for (let i = 0; i < BITS; i++) {
    const row = Math.floor(i / PER_ROW);
    const col = i % PER_ROW;
    const on = px(col * BLOCK + BLOCK / 2, row * 24 + 12) > 128;
    v += on ? 2 ** i : 0;
  }
  return v;
}

/** The clock is drawn modulo 2^40 ms (about 35 years): the latency is how far `now` is past it, modulo the same. */
const latencyOf = (now: number, drawn: number) => (((now % 2 ** BITS) - drawn) % 2 ** BITS + 2 ** BITS) % 2 ** BITS;

async function signUp(server: ServerProcess, page: Page, name: string) {
  const username = `${name}_${Math.random().toString(36).slice(2, 8)}`;
  const res = await page.request.post(`${server.url}/api/v1/auth/signup`, {
    data: { username, password: 'violet-harbour-41', displayName: name },
    headers: { origin: server.url },
  });
  if (res.status() !== 201) throw new Error(`sign-up failed: ${await res.text()}`);
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-bench-live-'));
  const server = await spawnServer({ DATA_DIR: path.join(work, 'data'), RTMP_PORT: '0', DEMO_CONTENT: 'false', LOG_LEVEL: 'warn', LIVE_STALL_SEC: '30' }, { waitReady: false });
  // The shared machine can be slow to start a server: wait longer than spawnServer does.
  for (let t = Date.now(); ; await sleep(300)) {
    const ok = await fetch(`${server.url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() - t > 300_000) throw new Error(`server did not become ready:\n${server.output()}`);
  }

  // The baseline's tap: the page hands every chunk to this process too (a Playwright binding: the
  // server's Content-Security-Policy keeps the page from opening other sockets); ffmpeg reads them
  // straight from stdin and writes the clock band of every frame as raw grey pixels.
  const direct: number[] = [];
  let measuring = false;
  const ffmpeg: ChildProcess = spawn('ffmpeg', ['-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'pipe', '-f', 'matroska', '-i', 'pipe:0', '-an', '-vf', `crop=${W}:${BAND}:0:0`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  ffmpeg.stdin!.on('error', () => {});
  {
    let buf = Buffer.alloc(0);
    const frame = W * BAND;
    let last = 0;
    ffmpeg.stdout!.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= frame) {
        const f = buf.subarray(0, frame);
        buf = buf.subarray(frame);
        const now = Date.now();
        const lat = latencyOf(now, decodeBand((x, y) => f[Math.round(y) * W + Math.round(x)]!));
        if (measuring && lat < 60_000 && now - last >= 200) {
          last = now;
          direct.push(lat);
        }
      }
    });
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  });
  try {
    const hostCtx = await browser.newContext();
    const host = await hostCtx.newPage();
    await signUp(server, host, 'host');
    const created = await host.request.post(`${server.url}/api/v1/lives`, { data: { title: 'bench', visibility: 'public' }, headers: { origin: server.url } });
    if (created.status() !== 201) throw new Error(`POST /lives: ${created.status()} ${await created.text()}`);
    const liveId = ((await created.json()) as { live: { id: string } }).live.id;

    // A page of the server's origin (its cookie and Origin), with nothing of the app in it.
    await host.exposeBinding('tapChunk', (_src, b64: string) => void ffmpeg.stdin!.write(Buffer.from(b64, 'base64')));
    await host.goto(`${server.url}/readyz`);
    await host.setContent('<canvas id="c"></canvas>');
    // tsx names arrow functions with a helper the page does not have.
    await host.evaluate('window.__name = (f) => f');
    const mime = await host.evaluate(
      async ({ liveId, W, H, FPS, BITS, PER_ROW, BLOCK }) => {
        const canvas = document.getElementById('c') as HTMLCanvasElement;
        canvas.width = W;
        canvas.height = H;
        const g = canvas.getContext('2d')!;
        let n = 0;
        const draw = () => {
          const t = Date.now();
          // Something moving below the band, so the encoder has a picture to work on.
          g.fillStyle = `hsl(${(n * 3) % 360} 60% 40%)`;
          g.fillRect(0, 0, W, H);
          g.fillStyle = '#fff';
          g.font = '32px sans-serif';
          g.fillText(`${n++} ${new Date(t).toISOString().slice(11, 23)}`, 20, H / 2);
          for (let i = 0; i < BITS; i++) {
            g.fillStyle = Math.floor(t / 2 ** i) % 2 ? '#fff' : '#000';
            g.fillRect((i % PER_ROW) * BLOCK, Math.floor(i / PER_ROW) * 24, BLOCK, 24);
          }
        };
        setInterval(draw, 1000 / FPS);
        draw();
        const video = canvas.captureStream(FPS);
        const audio = new AudioContext();
        const osc = audio.createOscillator();
        const dest = audio.createMediaStreamDestination();
        osc.connect(dest);
        osc.start();
        const stream = new MediaStream([...video.getVideoTracks(), ...dest.stream.getAudioTracks()]);
        const type = ['video/webm;codecs=vp8,opus', 'video/webm'].find((t) => MediaRecorder.isTypeSupported(t))!;
        const ingest = new WebSocket(`ws://${location.host}/api/v1/lives/${liveId}/ingest`);
        const tap = (window as unknown as { tapChunk: (b64: string) => Promise<void> }).tapChunk;
        await new Promise((ok, fail) => {
          ingest.onopen = ok;
          ingest.onerror = () => fail(new Error(`could not open ${ingest.url}`));
        });
        const rec = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: 1_200_000, audioBitsPerSecond: 64_000 });
        rec.ondataavailable = (e) => {
          if (e.data.size === 0) return;
          // In pieces of at most 60 KiB, as broadcast.ts sends them (the server's WebSocket message limit is 64 KiB).
          for (let at = 0; at < e.data.size; at += 60 * 1024) ingest.send(e.data.slice(at, at + 60 * 1024));
          void e.data.arrayBuffer().then((ab) => {
            let bin = '';
            const u = new Uint8Array(ab);
            for (let i = 0; i < u.length; i += 0x8000) bin += String.fromCharCode(...u.subarray(i, i + 0x8000));
            return tap(btoa(bin));
          });
        };
        rec.start(300);
        (window as unknown as { stopLive: () => void }).stopLive = () => {
          rec.stop();
          ingest.close();
        };
        return type;
      },
      { liveId, W, H, FPS, BITS, PER_ROW, BLOCK },
    );

    const viewerCtx = await browser.newContext({ bypassCSP: true });
    const viewer = await viewerCtx.newPage();
    await signUp(server, viewer, 'viewer');
    await viewer.goto(`${server.url}/readyz`);
    await viewer.setContent('<video id="v" muted playsinline autoplay style="width:480px;height:854px"></video>');
    await viewer.evaluate('window.__name = (f) => f');
    await viewer.addScriptTag({ path: path.join(ROOT, 'node_modules/hls.js/dist/hls.min.js') });
    const t0 = Date.now();
    let hlsUrl: string | null = null;
    while (!hlsUrl && Date.now() - t0 < 60_000) {
      const r = await viewer.request.get(`${server.url}/api/v1/lives/${liveId}`);
      const live = ((await r.json()) as { live?: { status: string; hlsUrl: string | null } }).live;
      if (live?.status === 'live' && live.hlsUrl) hlsUrl = live.hlsUrl;
      else await sleep(200);
    }
    if (!hlsUrl) throw new Error(`the live did not go on air:\n${server.output().slice(-2000)}`);
    const onAirMs = Date.now() - t0;

    await viewer.evaluate(
      ({ src, W, BITS, PER_ROW, BLOCK }) => {
        const w = window as unknown as { Hls: any; lat: number[]; measuring: boolean; frames: number };
        w.lat = [];
        w.measuring = false;
        w.frames = 0;
        const video = document.getElementById('v') as HTMLVideoElement;
        // The viewer's player settings (web/src/features/live/LivePlayer.tsx).
        const hls = new w.Hls({ lowLatencyMode: true, liveSyncDurationCount: 2, liveMaxLatencyDurationCount: 4, maxLiveSyncPlaybackRate: 1.5, backBufferLength: 10, maxBufferLength: 6 });
        (window as any).diag = [];
        hls.on(w.Hls.Events.ERROR, (_e: unknown, d: any) => (window as any).diag.push(`${d.type}/${d.details}${d.fatal ? ' fatal' : ''}`));
        setInterval(() => (window as any).diag.push(`t=${video.currentTime.toFixed(1)} rs=${video.readyState} paused=${video.paused} buf=${video.buffered.length ? video.buffered.end(video.buffered.length - 1).toFixed(1) : '-'}`), 2000);
        hls.loadSource(src);
        hls.attachMedia(video);
        void video.play().catch(() => {});
        const c = document.createElement('canvas');
        const g = c.getContext('2d', { willReadFrequently: true })!;
        let last = 0;
        const onFrame = () => {
          const now = Date.now();
          w.frames++;
          if (now - last >= 200 && video.videoWidth > 0) {
            last = now;
            const scale = video.videoWidth / W;
            c.width = video.videoWidth;
            c.height = Math.ceil(48 * scale);
            g.drawImage(video, 0, 0);
            const data = g.getImageData(0, 0, c.width, c.height).data;
            let v = 0;
            for (let i = 0; i < BITS; i++) {
              const x = Math.round(((i % PER_ROW) * BLOCK + BLOCK / 2) * scale);
              const y = Math.round((Math.floor(i / PER_ROW) * 24 + 12) * scale);
              const o = (y * c.width + x) * 4;
              const lum = 0.299 * data[o]! + 0.587 * data[o + 1]! + 0.114 * data[o + 2]!;
              v += lum > 128 ? 2 ** i : 0;
            }
            const lat = ((((now % 2 ** BITS) - v) % 2 ** BITS) + 2 ** BITS) % 2 ** BITS;
            if (w.measuring && lat < 60_000) w.lat.push(lat);
          }
          video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      },
      { src: hlsUrl, W, BITS, PER_ROW, BLOCK },
    );

    // Let the player settle at the live edge, then measure both paths over the same seconds.
    await sleep(8000);
    const load0 = os.loadavg()[0]!;
    measuring = true;
    await viewer.evaluate(() => {
      (window as unknown as { measuring: boolean }).measuring = true;
    });
    await sleep(SECONDS * 1000);
    measuring = false;
    const { lat, frames } = await viewer.evaluate(() => {
      const w = window as unknown as { lat: number[]; frames: number };
      return { lat: w.lat, frames: w.frames };
    });
    const load1 = os.loadavg()[0]!;
    if (process.env.BENCH_DEBUG) console.log(await viewer.evaluate(() => (window as any).diag.join('\n')));
    await host.evaluate(() => (window as unknown as { stopLive: () => void }).stopLive());

    const rows = [
      ['browser → ingest → ffmpeg HLS (1 s) → hls.js', lat.length, pct(lat, 50), pct(lat, 95), Math.max(...lat)],
      ['baseline: same chunks → ffmpeg reading them directly', direct.length, pct(direct, 50), pct(direct, 95), Math.max(...direct)],
    ].map(([name, n, p50, p95, max]) => [name as string, n as number, `${((p50 as number) / 1000).toFixed(2)} s`, `${((p95 as number) / 1000).toFixed(2)} s`, `${((max as number) / 1000).toFixed(2)} s`]);
    const ratio = pct(lat, 50) / pct(direct, 50);
    const verdict = `targets p50 ≤ 4 s: ${pct(lat, 50) <= 4000 ? 'met' : 'MISSED'}; p95 ≤ 5 s: ${pct(lat, 95) <= 5000 ? 'met' : 'MISSED'}`;
    const md = [
      '## bench:live — glass-to-glass latency of a browser live (issue 14, acceptance 2)',
      '',
      `Chromium MediaRecorder ${mime}, 480×854 at 24 fps and 1.2 Mbit/s (as broadcast.ts asks of the camera), 300 ms chunks, over the ingest WebSocket; ffmpeg x264 veryfast/zerolatency, HLS 1 s segments; hls.js liveSyncDurationCount 2. ` +
        `The clock is drawn as 40 black/white blocks in every frame and read back from each presented frame (sampled every 200 ms) over ${SECONDS} s, after the player settled for 8 s. ` +
        `On air ${(onAirMs / 1000).toFixed(1)} s after the live was asked for. Viewer presented ${frames} frames.`,
      '',
      table(['path', 'samples', 'p50', 'p95', 'max'], rows),
      '',
      `HLS path p50 / direct p50: ${ratio.toFixed(1)}×. ${verdict}. Load average ${load0.toFixed(2)} → ${load1.toFixed(2)} (uptime 1-min).`,
      '',
      machineNote(),
    ].join('\n');
    console.log(md);
    if (!process.env.BENCH_NO_RECORD) recordSection('live', md);
    await sleep(1500);
  } finally {
    await browser.close();
    ffmpeg.kill('SIGKILL');
    server.kill('SIGTERM');
    await Promise.race([server.exited, sleep(5000)]);
    server.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
