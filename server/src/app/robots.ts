import type { FastifyPluginAsync } from 'fastify';

/**
 * Crawlers may read the public clip pages (`/v/:id`, server-rendered with Open Graph tags) and
 * nothing under the API. Without this file `/robots.txt` fell through to the web app's HTML.
 */
export const ROBOTS_TXT = `User-agent: *
Allow: /v/
Disallow: /api/
`;

export const robotsRoute: FastifyPluginAsync = async (app) => {
  app.get('/robots.txt', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=3600').send(ROBOTS_TXT),
  );
};
