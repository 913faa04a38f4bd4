import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_PASSWORD, uniqueName } from './harness.ts';
import { freePort, testProcessEnv } from './process.ts';

/**
 * Real server processes for the durability and multi-node tests: `node --import tsx
 * server/src/main.ts`, as production runs it, killed with SIGKILL and restarted at will.
 */
export interface ServerProcess {
  url: string;
  port: number;
  proc: ChildProcess | null;
  start(): Promise<void>;
  kill9(): void;
  stop(): Promise<void>;
  logs(): string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export async function serverProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const sp: ServerProcess = {
    url,
    port,
    proc: null,
    async start() {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
        cwd: ROOT,
        env: {
          ...testProcessEnv(),
          PORT: String(port),
          WS_FRAMES_PER_SEC: '100000',
          WS_FRAME_BURST: '100000',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout?.on('data', (d) => {
        output = (output + d).slice(-20_000);
      });
      proc.stderr?.on('data', (d) => {
        output = (output + d).slice(-20_000);
      });
      sp.proc = proc;
      const deadline = Date.now() + 180_000;
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${output}`);
        try {
          const res = await fetch(`${url}/readyz`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`server did not become ready:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    kill9() {
      sp.proc?.kill('SIGKILL');
      sp.proc = null;
    },
    async stop() {
      const proc = sp.proc;
      sp.proc = null;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill('SIGKILL');
    },
    logs: () => output,
  };
  return sp;
}

/** Signs up a user against a running process. */
export async function signupAt(url: string) {
  const username = uniqueName('p');
  const res = await fetch(`${url}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  const body = (await res.json()) as any;
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.user.id as string, token: body.token as string, username };
}

export async function apiAt(url: string, method: string, p: string, token: string, body?: unknown) {
  const res = await fetch(`${url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Every message of a conversation, oldest first, through the public history route. */
export async function allMessages(url: string, token: string, conversationId: string) {
  const out: any[] = [];
  let after = 0;
  for (;;) {
    const res = await apiAt(url, 'GET', `/conversations/${conversationId}/messages?afterSeq=${after}&limit=100`, token);
    if (res.status !== 200) throw new Error(`history: ${res.status}`);
    out.push(...res.body.items);
    if (!res.body.nextCursor) return out;
    after = out[out.length - 1].seq;
  }
}

/** A private Redis server on a random port, for tests that restart it. */
export async function privateRedis(): Promise<{ url: string; port: number; start(): Promise<void>; stop(): void; dir: string }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-redis-'));
  let proc: ChildProcess | null = null;
  const r = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async start() {
      proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
      for (let i = 0; i < 100; i++) {
        const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
        if (ping.stdout.trim() === 'PONG') return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('redis did not start');
    },
    stop() {
      proc?.kill('SIGKILL');
      proc = null;
    },
  };
  return r;
}
