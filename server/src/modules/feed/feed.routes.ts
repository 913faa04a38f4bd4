import { FeedQuery, ForYouQuery, Id, page, Video } from '@loop/contracts';
import { z } from 'zod';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as feed from './feed.service.ts';

const tags = ['feed'];
const schema = { tags, querystring: FeedQuery, response: { 200: page(Video) } };

/** GET /feed/for-you, /feed/following, /feed/friends (API.md "Videos and feeds"). */
export function feedRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    // For You works signed out too (public clips only, nothing personal).
    app.get('/feed/for-you', { schema: { ...schema, querystring: ForYouQuery } }, async (req) => feed.forYouFeed(ctx, req.auth?.userId ?? null, req.query));
    app.get('/feed/following', { schema }, async (req) => feed.followingFeed(ctx, requireUser(req), req.query));
    app.get('/feed/friends', { schema }, async (req) => feed.friendsFeed(ctx, requireUser(req), req.query));
    app.get(
      '/videos/:id/why',
      {
        schema: {
          tags,
          description: 'Why For You shows this clip to the caller, in plain words (API.md "Discovery and the learning For You")',
          params: z.object({ id: Id }),
          response: { 200: z.object({ reasons: z.array(z.string()) }) },
        },
      },
      async (req) => feed.whyThisVideo(ctx, req.auth?.userId ?? null, req.params.id),
    );
  };
}
