import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MadeUser, TestServer } from './harness.ts';

/** Tiny clips made with ffmpeg on the spot (cached per process), so tests stay fast. */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-clips-'));
const cache = new Map<string, string>();

export function makeClip(
  opts: { width?: number; height?: number; seconds?: number; format?: 'mp4' | 'webm'; audio?: boolean; faststart?: boolean; videoFrames?: number } = {},
): string {
  const { width = 144, height = 256, seconds = 1, format = 'mp4', audio = true, faststart = true, videoFrames } = opts;
  const key = JSON.stringify({ width, height, seconds, format, audio, faststart, videoFrames });
  const hit = cache.get(key);
  if (hit) return hit;
  const out = path.join(dir, `clip-${cache.size}.${format}`);
  const args = ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=15:duration=${seconds}`];
  if (audio) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`);
  if (format === 'mp4') args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(audio ? ['-c:a', 'aac'] : []), ...(faststart ? ['-movflags', '+faststart'] : []));
  else args.push('-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', ...(audio ? ['-c:a', 'libopus'] : []));
  // `videoFrames`: a picture that ends long before the sound (the sound sets the clip's length).
  args.push(...(videoFrames ? ['-frames:v', String(videoFrames)] : ['-shortest']), out);
  execFileSync('ffmpeg', args);
  cache.set(key, out);
  return out;
}

/** Uploads a clip with the plain multipart POST /videos. */
export async function uploadClip(
  s: TestServer,
  token: string,
  file: string | Buffer,
  fields: Record<string, string> = {},
  filename = 'clip.mp4',
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const bytes = typeof file === 'string' ? fs.readFileSync(file) : file;
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'video/mp4' }), filename);
  return s.api('POST', '/videos', { token, form });
}

/** Polls GET /videos/:id until it leaves `processing` with every rendition (progress 100) or fails. */
export async function waitForVideo(s: TestServer, token: string, id: string, until: (v: any) => boolean = (v) => v.status === 'failed' || v.progress === 100, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await s.api('GET', `/videos/${id}`, { token });
    if (res.status === 200 && until(res.body.video)) return res.body.video;
    if (Date.now() > deadline) throw new Error(`video ${id} still ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Files left in the staging and work areas (must be none after a refused upload). */
export function leftoverFiles(s: TestServer): string[] {
  const found: string[] = [];
  for (const sub of ['uploads', 'work']) {
    const d = path.join(s.ctx.config.dataDir, sub);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d, { recursive: true }) as string[]) if (fs.statSync(path.join(d, f)).isFile()) found.push(`${sub}/${f}`);
  }
  return found;
}

/** Every stored object under DATA_DIR/media/videos. */
export function storedVideoFiles(s: TestServer): string[] {
  const d = path.join(s.ctx.config.dataDir, 'media', 'videos');
  if (!fs.existsSync(d)) return [];
  return (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(d, f)).isFile());
}

/** Graph edges for tests, through the graph module's HTTP routes. `a`/`b` are MadeUsers. */
export const graphEdges = (s: TestServer) => {
  const call = async (method: string, path: string, token: string) => {
    const res = await s.api(method, path, { token });
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  return {
    follow: (a: MadeUser, b: MadeUser) => call('PUT', `/users/${b.id}/follow`, a.token),
    befriend: async (a: MadeUser, b: MadeUser) => {
      await call('PUT', `/users/${b.id}/follow`, a.token);
      await call('PUT', `/users/${a.id}/follow`, b.token);
    },
    block: (a: MadeUser, b: MadeUser) => call('PUT', `/users/${b.id}/block`, a.token),
    mute: (a: MadeUser, b: MadeUser) => call('PUT', `/users/${b.id}/mute`, a.token),
  };
};
