import type { LoopModule } from '../../app/wiring.ts';
import { suggestToContactOwners } from './contacts.service.ts';
import { graphRoutes } from './graph.routes.ts';
import { followFrames, graphLens } from './graph.service.ts';
import { refitSuggestionModel, refitSuggestionModelIfDue } from './suggestion-model.service.ts';

/**
 * The social graph: follows, requests, blocks, mutes, contact sync and friend suggestions; owns
 * those tables and reads people only through accounts. Provides accounts with its lens
 * (counts, relationships, who is hidden) and needs media's count of a profile's clips.
 */
export const graphModule: LoopModule = {
  name: 'graph',
  provides: {
    routes: [graphRoutes],
    graphLens,
    identifierHooks: [suggestToContactOwners],
    events: { 'follow.created': [followFrames['follow.created']], 'follow.requested': [followFrames['follow.requested']] },
    jobs: {
      'suggestions.fit': {
        run: async (ctx, _p, job) => {
          await refitSuggestionModel(ctx, job);
        },
      },
    },
    housekeeping: [
      async (ctx) => {
        await refitSuggestionModelIfDue(ctx);
      },
    ],
  },
  needs: ['videoCounter'],
  uses: ['accounts'],
};

export {
  type Audience,
  areFriends,
  audienceOf,
  blockedEitherWayIds,
  blocksAndFriendshipAmong,
  follow,
  followees,
  followers,
  friendIds,
  friendsAndBlocksWith,
  isBlockedEitherWay,
  mutedOrBlockedIds,
  relationshipBetween,
  type VideoCounter,
} from './graph.service.ts';
