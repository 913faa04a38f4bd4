import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { follow } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { connectWs } from './ws-client.ts';

// Web push (issue 12, acceptance 4): a push service on 127.0.0.1 receives an aes128gcm request
// with a VAPID Authorization, which this test decrypts with the subscription's own keys; 410
// removes the subscription; a private-address endpoint is refused without the test setting.

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A push service: records every request; `/gone/…` answers 410, everything else 201. */
async function startPushService() {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(req.url?.startsWith('/gone/') ? 410 : 201).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const waitFor = async (match: (r: Received) => boolean) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const hit = received.find(match);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no push request matched; got ${received.map((r) => r.path).join(', ')}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { origin, received, waitFor, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A browser's side of a subscription: a P-256 key pair and a 16-byte auth secret. */
function makeBrowserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, p256dh: ecdh.getPublicKey().toString('base64url'), authB64: auth.toString('base64url') };
}

/** RFC 8291 (aes128gcm), as a browser decrypts a push message. */
function decryptPush(body: Buffer, keys: ReturnType<typeof makeBrowserKeys>): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const shared = keys.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.ecdh.getPublicKey(), senderPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with 0x02 and then zero padding.
  let end = padded.length - 1;
  while (end > 0 && padded[end] === 0) end--;
  expect(padded[end]).toBe(2);
  return padded.subarray(0, end).toString('utf8');
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): signed by `publicKey` for the push service's origin. */
function checkVapid(header: string | undefined, publicKey: string, audience: string) {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  expect(m, header).not.toBeNull();
  const [, token, k] = m!;
  expect(k).toBe(publicKey);
  const [h, p, sig] = token!.split('.');
  expect(JSON.parse(Buffer.from(h!, 'base64url').toString())).toMatchObject({ typ: 'JWT', alg: 'ES256' });
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
  expect(claims.aud).toBe(audience);
  expect(claims.exp * 1000).toBeGreaterThan(Date.now());
  expect(claims.sub).toMatch(/^(mailto:|https:)/);
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') }, format: 'jwk' });
  expect(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url'))).toBe(true);
}

let s: TestServer;
let push: Awaited<ReturnType<typeof startPushService>>;
let a: MadeUser;
let b: MadeUser;
const IDLE_SEC = 2;

beforeAll(async () => {
  push = await startPushService();
  s = await startTestServer({ env: { PUSH_ALLOW_PRIVATE_ENDPOINTS: 'true', PUSH_IDLE_SEC: String(IDLE_SEC) } });
  [a, b] = await Promise.all([s.make.user(), s.make.user()]);
});
afterAll(async () => {
  await s?.close();
  await push?.close();
});

describe('web push (acceptance 4)', () => {
  it('an offline recipient gets an aes128gcm push with VAPID that decrypts to the notification', async () => {
    const keys = makeBrowserKeys();
    const endpoint = `${push.origin}/ok/${b.id}`;
    const sub = await s.api('POST', '/me/push-subscriptions', { token: b.token, body: { endpoint, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.authB64 } } });
    expect(sub.status).toBe(201);
    const vapid = (await s.api('GET', '/push/vapid-public-key')).body.key as string;
    expect(Buffer.from(vapid, 'base64url')).toHaveLength(65);

    await follow(s, a, b);
    const req = await push.waitFor((r) => r.path === `/ok/${b.id}`);
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    expect(Number(req.headers.ttl)).toBeGreaterThan(0);
    checkVapid(req.headers.authorization, vapid, push.origin);
    const payload = JSON.parse(decryptPush(req.body, keys));
    const [latest] = (await s.api('GET', '/notifications', { token: b.token })).body.items;
    expect(payload).toEqual({ title: 'Loop', body: `${a.user.displayName} started following you`, url: `/u/${a.username}`, tag: `n${latest.id}`, notificationId: latest.id });
    // One key pair: asked again, the same key.
    expect((await s.api('GET', '/push/vapid-public-key')).body.key).toBe(vapid);
  });

  it('no push while the person is using Loop; one once they are idle with the socket still open', async () => {
    const ws = await connectWs(s.url, { token: b.token });
    try {
      const before = push.received.length;
      await s.api('PUT', `/users/${a.id}/follow`, { token: b.token }); // B follows back: A is told (A has no subscription)
      await s.api('DELETE', `/users/${b.id}/follow`, { token: a.token });
      ws.send({ type: 'ping' });
      await s.api('PUT', `/users/${b.id}/follow`, { token: a.token });
      await ws.waitFor((f) => f.type === 'notification' && f.notification.kind === 'friend');
      await s.worker!.idle();
      expect(push.received.slice(before).filter((r) => r.path.startsWith('/ok/'))).toEqual([]);

      await new Promise((r) => setTimeout(r, IDLE_SEC * 1000 + 500));
      await s.api('DELETE', `/users/${b.id}/follow`, { token: a.token });
      await s.api('PUT', `/users/${b.id}/follow`, { token: a.token });
      await ws.waitForCount((f) => f.type === 'notification' && f.notification.kind === 'friend', 2);
      await push.waitFor((r) => r.path.startsWith('/ok/') && push.received.indexOf(r) >= before);
    } finally {
      ws.close();
    }
  });

  it('a subscription the push service answers 410 for is removed', async () => {
    const keys = makeBrowserKeys();
    const endpoint = `${push.origin}/gone/${b.id}`;
    expect((await s.api('POST', '/me/push-subscriptions', { token: b.token, body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.authB64 } } })).status).toBe(201);
    const c = await s.make.user();
    await follow(s, c, b);
    await push.waitFor((r) => r.path === `/gone/${b.id}`);
    await s.worker!.idle();
    // Gone: deleting it now finds nothing, while the live one is still there.
    expect((await s.api('DELETE', '/me/push-subscriptions', { token: b.token, body: { endpoint } })).status).toBe(404);
    expect((await s.api('DELETE', '/me/push-subscriptions', { token: b.token, body: { endpoint: `${push.origin}/ok/${b.id}` } })).status).toBe(204);
  });

  it('a kind with push turned off makes no push (the inbox still gets it)', async () => {
    const keys = makeBrowserKeys();
    const endpoint = `${push.origin}/ok/quiet-${b.id}`;
    await s.api('POST', '/me/push-subscriptions', { token: b.token, body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.authB64 } } });
    await s.api('PATCH', '/me/notification-settings', { token: b.token, body: { follow: { push: false } } });
    const d = await s.make.user();
    await follow(s, d, b);
    await s.worker!.idle();
    expect(push.received.some((r) => r.path === `/ok/quiet-${b.id}`)).toBe(false);
    expect((await s.api('GET', '/notifications', { token: b.token })).body.items[0]).toMatchObject({ kind: 'follow', actor: { id: d.id } });
  });
});

describe('push endpoints must be public https addresses', () => {
  it('refuses private, loopback, http and credentialed endpoints without the test setting', async () => {
    const strict = await startTestServer({ env: { WORKER: 'false' } });
    try {
      const u = await strict.make.user();
      const keys = makeBrowserKeys();
      for (const endpoint of [`${push.origin}/ok/1`, 'https://127.0.0.1/push', 'https://localhost/push', 'https://10.0.0.7/push', 'https://169.254.169.254/latest', 'https://[::1]/push', 'https://user:pw@8.8.8.8/push']) {
        const res = await strict.api('POST', '/me/push-subscriptions', { token: u.token, body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.authB64 } } });
        expect(res.status, endpoint).toBe(400);
        expect(res.body).toMatchObject({ code: 'push_endpoint_not_allowed', errors: [{ field: 'endpoint' }] });
      }
      // Bad keys are a 400 naming the field, too.
      const bad = await strict.api('POST', '/me/push-subscriptions', { token: u.token, body: { endpoint: 'https://8.8.8.8/p', keys: { p256dh: 'x', auth: keys.authB64 } } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('keys.p256dh');
    } finally {
      await strict.close();
    }
  });
});
