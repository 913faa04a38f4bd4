import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './db-dump.ts';
import { engine, startTestServer, type TestServer } from './harness.ts';

const BUDGET = 2100;
let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { CONTACT_SYNC_DAILY_BUDGET: String(BUDGET) } });
});
afterAll(async () => {
  await s?.close();
});

const countHashes = async (ownerId: string) =>
  Number((await sql<{ n: string }>`SELECT count(*) AS n FROM contact_hashes WHERE owner_id = ${ownerId}`.execute(s.ctx.db)).rows[0]!.n);

describe(`contact sync (${engine})`, () => {
  it('matches only discoverable people, stores no contact in any readable form, suggests later sign-ups, forgets on delete', async () => {
    const found = await s.make.user({ phone: '+1 201 555 0123' });
    const hidden = await s.make.user({ email: 'hidden.person@example.com' });
    await s.api('PATCH', '/me/settings', { token: hidden.token, body: { discoverableByContacts: false } });
    const british = await s.make.user({ phone: '+44 20 7183 8750' });
    const uploader = await s.make.user();
    await s.api('PATCH', '/me/settings', { token: uploader.token, body: { region: 'GB' } });

    const contacts = [
      { kind: 'phone', value: '+1 (201) 555-0123' },
      { kind: 'phone', value: '020 7183 8750' }, // national format, read with the uploader's region
      { kind: 'email', value: 'Hidden.Person@Example.com' },
      { kind: 'email', value: '  Later.Joiner@Example.COM ' },
      { kind: 'phone', value: '+1 202 555 0199' }, // joins later by phone
      { kind: 'phone', value: 'not a number' },
    ];
    const up = await s.api('POST', '/me/contacts', { token: uploader.token, body: { contacts } });
    expect(up.status).toBe(200);
    expect(up.body.matches.map((u: any) => u.id).sort()).toEqual([found.id, british.id].sort());
    expect(up.body).toMatchObject({ accepted: 5, invalid: 1 });

    const dump = await dumpDatabase(s);
    const forms = [
      '+1 (201) 555-0123', '+12015550123', '2015550123', '12015550123', '020 7183 8750', '+442071838750', '442071838750', '02071838750', '2071838750',
      'hidden.person@example.com', 'later.joiner@example.com', '+12025550199', '12025550199', '2025550199',
    ];
    for (const f of forms) expect(dump).not.toContain(f.toLowerCase());
    expect(await countHashes(uploader.id)).toBe(5);

    const byEmail = await s.make.user({ email: 'later.joiner@example.com' });
    const byPhone = await s.make.user({ phone: '(202) 555-0199' });
    const sugg = await s.api('GET', '/me/suggestions', { token: uploader.token });
    expect(sugg.status).toBe(200);
    const reasons = new Map(sugg.body.items.map((x: any) => [x.user.id, x.reasons]));
    for (const u of [found, british, byEmail, byPhone]) expect(reasons.get(u.id)).toContain('In your contacts');
    expect(reasons.has(hidden.id)).toBe(false);

    // Turning discovery off later takes a person out of uploaders' suggestions at once.
    await s.api('PATCH', '/me/settings', { token: byPhone.token, body: { discoverableByContacts: false } });
    const after = await s.api('GET', '/me/suggestions', { token: uploader.token });
    expect(after.body.items.map((x: any) => x.user.id)).not.toContain(byPhone.id);

    expect((await s.api('DELETE', '/me/contacts', { token: uploader.token })).status).toBe(204);
    expect(await countHashes(uploader.id)).toBe(0);
    const gone = await s.api('GET', '/me/suggestions', { token: uploader.token });
    for (const x of gone.body.items) expect(x.reasons).not.toContain('In your contacts');
  });

  it('refuses the 2,001st contact with 400, and new contacts past the daily budget with 429', async () => {
    const u = await s.make.user();
    const emails = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kind: 'email', value: `p${from + i}@bulk.example` }));
    const tooMany = await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(0, 2001) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].field).toBe('contacts');
    expect(await countHashes(u.id)).toBe(0);

    expect((await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(0, 2000) } })).status).toBe(200);
    const over = await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(2000, BUDGET - 2000 + 1) } });
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('contact_budget_exceeded');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await countHashes(u.id)).toBe(2000);
    // Re-syncing the same address book costs nothing; deleting does not refill the budget.
    expect((await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(0, 2000) } })).status).toBe(200);
    await s.api('DELETE', '/me/contacts', { token: u.token });
    expect((await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(5000, 200) } })).status).toBe(429);
    expect((await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: emails(5000, 100) } })).status).toBe(200);

    const bad = await s.api('POST', '/me/contacts', { token: u.token, body: { contacts: [{ kind: 'fax', value: '1' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toMatch(/^contacts/);
    expect((await s.api('POST', '/me/contacts', { body: { contacts: [] } })).status).toBe(401);
  });
});
