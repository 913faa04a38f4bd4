import type { SearchQuery } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';
import { hiddenUserIds, searchUsers } from '../accounts/index.ts';
import * as media from '../media/index.ts';
import { searchProducts } from '../shop/index.ts';

/**
 * Discovery composes each capability's own search (docs/discovery.md): people from accounts,
 * clips and hashtags from media, products from the shop. It owns no tables and reads none.
 */
export async function search(ctx: AppContext, viewerId: string | null, q: SearchQuery) {
  const page = { cursor: q.cursor, limit: q.limit };
  switch (q.type) {
    case 'users':
      return searchUsers(ctx, viewerId, q.q.replace(/^@/, ''), page, await hiddenUserIds(ctx, viewerId));
    case 'videos':
      return media.searchVideos(ctx, viewerId, q.q, page);
    case 'hashtags':
      return media.searchHashtags(ctx, viewerId, q.q, page);
    case 'products':
      return searchProducts(ctx, viewerId, q.q, page, await hiddenUserIds(ctx, viewerId));
  }
}

export const hashtagVideos = (ctx: AppContext, viewerId: string | null, tag: string, page: { cursor?: string; limit: number }) => media.hashtagVideos(ctx, viewerId, tag, page);

export const trending = (ctx: AppContext, limit: number) => media.trendingHashtags(ctx, limit);
