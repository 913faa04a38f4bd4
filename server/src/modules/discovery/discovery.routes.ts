import { HashtagParam, Hashtag, page, PageQuery, Product, SearchQuery, TrendingHashtagsQuery, User, Video } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../../app/context.ts';
import * as discovery from './discovery.service.ts';

const tags = ['discovery'];

/** GET /search, /hashtags/:tag/videos, /hashtags/trending (API.md "Discovery and the learning For You"). Signed out works too: public things only. */
export function discoveryRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/search',
      {
        schema: {
          tags,
          description: 'Search people, clips (caption and hashtags), hashtags or products: prefix and typo-tolerant, by relevance then popularity',
          querystring: SearchQuery,
          response: { 200: page(z.union([Video, User, Hashtag, Product])) },
        },
      },
      async (req) => discovery.search(ctx, req.auth?.userId ?? null, req.query),
    );
    app.get(
      '/hashtags/trending',
      { schema: { tags, description: 'The hashtags on the most public clips of the last week', querystring: TrendingHashtagsQuery, response: { 200: z.object({ items: z.array(Hashtag) }) } } },
      async (req) => ({ items: await discovery.trending(ctx, req.query.limit) }),
    );
    app.get(
      '/hashtags/:tag/videos',
      { schema: { tags, description: 'Clips carrying #tag that the caller may see, newest first', params: HashtagParam, querystring: PageQuery, response: { 200: page(Video) } } },
      async (req) => discovery.hashtagVideos(ctx, req.auth?.userId ?? null, req.params.tag, req.query),
    );
  };
}
