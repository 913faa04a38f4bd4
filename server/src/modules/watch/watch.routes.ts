import { Id, StartWatchBody, WatchSessionResult } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as watch from './watch.service.ts';

const tags = ['watch'];
const ConversationParams = z.object({ id: Id });

/** POST/GET/DELETE /conversations/:id/watch (API.md "Watching together in a conversation"). */
export function watchRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/conversations/:id/watch',
      { schema: { tags, params: ConversationParams, body: StartWatchBody, response: { 201: WatchSessionResult } } },
      async (req, reply) => {
        const result = await watch.startSession(ctx, requireUser(req), req.params.id, req.body.videoId);
        return reply.code(201).send(result);
      },
    );

    app.get('/conversations/:id/watch', { schema: { tags, params: ConversationParams, response: { 200: WatchSessionResult } } }, async (req) =>
      watch.getSession(ctx, requireUser(req), req.params.id),
    );

    app.delete('/conversations/:id/watch', { schema: { tags, params: ConversationParams } }, async (req, reply) => {
      await watch.endSession(ctx, requireUser(req), req.params.id);
      return reply.code(204).send();
    });
  };
}
