import type { LoopModule } from '../../app/wiring.ts';
import { storyShareCards } from './story-replies.ts';
import { storiesRoutes } from './stories.routes.ts';
import { archiveExpiredStories } from './stories.service.ts';

/**
 * Stories: posts for friends, close friends or followers that expire after STORY_TTL_SEC, the
 * tray, views and reactions, replies as chat messages with a story card, close friends and the
 * author's archive (docs/stories.md); owns the story, story view and close-friends tables.
 * Provides messaging with story cards and the worker with the expiry sweep.
 */
export const storiesModule: LoopModule = {
  name: 'stories',
  provides: {
    routes: [storiesRoutes],
    shareCards: { story: storyShareCards },
    periodic: [
      {
        name: 'stories.expire',
        everyMs: 60_000,
        // Batches of 200 until the backlog is gone (at most 20 a run; the next run takes the rest).
        run: async (ctx) => {
          for (let i = 0; i < 20 && (await archiveExpiredStories(ctx, 200)) === 200; i++);
        },
      },
    ],
  },
  uses: ['accounts', 'graph', 'media', 'messaging'],
};
