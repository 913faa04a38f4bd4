import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';

/**
 * Serves media that anyone may see (avatars). Files are always re-encoded by Loop before
 * they are stored, and go out with a fixed type and `nosniff`, so a browser never guesses.
 */
export function publicMediaRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Params: { userId: string; file: string } }>('/media/avatars/:userId/:file', { schema: { hide: true } }, async (req, reply) => {
      const { userId, file } = req.params;
      if (!/^\d{1,19}$/.test(userId) || !/^[A-Za-z0-9_-]{16}\.webp$/.test(file)) throw new AppError('media_not_found', 404, 'No such file');
      const object = await ctx.storage.get(`avatars/${userId}/${file}`);
      if (!object) throw new AppError('media_not_found', 404, 'No such file');
      return reply
        .type('image/webp')
        .header('content-length', object.size)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(object.body);
    });
  };
}
