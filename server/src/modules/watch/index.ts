import type { LoopModule } from '../../app/wiring.ts';
import { watchFrames } from './watch.frames.ts';
import { watchRoutes } from './watch.routes.ts';

/**
 * Watch together: a clip played in sync for the members of a conversation (docs/watch-together.md);
 * owns `watch_sessions` and `watch_participants`. Membership comes from messaging, what a person
 * may see from media.
 */
export const watchModule: LoopModule = {
  name: 'watch',
  provides: {
    routes: [watchRoutes],
    frames: watchFrames,
  },
  uses: ['accounts', 'media', 'messaging'],
};
