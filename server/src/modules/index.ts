import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { accountsRoutes } from './accounts/accounts.routes.ts';
import { feedRoutes } from './feed/feed.routes.ts';
import { graphRoutes } from './graph/graph.routes.ts';
import { mediaRoutes } from './media/media.routes.ts';
import { messagingRoutes } from './messaging/messaging.routes.ts';
import { sharingRoutes } from './sharing/sharing.routes.ts';
import { shopRoutes } from './shop/index.ts';
// Imported for their registrations with accounts (profile counts, relationships, blocks;
// contact matching when an account gets an email or phone).
import './graph/graph.service.ts';
import './graph/contacts.service.ts';
// Register the demo clips, friends and chats with the embedded first run.
import './media/media-demo.ts';
import './messaging/messaging-demo.ts';

/** Every module's HTTP routes, mounted under /api/v1. Add a module here to expose it. */
export const moduleRoutes: Array<(ctx: AppContext) => FastifyPluginAsync> = [accountsRoutes, graphRoutes, messagingRoutes, mediaRoutes, feedRoutes, sharingRoutes, shopRoutes];
