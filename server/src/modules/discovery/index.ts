import type { LoopModule } from '../../app/wiring.ts';
import { discoveryRoutes } from './discovery.routes.ts';

/** Search across people, clips, hashtags and products, and a page per hashtag (docs/discovery.md); owns no tables. */
export const discoveryModule: LoopModule = {
  name: 'discovery',
  provides: { routes: [discoveryRoutes] },
  uses: ['accounts', 'media', 'shop'],
};
