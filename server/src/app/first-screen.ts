import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from '../platform/html/escape-html.ts';
import type { ShellSource } from '../platform/html/shell-source.ts';

/**
 * Home for a signed-in person, sent with what its first screen needs (docs/web.md "First paint").
 *
 * The app's shell (index.html) alone makes Home a chain: scripts → `/me` and `/feed/for-you` →
 * render → the first clip's poster. For `GET /` with a session, this sends the shell with:
 * - the answers of `GET /api/v1/me` and `GET /api/v1/feed/for-you?limit=4` for that person, asked
 *   of this same server (`inject`: the same routes, auth, visibility rules and rate limits as the
 *   browser's own requests) and written as a JSON data block, which the app reads once at start
 *   instead of asking (web/src/app/first-screen.ts). A data block is not run: the CSP
 *   (`script-src 'self'`) still forbids every inline script;
 * - the first clip's poster, preloaded at high priority and drawn in the shell where the player
 *   will show it, so the largest paint happens before the app has booted.
 * The page is that person's: `Cache-Control: private, no-store` and `Vary: Cookie`. Anything
 * unusual (the session is not valid, an answer is not 200) sends the plain shell, as before.
 * Per request, nothing here blocks the event loop: the shell is read once (`shellSource`) and the
 * page compressed on libuv's thread pool.
 */

/** The first page the app asks for (web/src/features/video/feed-paging.ts `FOR_YOU_PAGE`). */
const FIRST_FEED_LIMIT = 4;
/** The id of the data block the app reads (web/src/app/first-screen.ts). */
const FIRST_SCREEN_ID = 'loop-first-screen';

interface ApiAnswer {
  status: number;
  body: unknown;
}

async function ask(app: FastifyInstance, req: FastifyRequest, url: string): Promise<ApiAnswer> {
  const res = await app.inject({
    method: 'GET',
    url,
    remoteAddress: req.ip,
    headers: {
      cookie: req.headers.cookie ?? '',
      ...(req.headers['user-agent'] && { 'user-agent': req.headers['user-agent'] }),
      ...(req.headers['accept-language'] && { 'accept-language': req.headers['accept-language'] }),
    },
  });
  return { status: res.statusCode, body: res.statusCode === 200 ? res.json() : null };
}

/** JSON that cannot end the `<script>` element it sits in (nor open a comment or CDATA). */
function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * The shell with the first screen's data and poster, or null when there is nothing to add (not
 * signed in, or the shell is not the one the build writes).
 */
export async function renderSignedInHome(app: FastifyInstance, req: FastifyRequest, shellOf: ShellSource): Promise<string | null> {
  const [shell, me, feed] = await Promise.all([
    shellOf(),
    ask(app, req, '/api/v1/me'),
    ask(app, req, `/api/v1/feed/for-you?limit=${FIRST_FEED_LIMIT}`),
  ]);
  if (me.status !== 200 || !shell.includes('</head>') || !shell.includes('<div id="root">')) return null;
  const data = { me: me.body, ...(feed.status === 200 && { feed: { kind: 'for-you', limit: FIRST_FEED_LIMIT, page: feed.body } }) };
  const first = (feed.body as { items?: Array<{ posterUrl?: unknown }> } | null)?.items?.[0];
  const poster = typeof first?.posterUrl === 'string' && first.posterUrl.startsWith('/') ? escapeHtml(first.posterUrl) : null;
  let html = shell.replace(
    '</head>',
    `${poster ? `  <link rel="preload" as="image" href="${poster}" fetchpriority="high" />\n` : ''}    <script type="application/json" id="${FIRST_SCREEN_ID}">${jsonForHtml(data)}</script>\n  </head>`,
  );
  // The launch splash becomes the first clip's poster, where the player draws it (base.css).
  if (poster) html = html.replace(/<div id="root">[\s\S]*?<\/div><\/div>/, `<div id="root"><div class="first-poster"><img src="${poster}" alt="" fetchpriority="high" /></div></div>`);
  return html;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Sends a page built per request, compressed as the static files are (brotli, else gzip). The
 * person's data sits inside the shell, so no compressed part can be kept: it is compressed per
 * request, asynchronously (the thread pool), never blocking the event loop.
 */
export async function sendPersonalPage(req: FastifyRequest, reply: FastifyReply, html: string) {
  const accepts = String(req.headers['accept-encoding'] ?? '');
  reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-store').header('vary', 'Cookie, Accept-Encoding');
  if (/\bbr\b/.test(accepts)) {
    return reply.header('content-encoding', 'br').send(await brotli(html, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }));
  }
  if (/\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(await gzip(html));
  return reply.send(html);
}
