import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError, api, describeError } from './api.ts';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  const init = { status, headers: { 'content-type': 'application/json', ...headers } };
  return vi.fn(async (_url: string, _init?: RequestInit) => new Response(body === undefined ? null : JSON.stringify(body), init));
}

afterEach(() => vi.unstubAllGlobals());

describe('api()', () => {
  it('sends JSON same-origin with content-type, to /api/v1, with the query string', async () => {
    const fetch = answer(200, { ok: true });
    vi.stubGlobal('fetch', fetch);
    await api('/me', { method: 'PATCH', json: { bio: 'hi' }, query: { a: 1, b: undefined, c: '' } });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/api/v1/me?a=1');
    expect(init).toMatchObject({ method: 'PATCH', credentials: 'same-origin', body: '{"bio":"hi"}' });
    expect((init!.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('turns problem+json into an ApiError with code, field messages and Retry-After', async () => {
    const problem = { type: 'urn:x', title: 'Conflict', status: 409, detail: 'username: is already taken', code: 'username_taken', errors: [{ field: 'username', message: 'is already taken' }] };
    vi.stubGlobal('fetch', answer(409, problem, { 'retry-after': '7' }));
    const err = await api('/auth/signup', { json: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'username_taken', fields: { username: 'is already taken' }, retryAfterSec: 7 });
  });

  it('reports a network failure as status 0 and a non-problem error page by its status', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const offline = await api('/me').catch((e: unknown) => e);
    expect(offline).toMatchObject({ status: 0, code: 'network_error' });

    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 })));
    const proxy = await api('/me').catch((e: unknown) => e);
    expect(proxy).toMatchObject({ status: 502, code: 'http_502' });
    expect(describeError(proxy)).toMatch(/trouble/);
  });

  it('validates the answer against its schema and resolves 204 as undefined', async () => {
    vi.stubGlobal('fetch', answer(200, { id: 5 }));
    await expect(api('/x', { schema: z.object({ id: z.string() }) })).rejects.toThrow();
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    await expect(api('/auth/logout', { method: 'POST' })).resolves.toBeUndefined();
  });
});
