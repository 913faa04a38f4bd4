import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startTestServer, type TestServer } from './harness.ts';

// Issue 11, acceptance 2 (one node): the per-account budget of failed logins holds when the
// guesses arrive all at once, and the right password does not get through once it is spent.
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const BUDGET = 10; // RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT's default

describe(`the login failure budget under concurrency (${engine})`, () => {
  it('40 concurrent wrong logins for one account: at most 10 are checked, the rest 429 with Retry-After; then the right password is 429 too', async () => {
    const u = await s.make.user();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => s.api('POST', '/auth/login', { body: { username: u.username, password: `wrong-guess-${i}` } })),
    );
    const statuses = answers.map((r) => r.status);
    const checked = statuses.filter((st) => st === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(BUDGET);
    expect(statuses.filter((st) => st !== 401).every((st) => st === 429)).toBe(true);
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(r.body.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    const right = await s.api('POST', '/auth/login', { body: { username: u.username.toUpperCase(), password: u.password } });
    expect(right.status).toBe(429);
    expect(right.body.token).toBeUndefined();
  });

  it('the right password sent amid the flood, past the budget, gets no token', async () => {
    const u = await s.make.user();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        s.api('POST', '/auth/login', { body: { username: u.username, password: i === 30 ? u.password : `wrong-guess-${i}` } }),
      ),
    );
    const wrongChecked = answers.filter((r, i) => i !== 30 && r.status === 401).length;
    expect(wrongChecked).toBeLessThanOrEqual(BUDGET);
    // Either it was among the first ten claims (and then it is the one success), or it is refused.
    expect([200, 429]).toContain(answers[30]!.status);
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
  });

  it('successful logins give their claim back: signing in often is not a failure', async () => {
    const u = await s.make.user();
    for (let i = 0; i < BUDGET + 5; i++) {
      expect((await s.api('POST', '/auth/login', { body: { username: u.username, password: u.password } })).status).toBe(200);
    }
    for (let i = 0; i < BUDGET; i++) {
      expect((await s.api('POST', '/auth/login', { body: { username: u.username, password: `nope-${i}` } })).status).toBe(401);
    }
    expect((await s.api('POST', '/auth/login', { body: { username: u.username, password: u.password } })).status).toBe(429);
  });
});
