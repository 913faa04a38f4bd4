import type { LoopModule } from '../../app/wiring.ts';
import { accountsRoutes } from './accounts.routes.ts';
import { deleteExpiredSessions } from './accounts.service.ts';

/**
 * Accounts: sign-up, sessions, profiles and settings; owns `users` and `sessions`. Other modules
 * read people only through these functions. It needs the social graph's lens (profile counts,
 * relationships, blocks): without one the server refuses to start.
 */
export const accountsModule: LoopModule = {
  name: 'accounts',
  provides: {
    routes: [accountsRoutes],
    housekeeping: [
      async (ctx) => {
        const removed = await deleteExpiredSessions(ctx);
        if (removed > 0) ctx.log.info({ removed }, 'expired sessions removed');
      },
    ],
  },
  needs: ['graphLens'],
};

export {
  accountFlags,
  anyAccountExists,
  authenticate,
  discoverableByIdentifiers,
  discoverableIds,
  findUserByUsername,
  friendsFirstOf,
  getMe,
  getMessagingPrefs,
  getUserViews,
  hiddenUserIds,
  identifierHash,
  isPrivateAccountLocked,
  liveSessionKeys,
  searchUsers,
  signup,
  updateProfile,
  type GraphLens,
  type IdentifierHook,
  type MessagingPrefs,
  type PrivacyHook,
} from './accounts.service.ts';
export type { UserRow } from './accounts.repo.ts';
export { normaliseEmail, normalisePhone } from './identifiers.ts';
export { onSessionRevoked, sessionKey } from './session-cache.ts';
export { onUserRulesChanged, userRulesChanged } from './user-rules.ts';
export { toUserView } from './user-view.ts';
