import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../src/platform/db/pagination.ts';
import { type ApiResponse, engine, startTestServer, type TestServer } from './harness.ts';
import { leftoverFiles } from './media-fixtures.ts';
import { seedWorld, type World } from './seed-world.ts';

// Issue 11, "500s on bad input": each case found by testing, as a named test. The fuzz suite
// (fuzz-openapi.test.ts) covers the same classes on every route.
let s: TestServer;
let w: World;
beforeAll(async () => {
  s = await startTestServer();
  w = await seedWorld(s);
});
afterAll(() => s?.close());

const BIG = '9223372036854775808'; // one above the bigint maximum
const MAX = '9223372036854775807';

function expectProblem(res: ApiResponse, status: number, code: string, field?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe(code);
  if (field !== undefined) expect(res.body.errors?.[0]?.field).toBe(field);
}

describe(`ids beyond the bigint range are a 400 naming the field (${engine})`, () => {
  it('GET /videos/9223372036854775808 → 400; the bigint maximum itself is a plain 404', async () => {
    expectProblem(await s.api('GET', `/videos/${BIG}`, { token: w.a.token }), 400, 'invalid_input', 'id');
    expectProblem(await s.api('GET', `/videos/${MAX}`, { token: w.a.token }), 404, 'video_not_found');
    expectProblem(await s.api('GET', `/videos/${'9'.repeat(40)}`, { token: w.a.token }), 400, 'invalid_input', 'id');
  });

  it('in memberIds of a new conversation', async () => {
    expectProblem(await s.api('POST', '/conversations', { token: w.a.token, body: { memberIds: [BIG] } }), 400, 'invalid_input', 'memberIds.0');
  });

  it('in share.id of a message', async () => {
    const res = await s.api('POST', `/conversations/${w.conversationId}/messages`, { token: w.a.token, body: { clientMsgId: 'big-share', share: { type: 'video', id: BIG } } });
    expectProblem(res, 400, 'invalid_input', 'share.id');
  });

  it('in replyToId of a comment, and of the comment list', async () => {
    expectProblem(await s.api('POST', `/videos/${w.videoId}/comments`, { token: w.a.token, body: { text: 'hi', replyToId: BIG } }), 400, 'invalid_input', 'replyToId');
    expectProblem(await s.api('GET', `/videos/${w.videoId}/comments?replyToId=${BIG}`, { token: w.a.token }), 400, 'invalid_input', 'replyToId');
  });

  it('in events[].videoId', async () => {
    const res = await s.api('POST', '/events', { token: w.a.token, body: { events: [{ type: 'impression', videoId: BIG }] } });
    expectProblem(res, 400, 'invalid_input', 'events.0.videoId');
  });

  it('in the userIds of a share', async () => {
    expectProblem(await s.api('POST', `/videos/${w.videoId}/shares`, { token: w.a.token, body: { userIds: [BIG] } }), 400, 'invalid_input', 'userIds.0');
  });

  it('in a Loop link pasted into a message: plain text, not a card', async () => {
    const text = `look ${s.ctx.config.publicUrl}/v/${BIG}`;
    const res = await s.api('POST', `/conversations/${w.conversationId}/messages`, { token: w.a.token, body: { clientMsgId: 'big-link', text } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.message).toMatchObject({ text, share: null });
  });

  it('in a comment like', async () => {
    expectProblem(await s.api('PUT', `/videos/${w.videoId}/comments/${BIG}/like`, { token: w.a.token }), 400, 'invalid_input', 'commentId');
  });
});

describe(`NUL and lone surrogates are a 400 naming the field (${engine})`, () => {
  it('GET /users/search?q=%00', async () => {
    expectProblem(await s.api('GET', '/users/search?q=%00', { token: w.a.token }), 400, 'invalid_input', 'q');
    expectProblem(await s.api('GET', '/users/search?q=a%00b'), 400, 'invalid_input', 'q');
  });

  it('GET /users/%00', async () => {
    expectProblem(await s.api('GET', '/users/%00'), 400, 'invalid_input', 'username');
  });

  it('message search with NUL', async () => {
    expectProblem(await s.api('GET', `/conversations/${w.conversationId}/messages/search?q=x%00`, { token: w.a.token }), 400, 'invalid_input', 'q');
  });

  it('any JSON body string, however deep, and a field name', async () => {
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: { displayName: 'a\u0000b' } }), 400, 'invalid_input', 'displayName');
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: { bio: 'half a pair \ud83d' } }), 400, 'invalid_input', 'bio');
    const deep = { events: [{ type: 'impression', videoId: w.videoId }, { type: 'watch', videoId: '\udc00' }] };
    expectProblem(await s.api('POST', '/events', { token: w.a.token, body: deep }), 400, 'invalid_input', 'events.1.videoId');
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: { 'bio\u0000': 'x' } }), 400, 'invalid_input', 'body');
    // Nothing changed, and a whole surrogate pair (an emoji) is fine.
    expect((await s.api('GET', '/me', { token: w.a.token })).body.user.bio).toBe('');
    expect((await s.api('PATCH', '/me', { token: w.a.token, body: { bio: 'pair \ud83d\ude00' } })).body.user.bio).toBe('pair 😀');
  });

  it('a multipart text field and a tus Upload-Metadata value', async () => {
    const form = new FormData();
    form.append('caption', 'nul \u0000 here');
    form.append('file', new Blob([new Uint8Array(16)], { type: 'video/mp4' }), 'clip.mp4');
    expectProblem(await s.api('POST', '/videos', { token: w.a.token, form }), 400, 'invalid_input', 'caption');
    const metadata = `filename ${Buffer.from('a\u0000b.mp4').toString('base64')}`;
    const tus = await s.api('POST', '/uploads', { token: w.a.token, headers: { 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': metadata } });
    expectProblem(tus, 400, 'invalid_input', 'Upload-Metadata');
    expect(leftoverFiles(s)).toEqual([]);
  });
});

describe(`dates PostgreSQL cannot store are a 400 (${engine})`, () => {
  it('a birthdate in year 0 (which the calendar format allows and PostgreSQL does not)', async () => {
    for (const birthdate of ['0000-01-01', '0001-01-01', '1899-12-31']) {
      const res = await s.api('POST', '/auth/signup', { body: { username: `old_${Date.now().toString(36)}`, password: 'correct-horse-battery', birthdate } });
      expectProblem(res, 400, 'invalid_input', 'birthdate');
    }
  });
});

describe(`malformed multipart is a 400 (${engine})`, () => {
  const truncated = '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\nnot all of it';

  it('POST /videos without a boundary, and with a body cut short, leaving no file behind', async () => {
    const noBoundary = await s.api('POST', '/videos', { token: w.a.token, body: 'whatever', headers: { 'content-type': 'multipart/form-data' } });
    expectProblem(noBoundary, 400, 'malformed_multipart', 'body');
    const cut = await s.api('POST', '/videos', { token: w.a.token, body: truncated, headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expectProblem(cut, 400, 'malformed_multipart', 'body');
    expect(leftoverFiles(s)).toEqual([]);
  });

  it('PUT /me/avatar the same', async () => {
    const noBoundary = await s.api('PUT', '/me/avatar', { token: w.a.token, body: 'whatever', headers: { 'content-type': 'multipart/form-data' } });
    expectProblem(noBoundary, 400, 'malformed_multipart', 'body');
    const cut = await s.api('PUT', '/me/avatar', { token: w.a.token, body: truncated, headers: { 'content-type': 'multipart/form-data; boundary=xyz' } });
    expectProblem(cut, 400, 'malformed_multipart', 'body');
  });
});

describe(`a cursor works only on the list and for the person it was given to (${engine})`, () => {
  it('message history’s cursor on /me/blocks, followers, the inbox, comments and the feeds → 400 invalid_cursor', async () => {
    const cursor = encodeURIComponent(w.cursors.messages!);
    for (const path of [
      '/me/blocks',
      `/users/${w.a.id}/followers`,
      `/users/${w.a.id}/following`,
      `/users/${w.a.id}/friends`,
      '/me/follow-requests',
      '/me/suggestions',
      '/conversations',
      '/conversations?folder=requests',
      `/videos/${w.videoId}/comments`,
      `/users/${w.a.id}/videos`,
      '/feed/for-you',
      '/feed/following',
      '/feed/friends',
      '/users/search?q=u',
      `/conversations/${w.conversationId}/messages/search?q=hello`,
    ]) {
      const res = await s.api('GET', `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`, { token: w.a.token });
      expectProblem(res, 400, 'invalid_cursor', 'cursor');
    }
  });

  it('For You’s cursor of an earlier shape (10 fields, before the exploration counter), signed by this server → 400 invalid_cursor', async () => {
    // In-process server: this is its own signing key, so only the shape is wrong.
    const old = encodeCursor({ list: 'feed:for-you', viewer: w.a.id }, ['', '', '', '', '', '', '', '', '', 0]);
    expectProblem(await s.api('GET', `/feed/for-you?cursor=${encodeURIComponent(old)}`, { token: w.a.token }), 400, 'invalid_cursor', 'cursor');
    const current = encodeCursor({ list: 'feed:for-you', viewer: w.a.id }, ['', '', '', '', '', '', '', '', '', 0, 0]);
    expect((await s.api('GET', `/feed/for-you?cursor=${encodeURIComponent(current)}`, { token: w.a.token })).status).toBe(200);
  });

  it('each list’s own cursor still pages it; replayed by another person or on another subject it is refused', async () => {
    const page2 = await s.api('GET', `/conversations/${w.conversationId}/messages?limit=1&cursor=${encodeURIComponent(w.cursors.messages!)}`, { token: w.a.token });
    expect(page2.status).toBe(200);
    expect(page2.body.items).toHaveLength(1);
    // b is in the same conversation but was not given this cursor.
    const asB = await s.api('GET', `/conversations/${w.conversationId}/messages?limit=1&cursor=${encodeURIComponent(w.cursors.messages!)}`, { token: w.b.token });
    expectProblem(asB, 400, 'invalid_cursor');
    expectProblem(await s.api('GET', `/conversations?cursor=${encodeURIComponent(w.cursors.conversations!)}`, { token: w.b.token }), 400, 'invalid_cursor');
    // Followers of a, replayed on followers of b.
    expectProblem(await s.api('GET', `/users/${w.b.id}/followers?cursor=${encodeURIComponent(w.cursors.followers!)}`, { token: w.a.token }), 400, 'invalid_cursor');
    expect((await s.api('GET', `/users/${w.a.id}/followers?limit=1&cursor=${encodeURIComponent(w.cursors.followers!)}`, { token: w.a.token })).status).toBe(200);
  });
});

describe(`the framework’s own refusals answer problem+json (${engine})`, () => {
  it('a bad URL escape (…/reactions/%FF, /users/%) → 400 bad_url with the security headers', async () => {
    for (const path of [`/conversations/${w.conversationId}/messages/1/reactions/%FF`, '/users/%', '/users/%E0%A4%A']) {
      const res = await s.api('PUT', path, { token: w.a.token });
      expectProblem(res, 400, 'bad_url');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
    }
  });

  it('an unsupported content type → 415, a body over 256 KiB → 413, an empty JSON body → 400', async () => {
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: '<bio>x</bio>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type');
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: { bio: 'x'.repeat(300 * 1024) } }), 413, 'body_too_large');
    expectProblem(await s.api('PATCH', '/me', { token: w.a.token, body: '', headers: { 'content-type': 'application/json' } }), 400, 'malformed_json');
  });

  it('a request Node cannot parse as HTTP gets problem+json before the connection closes', async () => {
    const { port } = new URL(s.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /api/v1/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => {
        text += d;
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).code).toBe('malformed_request');
  });
});
