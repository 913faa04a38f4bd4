import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend } from './graph-helpers.ts';
import { engine, type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip } from './media-fixtures.ts';

// A signed-in `/` comes with its first screen (server/src/app/first-screen.ts): the answers of
// GET /me and of For You's first page for that person, in a JSON data block, and the first clip's
// poster preloaded and drawn in the shell. It must be exactly what the API answers that person,
// never be cached for another, and run no inline script.

const SHELL = `<!doctype html>
<html lang="en">
  <head>
    <title>Loop</title>
    <script type="module" crossorigin src="/assets/index-AbC123.js"></script>
  </head>
  <body>
    <div id="root"><div class="splash" role="status" aria-label="Loading"><img src="/icons/icon-192.png" alt="" width="72" height="72" /></div></div>
  </body>
</html>
`;

let dist: string;
let s: TestServer;
let author: MadeUser;
let friend: MadeUser;
let stranger: MadeUser;

beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-dist-'));
  fs.writeFileSync(path.join(dist, 'index.html'), SHELL);
  s = await startTestServer({ env: { WEB_DIST_DIR: dist, FFMPEG_PRESET: 'ultrafast' } });
  [author, friend, stranger] = [await s.make.user(), await s.make.user(), await s.make.user()];
  await befriend(s, author, friend);
  for (const [caption, visibility] of [
    ['for everyone', 'public'],
    ['for friends only', 'friends'],
  ] as const) {
    const res = await uploadClip(s, author.token, makeClip(), { caption, visibility });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  }
  await s.worker!.idle();
}, 600_000);
afterAll(async () => {
  await s?.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

async function home(cookie: string | null, acceptEncoding = 'identity') {
  const res = await fetch(`${s.url}/`, { headers: { 'accept-encoding': acceptEncoding, ...(cookie && { cookie }) } });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

function dataBlock(html: string): any {
  const m = html.match(/<script type="application\/json" id="loop-first-screen">([\s\S]*?)<\/script>/);
  return m ? JSON.parse(m[1]!) : null;
}

describe(`signed-in Home's first screen (${engine})`, () => {
  it('carries exactly what GET /me and GET /feed/for-you answer that person, with the visibility rules', async () => {
    for (const viewer of [friend, stranger]) {
      const page = await home(`loop_session=${viewer.token}`);
      expect(page.status).toBe(200);
      const data = dataBlock(page.html);
      expect(data).not.toBeNull();
      const me = await s.api('GET', '/me', { token: viewer.token });
      const feed = await s.api('GET', '/feed/for-you?limit=4', { token: viewer.token });
      expect(data.me).toEqual(me.body);
      expect(data.feed).toEqual({ kind: 'for-you', limit: 4, page: feed.body });
      const captions = data.feed.page.items.map((v: any) => v.caption);
      expect(captions).toContain('for everyone');
      // For You shows public clips only, to friends too: the page follows the API's rules.
      expect(captions).not.toContain('for friends only');
    }
  });

  it('preloads the first clip’s poster and draws it in place of the splash; runs no inline script', async () => {
    const page = await home(`loop_session=${friend.token}`);
    const first = dataBlock(page.html).feed.page.items[0];
    expect(first.posterUrl).toMatch(/^\/api\/v1\/media\/.+\/poster\.jpg$/);
    expect(page.html).toContain(`<link rel="preload" as="image" href="${first.posterUrl}" fetchpriority="high" />`);
    expect(page.html).toContain(`<div id="root"><div class="first-poster"><img src="${first.posterUrl}" alt="" fetchpriority="high" /></div></div>`);
    expect(page.html).not.toContain('class="splash"');
    // Every script is the app's file or the data block; the CSP still allows no inline script.
    const scripts = [...page.html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.every((attrs) => / src="\/assets\//.test(attrs) || attrs.includes('type="application/json"'))).toBe(true);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
  });

  it('is that person’s only: private, never stored, varies by cookie; compressed like the static files', async () => {
    const page = await home(`loop_session=${friend.token}`);
    expect(page.headers.get('cache-control')).toBe('private, no-store');
    expect(page.headers.get('vary')?.toLowerCase()).toContain('cookie');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    const res = await fetch(`${s.url}/`, { headers: { 'accept-encoding': 'br', cookie: `loop_session=${friend.token}` } });
    expect(res.headers.get('content-encoding')).toBe('br');
    const raw = Buffer.from(await res.arrayBuffer());
    // fetch may or may not decode: either way the page is the same.
    const text = raw.toString().startsWith('<!doctype') ? raw.toString() : zlib.brotliDecompressSync(raw).toString();
    expect(dataBlock(text).me.user.id).toBe(friend.id);
  });

  it('cannot break out of its script element, whatever people write', async () => {
    const sly = await s.make.user();
    const bio = '</script><script>alert(1)</script><!--';
    expect((await s.api('PATCH', '/me', { token: sly.token, body: { bio } })).status).toBe(200);
    const page = await home(`loop_session=${sly.token}`);
    expect(page.html).not.toContain('<script>alert(1)');
    expect(dataBlock(page.html).me.user.bio).toBe(bio);
  });

  it('sends the plain shell for a session that is not valid, a query, or another path', async () => {
    for (const [p, cookie] of [
      ['/', 'loop_session=not-a-session'],
      ['/?next=%2Finbox', `loop_session=${friend.token}`],
      ['/welcome', `loop_session=${friend.token}`],
      ['/inbox', `loop_session=${friend.token}`],
    ] as const) {
      const res = await fetch(`${s.url}${p}`, { headers: { 'accept-encoding': 'identity', cookie } });
      expect(res.status, p).toBe(200);
      expect(await res.text(), p).toBe(SHELL);
      expect(res.headers.get('cache-control'), p).toBe('no-cache');
    }
  });
});

describe(`the shell is read from disk once, not per request (${engine})`, () => {
  it('a shell rewritten under a running server is not read again (a built server restarts to change); in development it is, when it changes', async () => {
    const file = path.join(dist, 'index.html');
    const signedIn = async (url: string, token: string) =>
      (await fetch(`${url}/`, { headers: { 'accept-encoding': 'identity', cookie: `loop_session=${token}` } })).text();
    const rebuilt = (name: string, at: number) => {
      fs.writeFileSync(file, SHELL.replace('index-AbC123.js', name));
      // A modification time of its own, whatever the file system's clock granularity.
      fs.utimesSync(file, new Date(at), new Date(at));
    };
    expect(await signedIn(s.url, friend.token)).toContain('index-AbC123.js');
    try {
      rebuilt('index-NeW456.js', Date.now() + 10_000);
      const again = await signedIn(s.url, friend.token);
      expect(again).toContain('index-AbC123.js');
      expect(dataBlock(again).me.user.id).toBe(friend.id);

      const dev = await startTestServer({ env: { WEB_DIST_DIR: dist, NODE_ENV: 'development', DEMO_CONTENT: 'false' } });
      try {
        const someone = await dev.make.user();
        expect(await signedIn(dev.url, someone.token)).toContain('index-NeW456.js');
        rebuilt('index-DeV789.js', Date.now() + 20_000);
        const afterRebuild = await signedIn(dev.url, someone.token);
        expect(afterRebuild).toContain('index-DeV789.js');
        expect(dataBlock(afterRebuild).me.user.id).toBe(someone.id);
      } finally {
        await dev.close();
      }
    } finally {
      fs.writeFileSync(file, SHELL);
    }
  });
});
