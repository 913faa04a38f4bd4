import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startTestServer, type TestServer } from './harness.ts';

// Issue 11: what every answer says about itself — CSP limited to this origin's WebSockets, a
// real robots.txt, and one log line per request.
const lines: any[] = [];
const capture = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { PUBLIC_URL: 'https://loop.example' }, log: pino({ level: 'info' }, capture) });
});
afterAll(() => s?.close());

describe(`Content-Security-Policy (${engine})`, () => {
  it('connect-src allows this origin and its own WebSockets only, not ws: or wss: to any host', async () => {
    for (const path of ['/api/v1/me', '/healthz', '/api/v1/users/%FF']) {
      const csp = (await fetch(s.url + path)).headers.get('content-security-policy') ?? '';
      const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src'));
      expect(connect, path).toBe("connect-src 'self' wss://loop.example");
    }
  });
});

describe(`/robots.txt (${engine})`, () => {
  it('is text/plain: share pages may be crawled, the API may not', async () => {
    const res = await fetch(`${s.url}/robots.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Allow: \/v\/$/m);
    expect(text).toMatch(/^Disallow: \/api\/$/m);
    expect(text).not.toContain('<');
  });
});

describe(`request logging (${engine})`, () => {
  it('writes one line per request, after the answer: method, URL without secrets, status, time and request id', async () => {
    lines.length = 0;
    const res = await fetch(`${s.url}/api/v1/me?token=secret-token-value&x=1`);
    const requestId = res.headers.get('x-request-id');
    await res.text();
    await fetch(`${s.url}/api/v1/users/%FF`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50)); // the line is written on the response's 'finish'
    const mine = lines.filter((l) => l.reqId === requestId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request', method: 'GET', url: '/api/v1/me?token=…&x=1', status: 401, ms: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toContain('secret-token-value');
    expect(lines.filter((l) => /incoming request|request completed/.test(l.msg))).toEqual([]);
    // A refusal made before routing (a bad escape) is logged the same way, once.
    expect(lines.filter((l) => l.url === '/api/v1/users/%FF')).toMatchObject([{ status: 400, msg: 'request' }]);
  });
});
