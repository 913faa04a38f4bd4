import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createFreshDatabase, TEST_DATABASE_URL } from './harness.ts';
import { makeClip } from './media-fixtures.ts';

// Acceptance 3: `kill -9` of the server (and its ffmpeg) in the middle of a transcode; after a
// restart the durable job is claimed again once its lease runs out and the clip ends ready.

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-restart-'));
let child: ChildProcess | null = null;
let database: Awaited<ReturnType<typeof createFreshDatabase>> | null = null;
afterAll(async () => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function startServer(port: number, env: Record<string, string>) {
  // Its own process group, so kill -9 takes ffmpeg down with it like a machine crash would.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: { ...process.env, ...env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d) => {
    stderr += d;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return proc;
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('resumes a transcode killed with kill -9 and ends ready', async () => {
  if (TEST_DATABASE_URL) database = await createFreshDatabase();
  const env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    APP_SECRET: 'test-secret-test-secret-test-secret-0123',
    JOB_LEASE_SEC: '3',
    JOB_POLL_MS: '250',
    // A slower preset on a bigger clip keeps ffmpeg busy long enough to be killed mid-way.
    FFMPEG_PRESET: 'medium',
    ...(database && { DATABASE_URL: database.url }),
  };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/api/v1`;
  child = await startServer(port, env);

  const signup = await fetch(`${base}/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: `k9_${process.pid % 10000}`, password: 'correct-horse-battery' }),
  });
  const { token } = (await signup.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(fs.readFileSync(makeClip({ width: 720, height: 1280, seconds: 6 })))]), 'k9.mp4');
  const created = await fetch(`${base}/videos`, { method: 'POST', headers: auth, body: form });
  expect(created.status).toBe(202);
  const { video } = (await created.json()) as { video: { id: string } };
  const get = async () => ((await (await fetch(`${base}/videos/${video.id}`, { headers: auth })).json()) as any).video;

  // Wait until ffmpeg is working on the ladder, then kill everything without warning.
  let before: any;
  for (const deadline = Date.now() + 60_000; ; ) {
    before = await get();
    if (before.progress >= 5 && before.progress < 100) break;
    expect(before.progress, 'finished before it could be killed').toBeLessThan(100);
    if (Date.now() > deadline) throw new Error('transcode never started');
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(-child.pid!, 'SIGKILL');
  await new Promise((r) => child!.once('exit', r));

  child = await startServer(port, env);
  let after: any;
  for (const deadline = Date.now() + 150_000; ; ) {
    after = await get();
    if (after.status === 'failed' || after.progress === 100) break;
    if (Date.now() > deadline) throw new Error(`stuck: ${JSON.stringify(after)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(after.status).toBe('ready');
  expect(after.progress).toBe(100);
  const master = await fetch(`http://127.0.0.1:${port}${after.hlsUrl}`, { headers: auth });
  const text = await master.text();
  for (const r of ['240p', '480p', '720p']) expect(text).toContain(`${r}/index.m3u8`);
  // Nothing half-written is left in the work area (the last run clears it just after it reports 100 %).
  const work = path.join(dataDir, 'work', video.id);
  for (const deadline = Date.now() + 15_000; fs.existsSync(work) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 100));
  expect(fs.existsSync(work)).toBe(false);
}, 240_000);
