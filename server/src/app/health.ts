import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { migrationsApplied } from '../platform/db/migrator.ts';
import type { AppContext } from './context.ts';

/** `/healthz`: the process is up. `/readyz`: it can serve (database reachable, schema current). */
export function healthRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    for (const prefix of ['', '/api/v1']) {
      app.get(`${prefix}/healthz`, { schema: { hide: prefix === '' } }, async () => ({ status: 'ok' }));
      app.get(`${prefix}/readyz`, { schema: { hide: prefix === '' } }, async (_req, reply) => {
        try {
          await sql`select 1`.execute(ctx.db);
          if (!(await migrationsApplied(ctx.db))) return reply.code(503).send({ status: 'migrating' });
          return { status: 'ready', database: ctx.dbEngine };
        } catch {
          return reply.code(503).send({ status: 'database_unavailable' });
        }
      });
    }
  };
}
