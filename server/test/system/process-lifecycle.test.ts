import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, startPrivatePostgres } from '../process.ts';
import { TEST_PASSWORD, uniqueName } from '../harness.ts';

// These tests run real server processes. They do not depend on TEST_DATABASE_URL: the
// PostgreSQL one starts a private server so it can restart it without disturbing others.

const tmpDirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-proc-'));
  tmpDirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

describe('process lifecycle', () => {
  it('keeps an account created right before kill -9 (PGlite on disk)', async () => {
    const dataDir = tmp();
    const first = await spawnServer({ DATA_DIR: dataDir });
    const username = uniqueName('k9');
    const signup = await post(`${first.url}/api/v1/auth/signup`, { username, password: TEST_PASSWORD });
    expect(signup.status).toBe(201);
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await spawnServer({ DATA_DIR: dataDir });
    try {
      const login = await post(`${second.url}/api/v1/auth/login`, { username, password: TEST_PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.username).toBe(username);
    } finally {
      second.kill('SIGKILL');
    }
  });

  it('answers 503 while PostgreSQL is down and recovers without a restart', async () => {
    const pg = await startPrivatePostgres();
    const server = await spawnServer({ DATA_DIR: tmp(), DATABASE_URL: pg.url });
    try {
      const u = await post(`${server.url}/api/v1/auth/signup`, { username: uniqueName('pg'), password: TEST_PASSWORD });
      expect(u.status).toBe(201);
      const me = () => fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${u.body.token}` } });
      expect((await me()).status).toBe(200);

      pg.stop();
      const during = await me();
      expect(during.status).toBe(503);
      expect(during.headers.get('content-type')).toMatch(/problem\+json/);
      expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      pg.start();
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await me()).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect(server.child.exitCode).toBeNull();
    } finally {
      server.kill('SIGKILL');
      pg.destroy();
    }
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const server = await spawnServer({ DATA_DIR: tmp() });
    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses a bad setting with a clear message and a non-zero exit', async () => {
    const server = await spawnServer({ DATA_DIR: tmp(), PORT: '3001', DATABASE_URL: 'mysql://nope' }, { waitReady: false });
    expect(await server.exited).toBe(78);
    expect(server.output()).toMatch(/DATABASE_URL/);
  });
});
