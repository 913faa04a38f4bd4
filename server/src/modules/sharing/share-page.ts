import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { resolveAuth } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as media from '../media/index.ts';
import { videoLink } from './sharing.service.ts';
import { escapeHtml } from '../../platform/html/escape-html.ts';

/**
 * GET /v/:id — the public page behind "Copy link". Server-rendered so link-preview fetchers
 * (which run no JavaScript) read the Open Graph and Twitter tags; plays public clips without
 * an account. A clip the requester may not see gets the same small "not available" page (404)
 * as one that never was, so the page says nothing about which it is.
 * No inline script (CSP `script-src 'self'`): the page loads /v/assets/share-page.js.
 */


// hls.js for browsers without native HLS; read once from the installed package.
let hlsSource: string | null | undefined;
function hlsJs(): string | null {
  if (hlsSource === undefined) {
    try {
      hlsSource = readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'), 'utf8');
    } catch {
      hlsSource = null;
    }
  }
  return hlsSource;
}

// Plays with native HLS where there is one (Safari, iOS), else with hls.js.
const PAGE_SCRIPT = `(() => {
  const video = document.querySelector('video[data-hls]');
  if (!video) return;
  const src = video.getAttribute('data-hls');
  if (video.canPlayType('application/vnd.apple.mpegurl')) { video.src = src; return; }
  const s = document.createElement('script');
  s.src = '/v/assets/hls.js';
  s.onload = () => {
    if (!window.Hls || !window.Hls.isSupported()) return;
    const hls = new window.Hls();
    hls.loadSource(src);
    hls.attachMedia(video);
  };
  document.head.appendChild(s);
})();
`;

const PAGE_CSS = `
*{box-sizing:border-box}html,body{margin:0;height:100%;background:#000;color:#fff;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{min-height:100%;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:12px;padding:16px 16px calc(16px + env(safe-area-inset-bottom))}
video{width:min(100%,calc((100vh - 160px) * 9 / 16));max-height:calc(100vh - 160px);aspect-ratio:9/16;background:#111;border-radius:12px;object-fit:contain}
.meta{width:min(100%,420px)}.author{font-weight:600;font-size:17px;overflow-wrap:anywhere}.caption{white-space:pre-wrap;overflow-wrap:anywhere;color:#ddd}
bdi,.caption{unicode-bidi:plaintext}
.open{display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:0 20px;border-radius:22px;background:#6d3df2;color:#fff;font-weight:600;text-decoration:none}
.muted{opacity:.7}
.gone{max-width:372px;margin:0 auto;text-align:center;gap:16px}.gone img{width:72px;height:72px;border-radius:20px}
.gone h1{margin:0;font-size:22px;font-weight:700}.gone p{margin:0;color:rgba(255,255,255,.72)}
`;

function renderPage(ctx: AppContext, v: Awaited<ReturnType<typeof media.toVideoViews>>[number]): string {
  const abs = (p: string | null) => (p ? `${ctx.config.publicUrl}${p}` : null);
  const url = videoLink(ctx, v.id);
  const name = v.author.displayName || v.author.username;
  const title = `${name} (@${v.author.username}) on Loop`;
  const description = v.caption || `A clip by @${v.author.username} on Loop`;
  const poster = abs(v.posterUrl);
  const hls = abs(v.hlsUrl);
  const meta: Array<[string, string, string | number | null]> = [
    ['property', 'og:type', 'video.other'],
    ['property', 'og:site_name', 'Loop'],
    ['property', 'og:title', title],
    ['property', 'og:description', description],
    ['property', 'og:url', url],
    ['property', 'og:image', poster],
    ['property', 'og:image:width', poster ? v.width : null],
    ['property', 'og:image:height', poster ? v.height : null],
    ['property', 'og:video', hls],
    ['property', 'og:video:secure_url', hls?.startsWith('https://') ? hls : null],
    ['property', 'og:video:type', hls ? 'application/x-mpegURL' : null],
    ['property', 'og:video:width', hls ? v.width : null],
    ['property', 'og:video:height', hls ? v.height : null],
    ['name', 'twitter:card', 'summary_large_image'],
    ['name', 'twitter:title', title],
    ['name', 'twitter:description', description],
    ['name', 'twitter:image', poster],
    ['name', 'description', description],
  ];
  const tags = meta
    .filter(([, , value]) => value !== null)
    .map(([attr, key, value]) => `<meta ${attr}="${key}" content="${escapeHtml(String(value))}">`)
    .join('\n    ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
    <title>${escapeHtml(title)}</title>
    ${tags}
    <link rel="canonical" href="${escapeHtml(url)}">
    <link rel="manifest" href="/manifest.webmanifest">
    <link rel="stylesheet" href="/v/assets/share-page.css">
    <script src="/v/assets/share-page.js" defer></script>
  </head>
  <body>
    <main>
      <video controls playsinline loop preload="metadata" aria-label="${escapeHtml(`Clip by @${v.author.username}`)}"${poster ? ` poster="${escapeHtml(poster)}"` : ''}${hls ? ` data-hls="${escapeHtml(hls)}"` : ''}></video>
      <div class="meta">
        <div class="author"><bdi>${escapeHtml(name)}</bdi> <bdi class="muted">@${escapeHtml(v.author.username)}</bdi></div>
        ${v.caption ? `<p class="caption" dir="auto">${escapeHtml(v.caption)}</p>` : ''}
      </div>
      <a class="open" href="/video/${escapeHtml(v.id)}">Open in Loop</a>
    </main>
  </body>
</html>
`;
}

// The same words for a clip that was deleted, never was, or is not shared with the requester.
const NOT_AVAILABLE_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
    <meta name="robots" content="noindex">
    <title>Clip not available · Loop</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/v/assets/share-page.css">
  </head>
  <body>
    <main class="gone">
      <img src="/icons/icon-192.png" alt="" width="72" height="72">
      <h1>This clip isn’t available</h1>
      <p>It may have been deleted, or it isn’t shared with you.</p>
      <a class="open" href="/">Go to Loop</a>
    </main>
  </body>
</html>
`;

function notAvailable(reply: FastifyReply) {
  return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_AVAILABLE_PAGE);
}

function bareNotFound(reply: FastifyReply) {
  return reply.code(404).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('Not found');
}

export function sharePageRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { id: string } }>('/v/:id', { schema: { hide: true } }, async (req, reply) => {
      const { id } = req.params;
      if (!/^[1-9][0-9]{0,18}$/.test(id)) return notAvailable(reply);
      // Signed-in friends may see friends-only clips here; the session cookie says who is asking.
      const viewerId = (await resolveAuth(ctx, req))?.userId ?? null;
      const row = await media.loadVisibleVideo(ctx, viewerId, id).catch(() => null);
      if (row?.status !== 'ready') return notAvailable(reply);
      const [view] = await media.toVideoViews(ctx, null, [row]);
      if (!view) return notAvailable(reply);
      return reply
        .type('text/html; charset=utf-8')
        // Only pages anyone may see may be cached by shared caches; friends-only clips and a
        // private account's clips are per person.
        .header('cache-control', media.openToEveryone(row) ? 'public, max-age=60' : 'private, no-store')
        .header('vary', 'Cookie')
        .send(renderPage(ctx, view));
    });
    app.get('/v/assets/share-page.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PAGE_SCRIPT),
    );
    app.get('/v/assets/share-page.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PAGE_CSS),
    );
    app.get('/v/assets/hls.js', { schema: { hide: true } }, async (_req, reply) => {
      const src = hlsJs();
      if (!src) return bareNotFound(reply);
      return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(src);
    });
  };
}
