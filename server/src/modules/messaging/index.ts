import type { LoopModule } from '../../app/wiring.ts';
import { messagingDemo } from './messaging-demo.ts';
import { messagingFrames } from './messaging.frames.ts';
import { messagingRoutes } from './messaging.routes.ts';
import { userShareCards } from './share-cards.ts';

/**
 * Messaging: conversations, messages with gap-free seqs, reactions, read marks, typing and
 * share cards; owns the conversation tables. Provides the profile card (`user` shares); other
 * kinds of cards come from the modules that own those objects.
 */
export const messagingModule: LoopModule = {
  name: 'messaging',
  provides: {
    routes: [messagingRoutes],
    frames: messagingFrames,
    shareCards: { user: userShareCards },
    demo: messagingDemo,
  },
  uses: ['accounts', 'graph'],
};

export {
  conversationMemberIds,
  conversationView,
  createConversation,
  insertShopConversation,
  memberIdsOf,
  messagesById,
  recentChatActivity,
  recentConversations,
  republishMessage,
  sendMessagesTogether,
} from './messaging.service.ts';
export { type ShareCardProvider, siteLinkDetector } from './share-cards.ts';
