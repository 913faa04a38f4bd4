import { Id } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../../app/context.ts';
import { toProductViews } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';
import { escapeHtml } from '../../platform/html/escape-html.ts';
import { shellSource } from '../../platform/html/shell-source.ts';

/**
 * GET /p/:id — a product's public page. Link-preview fetchers run no JavaScript, so the
 * server puts the Open Graph tags (title, price, picture) into the web app's HTML shell; the
 * web app then draws the page itself. Without a built web app, a small page with the same tags.
 */

/** "€15.00" for 1500 EUR (en locale on the server; the web formats for the reader's locale). */
export function formatPrice(minor: number, currency: string): string {
  try {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    return new Intl.NumberFormat('en', { style: 'currency', currency }).format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

export function productPageRoutes(ctx: AppContext): FastifyPluginAsync {
  // Read once (again when it changes, in development), not on every request.
  const shellOf = shellSource(ctx.config.webDistDir, { rereadWhenChanged: ctx.config.env === 'development' });
  return async (app) => {
    app.get<{ Params: { id: string } }>('/p/:id', { schema: { hide: true } }, async (req, reply) => {
      const { id } = req.params;
      const row = Id.safeParse(id).success ? await repo.findProduct(ctx.db, id) : undefined;
      const [p] = row ? await toProductViews(ctx, null, [row]) : [];
      const title = p ? `${p.title} · ${formatPrice(p.priceMinor, p.currency)} · ${p.shop.name} on Loop` : 'Product not available · Loop';
      const description = p ? p.description || `${p.title} from ${p.shop.name}, on Loop` : 'This product isn’t available.';
      const image = p?.imageUrls[0] ? `${ctx.config.publicUrl}${p.imageUrls[0]}` : null;
      const meta: Array<[string, string, string | null]> = [
        ['property', 'og:type', p ? 'product' : null],
        ['property', 'og:site_name', 'Loop'],
        ['property', 'og:title', title],
        ['property', 'og:description', description],
        ['property', 'og:url', `${ctx.config.publicUrl}/p/${id}`],
        ['property', 'og:image', image],
        ['property', 'product:price:amount', p ? String(p.priceMinor) : null],
        ['property', 'product:price:currency', p?.currency ?? null],
        ['name', 'twitter:card', image ? 'summary_large_image' : 'summary'],
        ['name', 'twitter:title', title],
        ['name', 'description', description],
      ];
      const tags = meta
        .filter(([, , v]) => v !== null)
        .map(([attr, key, v]) => `<meta ${attr}="${key}" content="${escapeHtml(String(v))}">`)
        .join('\n    ');
      const shell = await shellOf().catch(() => null);
      const html = shell
        ? shell.replace(/<title>[^<]*<\/title>/, '').replace('</head>', `<title>${escapeHtml(title)}</title>\n    ${tags}\n  </head>`)
        : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n    ${tags}\n  </head><body><a href="/">Open Loop</a></body></html>`;
      return reply
        .code(p ? 200 : 404)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(html);
    });
  };
}
