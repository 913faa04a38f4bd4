import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine, startTestServer, type TestServer } from './harness.ts';

// Issue 11 acceptance 7: the built web app goes out pre-compressed (the build writes .br and .gz;
// the server picks by Accept-Encoding), hashed assets are cached for a year, the shell is
// revalidated, and no source map is served (nor the app's HTML in place of a missing file).
// A small dist of the build's shape stands in for web/dist, so this does not depend on a build.

const SCRIPT = `console.log(${JSON.stringify('a long enough script '.repeat(200))});\n`;
const HTML = `<!doctype html><html><head><script type="module" src="/assets/app-AbC123.js"></script></head><body><div id="root"></div>${' '.repeat(2000)}</body></html>`;
const WELCOME = `<!doctype html><html><head><style>.welcome{}</style></head><body><div id="root"><main class="bare"><a href="/signup">Create account</a></main></div>${' '.repeat(2000)}</body></html>`;

let dist: string;
let s: TestServer;
beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-dist-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  const write = (file: string, text: string) => {
    fs.writeFileSync(path.join(dist, file), text);
    fs.writeFileSync(path.join(dist, `${file}.br`), zlib.brotliCompressSync(text));
    fs.writeFileSync(path.join(dist, `${file}.gz`), zlib.gzipSync(text));
  };
  write('index.html', HTML);
  write('welcome.html', WELCOME);
  write('assets/app-AbC123.js', SCRIPT);
  fs.writeFileSync(path.join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  // A map left on disk (the production build makes none) is still not served.
  fs.writeFileSync(path.join(dist, 'assets/app-AbC123.js.map'), '{"version":3,"sources":["secret.ts"]}');
  s = await startTestServer({ env: { WEB_DIST_DIR: dist } });
});
afterAll(async () => {
  await s?.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

/** GET with the exact Accept-Encoding given, returning the bytes as sent (fetch would decode them). */
function get(p: string, acceptEncoding?: string, cookie?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...(acceptEncoding !== undefined && { 'accept-encoding': acceptEncoding }), ...(cookie && { cookie }) };
    const req = http.get(s.url + p, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe(`static web app (${engine})`, () => {
  it('sends the brotli copy to a browser that accepts it, gzip to one that accepts only gzip, the file as it is otherwise', async () => {
    const br = await get('/assets/app-AbC123.js', 'gzip, deflate, br, zstd');
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers.vary?.toLowerCase()).toContain('accept-encoding');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(SCRIPT);
    expect(br.body.length).toBeLessThan(SCRIPT.length / 5);

    const gz = await get('/assets/app-AbC123.js', 'gzip');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get('/assets/app-AbC123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary?.toLowerCase()).toContain('accept-encoding');
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('caches hashed assets for a year (immutable) and revalidates the shell and unhashed files', async () => {
    expect((await get('/assets/app-AbC123.js', 'br')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const p of ['/', '/inbox/12', '/sw.js']) {
      const res = await get(p, 'br');
      expect(res.status, p).toBe(200);
      expect(res.headers['cache-control'], p).toBe('no-cache');
    }
  });

  it('sends the shell compressed too, at / (with a session cookie) and at any app path', async () => {
    for (const p of ['/', '/inbox/12', '/@someone']) {
      const res = await get(p, 'br', 'loop_session=whatever');
      expect(res.headers['content-encoding'], p).toBe('br');
      expect(res.headers['content-type'], p).toMatch(/^text\/html/);
      expect(zlib.brotliDecompressSync(res.body).toString(), p).toBe(HTML);
    }
  });

  it('sends signed-out visitors of / and /welcome the static welcome page; a session cookie or a ?next= gets the app', async () => {
    for (const p of ['/', '/welcome']) {
      const res = await get(p, 'br');
      expect(res.status, p).toBe(200);
      expect(res.headers['content-type'], p).toMatch(/^text\/html/);
      expect(res.headers['cache-control'], p).toBe('no-cache');
      // A cache must not hand one person's answer to the other.
      expect(res.headers.vary?.toLowerCase(), p).toContain('cookie');
      expect(zlib.brotliDecompressSync(res.body).toString(), p).toBe(WELCOME);
      expect((await get(p, undefined, 'loop_session=expired-or-not')).body.toString(), p).toBe(HTML);
    }
    expect((await get('/welcome?next=%2Finbox')).body.toString()).toBe(HTML);
    // The service worker keeps the app's shell by this name, whoever is signed in when it installs.
    expect((await get('/index.html')).body.toString()).toBe(HTML);
    // The page is sent in place of the app's first screen, not as a file of its own.
    expect((await get('/welcome.html')).body.toString()).toBe(HTML);
  });

  it('answers 404 problem+json for a source map, a compressed copy by name, and a missing asset: never the HTML', async () => {
    for (const p of ['/assets/app-AbC123.js.map', '/assets/app-AbC123.js.br', '/assets/app-AbC123.js.gz', '/assets/app-OLD999.js', '/index.html.map', '/anything.js.map']) {
      const res = await get(p, 'br');
      expect(res.status, p).toBe(404);
      expect(res.headers['content-type'], p).toMatch(/^application\/problem\+json/);
      expect(res.body.toString(), p).not.toContain('secret.ts');
    }
  });
});
