import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startTestServer, type TestServer, TEST_PASSWORD, uniqueName } from './harness.ts';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

describe(`accounts (${engine})`, () => {
  it('signs up, returns the user and a token, sets an httpOnly SameSite cookie', async () => {
    const username = uniqueName('new');
    const res = await s.api('POST', '/auth/signup', { body: { username, password: TEST_PASSWORD, displayName: 'New Person' } });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({ id: expect.any(String), username, displayName: 'New Person', bio: '', avatarUrl: null });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/loop_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await s.api('GET', '/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe(username);
    expect(me.body.settings).toEqual({ privateAccount: false, dmPolicy: 'everyone', discoverableByContacts: true, friendsFirst: 0, region: 'US' });
  });

  it('refuses a duplicate username in any case with 409', async () => {
    const u = await s.make.user();
    const res = await s.api('POST', '/auth/signup', { body: { username: u.username.toUpperCase(), password: TEST_PASSWORD } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('username_taken');
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it.each([
    [{ password: TEST_PASSWORD }, 'username'],
    [{ username: 'ok_name_1' }, 'password'],
    [{ username: 'bad name!', password: TEST_PASSWORD }, 'username'],
    [{ username: 'ab', password: TEST_PASSWORD }, 'username'],
    [{ username: 'a'.repeat(25), password: TEST_PASSWORD }, 'username'],
    [{ username: 'okname2', password: 'short' }, 'password'],
    [{ username: 'okname3', password: 'password123' }, 'password'],
    [{ username: 'okname4', password: TEST_PASSWORD, birthdate: 'yesterday' }, 'birthdate'],
    [{ username: 'okname5', password: TEST_PASSWORD, email: 'not-an-email' }, 'email'],
    [{ username: 'okname6', password: TEST_PASSWORD, phone: '12' }, 'phone'],
  ])('answers 400 naming the field for %j', async (body, field) => {
    const res = await s.api('POST', '/auth/signup', { body });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain(field);
    expect(res.body.errors?.[0]?.field).toBe(field);
  });

  it('answers 400 for a malformed JSON body and changes nothing', async () => {
    const res = await s.api('POST', '/auth/signup', { body: '{"username": "x', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('refuses people under 13 and remembers the age of others', async () => {
    const year = new Date().getUTCFullYear();
    const young = await s.api('POST', '/auth/signup', { body: { username: uniqueName('kid'), password: TEST_PASSWORD, birthdate: `${year - 12}-01-01` } });
    expect(young.status).toBe(400);
    expect(young.body.code).toBe('too_young');
    const teen = await s.make.user({ birthdate: `${year - 15}-01-01` });
    const me = await s.api('GET', '/me', { token: teen.token });
    expect(me.body.age).toBeGreaterThanOrEqual(14);
    expect(me.body.age).toBeLessThan(16);
  });

  it('logs in; a wrong password and an unknown user get the same 401', async () => {
    const u = await s.make.user();
    const ok = await s.api('POST', '/auth/login', { body: { username: u.username.toUpperCase(), password: u.password } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(u.id);
    const wrong = await s.api('POST', '/auth/login', { body: { username: u.username, password: 'not-the-password' } });
    const unknown = await s.api('POST', '/auth/login', { body: { username: uniqueName('ghost'), password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.body.code).toBe(unknown.body.code);
  });

  it('kills the token on logout', async () => {
    const u = await s.make.user();
    expect((await s.api('GET', '/me', { token: u.token })).status).toBe(200);
    expect((await s.api('POST', '/auth/logout', { token: u.token })).status).toBe(204);
    const after = await s.api('GET', '/me', { token: u.token });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('unauthorized');
  });

  it('answers 401 without a token and for a made-up token', async () => {
    expect((await s.api('GET', '/me')).status).toBe(401);
    expect((await s.api('GET', '/me', { token: 'x'.repeat(43) })).status).toBe(401);
  });

  it('edits the profile and settings, validating each field', async () => {
    const u = await s.make.user();
    const edit = await s.api('PATCH', '/me', { token: u.token, body: { displayName: 'Renamed', bio: 'Hello <b>there</b>' } });
    expect(edit.status).toBe(200);
    expect(edit.body.user).toMatchObject({ displayName: 'Renamed', bio: 'Hello <b>there</b>' });
    const tooLong = await s.api('PATCH', '/me', { token: u.token, body: { bio: 'x'.repeat(301) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('bio');
    const unknownField = await s.api('PATCH', '/me', { token: u.token, body: { username: 'hijack' } });
    expect(unknownField.status).toBe(400);
    const settings = await s.api('PATCH', '/me/settings', { token: u.token, body: { privateAccount: true, dmPolicy: 'friends', discoverableByContacts: false } });
    expect(settings.status).toBe(200);
    expect(settings.body.settings).toMatchObject({ privateAccount: true, dmPolicy: 'friends', discoverableByContacts: false });
    const badPolicy = await s.api('PATCH', '/me/settings', { token: u.token, body: { dmPolicy: 'strangers' } });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.body.errors[0].field).toBe('dmPolicy');
    const me = await s.api('GET', '/me', { token: u.token });
    expect(me.body.user.displayName).toBe('Renamed');
    expect(me.body.settings.dmPolicy).toBe('friends');
  });

  it('shows a profile by username (any case) and 404 for nobody', async () => {
    const u = await s.make.user({ displayName: 'Profile Person' });
    const viewer = await s.make.user();
    const res = await s.api('GET', `/users/${u.username.toUpperCase()}`, { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.id, displayName: 'Profile Person' });
    expect(res.body.counts).toEqual({ followers: expect.any(Number), following: expect.any(Number), friends: expect.any(Number), videos: expect.any(Number) });
    expect(res.body.relationship).toMatchObject({ following: false, followedBy: false, friends: false, blocked: false, requested: false });
    const missing = await s.api('GET', '/users/nobody_here_at_all');
    expect(missing.status).toBe(404);
  });

  it('searches users by prefix and fuzzily, with keyset paging', async () => {
    const stem = `zq${Date.now().toString(36).slice(-5)}`;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await s.make.user({ username: `${stem}_${i}`, displayName: `Zebra Quartz ${i}` }));
    const viewer = await s.make.user();
    const first = await s.api('GET', `/users/search?q=${stem}&limit=3`, { token: viewer.token });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await s.api('GET', `/users/search?q=${stem}&limit=3&cursor=${first.body.nextCursor}`, { token: viewer.token });
    const all = [...first.body.items, ...second.body.items].map((u: { username: string }) => u.username);
    expect(new Set(all)).toEqual(new Set(made.map((m) => m.username)));
    const fuzzy = await s.api('GET', `/users/search?q=${encodeURIComponent('zebra quartz')}`, { token: viewer.token });
    expect(fuzzy.body.items.length).toBeGreaterThan(0);
    const badCursor = await s.api('GET', `/users/search?q=${stem}&cursor=nonsense`, { token: viewer.token });
    expect(badCursor.status).toBe(400);
    expect((await s.api('GET', '/users/search?q=', { token: viewer.token })).status).toBe(400);
  });

  it('rate-limits failed logins per account: the 11th in a minute gets 429 with Retry-After', async () => {
    const u = await s.make.user();
    for (let i = 0; i < 10; i++) {
      const r = await s.api('POST', '/auth/login', { body: { username: u.username, password: `wrong-password-${i}` } });
      expect(r.status).toBe(401);
    }
    const eleventh = await s.api('POST', '/auth/login', { body: { username: u.username, password: u.password } });
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not affected.
    const other = await s.make.user();
    expect((await s.api('POST', '/auth/login', { body: { username: other.username, password: other.password } })).status).toBe(200);
  });

  it('accepts a real PNG avatar, re-encodes and resizes it, and serves it with nosniff', async () => {
    const u = await s.make.user();
    const png = await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toBuffer();
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), 'me.png');
    const res = await s.api('PUT', '/me/avatar', { token: u.token, form });
    expect(res.status).toBe(200);
    expect(res.body.user.avatarUrl).toMatch(/^\/media\/avatars\/\d+\/[\w-]{16}\.webp$/);
    const img = await fetch(s.url + res.body.user.avatarUrl);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/webp');
    expect(img.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect(meta.format).toBe('webp');
    expect(meta.width).toBe(320);
    expect(meta.height).toBe(320);
  });

  it('refuses a .png that is really text (422) and a 6 MB image (413), keeping the old avatar', async () => {
    const u = await s.make.user();
    const fake = new FormData();
    fake.append('file', new Blob(['<script>alert(1)</script> not an image'], { type: 'image/png' }), 'evil.png');
    const res = await s.api('PUT', '/me/avatar', { token: u.token, form: fake });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('unsupported_media');
    const big = Buffer.alloc(6 * 1024 * 1024, 1);
    const header = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).png().toBuffer();
    header.copy(big);
    const huge = new FormData();
    huge.append('file', new Blob([big], { type: 'image/png' }), 'huge.png');
    const tooBig = await s.api('PUT', '/me/avatar', { token: u.token, form: huge });
    expect(tooBig.status).toBe(413);
    expect((await s.api('GET', '/me', { token: u.token })).body.user.avatarUrl).toBeNull();
  });
});

describe(`security (${engine})`, () => {
  it('puts CSP, nosniff and frame-ancestors on every response, errors included', async () => {
    for (const path of ['/healthz', '/api/v1/me', '/api/v1/nope', '/api/v1/openapi.json']) {
      const res = await fetch(s.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBeTruthy();
    }
  });

  it('refuses a cookie-authenticated state change from a foreign Origin with 403, allows same-origin', async () => {
    const u = await s.make.user();
    const cookie = `loop_session=${u.token}`;
    const foreign = await s.api('PATCH', '/me', { body: { bio: 'pwned' }, headers: { cookie, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('cross_origin_forbidden');
    const crossSite = await s.api('PATCH', '/me', { body: { bio: 'pwned' }, headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    expect((await s.api('GET', '/me', { token: u.token })).body.user.bio).toBe('');
    const same = await s.api('PATCH', '/me', { body: { bio: 'mine' }, headers: { cookie, origin: s.url } });
    expect(same.status).toBe(200);
    // Reads with a cookie from anywhere are harmless (the browser will not show them to the other site).
    expect((await s.api('GET', '/me', { headers: { cookie, origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('sends no CORS headers unless configured', async () => {
    const res = await fetch(`${s.url}/api/v1/me`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers problem+json 404 for unknown API routes and serves OpenAPI', async () => {
    const res = await s.api('GET', '/definitely/not/here');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 404, code: 'route_not_found', type: expect.any(String), title: expect.any(String) });
    const spec = await s.api('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/signup', '/api/v1/me', '/api/v1/users/{username}']));
  });

  it('is healthy and ready', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: engine });
  });
});
