import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { accountsRoutes } from './accounts/accounts.routes.ts';
import { messagingRoutes } from './messaging/messaging.routes.ts';
// Imported for its registration with accounts (profile counts, relationships, blocks).
import './graph/graph.service.ts';

/** Every module's HTTP routes, mounted under /api/v1. Add a module here to expose it. */
export const moduleRoutes: Array<(ctx: AppContext) => FastifyPluginAsync> = [accountsRoutes, messagingRoutes];
