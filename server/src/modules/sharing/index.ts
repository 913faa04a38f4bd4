import type { LoopModule } from '../../app/wiring.ts';
import { sharePageRoutes } from './share-page.ts';
import { sharingRoutes } from './sharing.routes.ts';
import { videoShareCards } from './sharing.service.ts';

/**
 * Sharing of clips: to chats through messaging, links, the share page and the share sheet's
 * ranking; owns `video_shares` and `video_share_settings`. Provides messaging with clip cards.
 */
export const sharingModule: LoopModule = {
  name: 'sharing',
  provides: {
    routes: [sharingRoutes],
    siteRoutes: [sharePageRoutes],
    shareCards: { video: videoShareCards },
  },
  uses: ['accounts', 'graph', 'media', 'messaging'],
};
