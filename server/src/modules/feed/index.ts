import type { LoopModule } from '../../app/wiring.ts';
import { feedRoutes } from './feed.routes.ts';

/** The For You, Following and Friends feeds, built from the graph and media; owns no tables. */
export const feedModule: LoopModule = {
  name: 'feed',
  provides: { routes: [feedRoutes] },
  uses: ['accounts', 'graph', 'media', 'recommender'],
};

export { forYouFeed, followingFeed, friendsFeed } from './feed.service.ts';
