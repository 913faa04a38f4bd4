import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, startTestServer, type TestServer } from '../harness.ts';
import { connectWs } from '../ws-client.ts';

// Two Loop nodes sharing one PostgreSQL database and one Redis, as in production.
const PG = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

let db: Awaited<ReturnType<typeof createFreshDatabase>>;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  db = await createFreshDatabase(PG);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: REDIS,
    // A prefix of this run's own, so parallel runs sharing the machine's Redis never meet.
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '4',
  };
  a = await startTestServer({ env, postgresUrl: '' });
  b = await startTestServer({ env, postgresUrl: '' });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await db?.drop();
});

describe('two nodes with PostgreSQL and Redis', () => {
  it('a session made on one node works on the other, and logout on one ends it on both at once', async () => {
    const u = await a.make.user();
    expect((await b.api('GET', '/me', { token: u.token })).status).toBe(200);
    expect((await a.api('GET', '/me', { token: u.token })).status).toBe(200);
    expect((await a.api('POST', '/auth/logout', { token: u.token })).status).toBe(204);
    let statusOnB = 200;
    for (let i = 0; i < 20 && statusOnB === 200; i++) {
      statusOnB = (await b.api('GET', '/me', { token: u.token })).status;
      if (statusOnB === 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(statusOnB).toBe(401);
  });

  it('counts failed logins across nodes', async () => {
    const u = await a.make.user();
    for (let i = 0; i < 4; i++) {
      const node = i % 2 ? a : b;
      expect((await node.api('POST', '/auth/login', { body: { username: u.username, password: `nope-nope-${i}` } })).status).toBe(401);
    }
    const blocked = await a.api('POST', '/auth/login', { body: { username: u.username, password: u.password } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a password changed on one node ends the other sessions on the other node at once, sockets closed with 4001', async () => {
    const u = await a.make.user();
    const other = (await b.api('POST', '/auth/login', { body: { username: u.username, password: u.password } })).body.token as string;
    const socket = await connectWs(b.url, { token: other });
    const changed = await a.api('POST', '/me/password', { token: u.token, body: { currentPassword: u.password, newPassword: 'a-much-better-passphrase' } });
    expect(changed.status).toBe(204);
    expect((await socket.closed).code).toBe(4001);
    expect((await b.api('GET', '/me', { token: other })).status).toBe(401);
    expect((await b.api('GET', '/me', { token: u.token })).status).toBe(200);
  });
});
