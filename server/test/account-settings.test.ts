import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './db-dump.ts';
import { engine, type MadeUser, startTestServer, type TestServer, uniqueName } from './harness.ts';
import { connectWs } from './ws-client.ts';

// Issue 11: changing a password ends the other sessions; an email and a phone can be added
// after sign-up (so contact discovery finds people who signed up without one); display names
// carry no bidirectional overrides.
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.close());

const NEW_PASSWORD = 'a-much-better-passphrase';
const login = (u: MadeUser, password: string) => s.api('POST', '/auth/login', { body: { username: u.username, password } });

describe(`POST /me/password (${engine})`, () => {
  it('changes the password: 204, every other session gets 401 and its sockets close with 4001, this session stays', async () => {
    const u = await s.make.user();
    const laptop = (await login(u, u.password)).body.token as string;
    const tablet = (await login(u, u.password)).body.token as string;
    const [laptopSocket, phoneSocket] = [await connectWs(s.url, { token: laptop }), await connectWs(s.url, { token: u.token })];

    const res = await s.api('POST', '/me/password', { token: u.token, body: { currentPassword: u.password, newPassword: NEW_PASSWORD } });
    expect(res.status).toBe(204);
    expect((await laptopSocket.closed).code).toBe(4001);
    for (const token of [laptop, tablet]) {
      const me = await s.api('GET', '/me', { token });
      expect(me.status).toBe(401);
      expect(me.body.code).toBe('unauthorized');
    }
    expect((await s.api('GET', '/me', { token: u.token })).status).toBe(200);
    phoneSocket.send({ type: 'ping' });
    await phoneSocket.waitFor((f) => f.type === 'pong');
    phoneSocket.close();

    expect((await login(u, u.password)).status).toBe(401);
    expect((await login(u, NEW_PASSWORD)).status).toBe(200);
  });

  it('holds the new password to the sign-up rules, and changes nothing when refused', async () => {
    const u = await s.make.user();
    const cases: Array<[string, string, string]> = [
      ['short', 'invalid_input', 'newPassword'],
      ['password123', 'weak_password', 'newPassword'],
      [`my-${u.username}-pass`, 'weak_password', 'newPassword'],
      [u.password, 'same_password', 'newPassword'],
    ];
    for (const [newPassword, code, field] of cases) {
      const res = await s.api('POST', '/me/password', { token: u.token, body: { currentPassword: u.password, newPassword } });
      expect(res.status, newPassword).toBe(400);
      expect(res.body.code).toBe(code);
      expect(res.body.errors[0].field).toBe(field);
    }
    const extra = await s.api('POST', '/me/password', { token: u.token, body: { currentPassword: u.password, newPassword: NEW_PASSWORD, username: 'x' } });
    expect(extra.status).toBe(400);
    expect((await s.api('POST', '/me/password', { body: { currentPassword: u.password, newPassword: NEW_PASSWORD } })).status).toBe(401);
    expect((await login(u, u.password)).status).toBe(200);
  });

  it('a wrong current password is 403 wrong_password and spends the login failure budget', async () => {
    const u = await s.make.user();
    for (let i = 0; i < 5; i++) expect((await login(u, `wrong-${i}-guess`)).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const res = await s.api('POST', '/me/password', { token: u.token, body: { currentPassword: `wrong-${i}-current`, newPassword: NEW_PASSWORD } });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'wrong_password', errors: [{ field: 'currentPassword' }] });
    }
    const spent = await s.api('POST', '/me/password', { token: u.token, body: { currentPassword: u.password, newPassword: NEW_PASSWORD } });
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await login(u, u.password)).status).toBe(429);
  });
});

describe(`adding an email and a phone after sign-up (${engine})`, () => {
  const email = `${uniqueName('late')}@example.com`;
  const phone = '+1 202 555 0147';

  it('contact discovery finds someone who signed up without either, once they add one, and not after they remove it', async () => {
    const joiner = await s.make.user();
    const friend = await s.make.user();
    const upload = () => s.api('POST', '/me/contacts', { token: friend.token, body: { contacts: [{ kind: 'email', value: email.toUpperCase() }, { kind: 'phone', value: '(202) 555-0147' }] } });
    expect((await upload()).body.matches).toEqual([]);

    const withEmail = await s.api('PUT', '/me/email', { token: joiner.token, body: { email: email.toUpperCase() } });
    expect(withEmail.status).toBe(200);
    expect(withEmail.body).toMatchObject({ email, phone: null, user: { id: joiner.id } });
    expect((await upload()).body.matches.map((m: any) => m.id)).toEqual([joiner.id]);
    // The one who uploaded it before now has them as a suggestion too.
    const suggestions = await s.api('GET', '/me/suggestions', { token: friend.token });
    expect(suggestions.body.items.find((x: any) => x.user.id === joiner.id)?.reasons).toContain('In your contacts');

    expect((await s.api('DELETE', '/me/email', { token: joiner.token })).body.email).toBeNull();
    expect((await upload()).body.matches).toEqual([]);

    const withPhone = await s.api('PUT', '/me/phone', { token: joiner.token, body: { phone } });
    expect(withPhone.status).toBe(200);
    expect(withPhone.body.phone).toBe('+12025550147');
    expect((await upload()).body.matches.map((m: any) => m.id)).toEqual([joiner.id]);
    expect((await s.api('GET', '/me', { token: joiner.token })).body).toMatchObject({ email: null, phone: '+12025550147' });

    // Stored as at sign-up: a keyed hash and a sealed copy, never readable text.
    const dump = await dumpDatabase(s);
    for (const form of ['+12025550147', '2025550147', email]) expect(dump).not.toContain(form);
  });

  it('409 when another account has it; 400 for what is not an email or a phone; 401 signed out', async () => {
    const owner = await s.make.user({ email: `${uniqueName('own')}@example.com`, phone: '+1 202 555 0163' });
    const other = await s.make.user();
    const me = (await s.api('GET', '/me', { token: owner.token })).body;
    const takenEmail = await s.api('PUT', '/me/email', { token: other.token, body: { email: me.email.toUpperCase() } });
    expect(takenEmail.status).toBe(409);
    expect(takenEmail.body).toMatchObject({ code: 'email_taken', errors: [{ field: 'email' }] });
    const takenPhone = await s.api('PUT', '/me/phone', { token: other.token, body: { phone: '202-555-0163' } });
    expect(takenPhone.status).toBe(409);
    expect(takenPhone.body.code).toBe('phone_taken');
    // Setting one's own again is fine.
    expect((await s.api('PUT', '/me/email', { token: owner.token, body: { email: me.email } })).status).toBe(200);

    for (const [path, body, field] of [
      ['/me/email', { email: 'not-an-email' }, 'email'],
      ['/me/phone', { phone: 'call me maybe' }, 'phone'],
      ['/me/phone', { phone: '12' }, 'phone'],
      ['/me/email', {}, 'email'],
    ] as const) {
      const res = await s.api('PUT', path, { token: other.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
    expect((await s.api('GET', '/me', { token: other.token })).body).toMatchObject({ email: null, phone: null });
    expect((await s.api('PUT', '/me/email', { body: { email: 'x@example.com' } })).status).toBe(401);
  });

  it('two accounts racing for one address: one gets it, the other 409', async () => {
    const [x, y] = [await s.make.user(), await s.make.user()];
    const contested = `${uniqueName('race')}@example.com`;
    const answers = await Promise.all([x, y].map((u) => s.api('PUT', '/me/email', { token: u.token, body: { email: contested } })));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe(`display names carry no bidirectional overrides (${engine})`, () => {
  it('strips embeddings, overrides and isolates on sign-up and PATCH /me; keeps the marks and the rest', async () => {
    const u = await s.make.user({ displayName: 'abc\u202Egnp.exe' });
    expect(u.user.displayName).toBe('abcgnp.exe');
    const edited = await s.api('PATCH', '/me', { token: u.token, body: { displayName: '\u2066Maya\u2069 \u202Aand\u202C \u202Dco\u202B\u2067\u2068 \u200Fשלום\u200E' } });
    expect(edited.status).toBe(200);
    expect(edited.body.user.displayName).toBe('Maya and co \u200Fשלום\u200E');
    const onlyControls = await s.api('PATCH', '/me', { token: u.token, body: { displayName: '\u202E\u2066 ' } });
    expect(onlyControls.status).toBe(400);
    expect(onlyControls.body.errors[0].field).toBe('displayName');
    expect((await s.api('GET', `/users/${u.username}`)).body.user.displayName).toBe('Maya and co \u200Fשלום\u200E');
  });

  it('usernames cannot carry them at all', async () => {
    const res = await s.api('POST', '/auth/signup', { body: { username: 'abc\u202Eexe', password: 'correct-horse-battery' } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('username');
  });
});
