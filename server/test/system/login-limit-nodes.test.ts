import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFreshDatabase, TEST_PASSWORD } from '../harness.ts';
import { type ServerProcess, serverProcess, signupAt } from '../process-harness.ts';

// Issue 11, acceptance 2 across nodes: two server processes sharing PostgreSQL and Redis take
// wrong logins for one account at the same moment; the account's failure budget holds in total.
const PG = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const BUDGET = 10;

let db: Awaited<ReturnType<typeof createFreshDatabase>>;
const nodes: ServerProcess[] = [];

beforeAll(async () => {
  db = await createFreshDatabase(PG);
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: REDIS,
    REDIS_PREFIX: `test-${randomBytes(4).toString('hex')}:`,
    RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: String(BUDGET),
    WORKER: 'false',
  };
  for (let i = 0; i < 2; i++) {
    const node = await serverProcess(env);
    await node.start();
    nodes.push(node);
  }
});
afterAll(async () => {
  for (const node of nodes) await node.stop();
  await db?.drop();
});

const login = async (url: string, username: string, password: string) => {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
};

describe('the login failure budget across two nodes with Redis', () => {
  it('20 wrong logins to each node at once: at most 10 are checked in total, the rest 429; the right password then 429 on either', async () => {
    const u = await signupAt(nodes[0]!.url);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(nodes[i % 2]!.url, u.username, `wrong-guess-${i}`)),
    );
    const checked = answers.filter((r) => r.status === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(BUDGET);
    const refused = answers.filter((r) => r.status !== 401);
    expect(refused.every((r) => r.status === 429 && r.body.code === 'rate_limited' && Number(r.retryAfter) > 0)).toBe(true);
    for (const node of nodes) {
      const right = await login(node.url, u.username, TEST_PASSWORD);
      expect(right.status).toBe(429);
      expect(right.body.token).toBeUndefined();
    }
  });
});
