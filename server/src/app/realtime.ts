import { HelloFrame } from '@loop/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodType } from 'zod';
import { authenticate, liveSessionKeys, onSessionRevoked, sessionKey } from '../modules/accounts/index.ts';
import type { Frame } from '../platform/realtime/frames.ts';
import { RealtimeServer } from '../platform/realtime/transport.ts';
import { refuseCrossSiteUpgrade } from './auth.ts';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';

export { WS_CLOSE_SIGNED_OUT, WS_MAX_PAYLOAD } from '../platform/realtime/transport.ts';

/** Wires the real-time core (platform/realtime) to this app: sessions from accounts, frames from the listed modules. */
export function createRealtime(ctx: AppContext): RealtimeServer<AppContext> {
  return new RealtimeServer<AppContext>({
    ctx,
    pubsub: ctx.pubsub,
    log: ctx.log,
    limits: ctx.config.gateway,
    features: ctx.modules.frames,
    helloSchema: HelloFrame as ZodType<Frame>,
    personalChannel: (userId) => `user:${userId}`,
    presence: ctx.presence,
    sessions: {
      liveKeys: (keys) =>
        liveSessionKeys(
          ctx,
          keys.map((k) => Buffer.from(k, 'base64url')),
        ),
      onRevoked: (fn) => onSessionRevoked(ctx, fn),
    },
    describeError: (err) => (err instanceof AppError ? { code: err.code, detail: err.message, ...(err.extra.field && { field: err.extra.field }) } : null),
  });
}

/** `GET /api/v1/ws` (API.md "WebSocket"): authenticates the upgrade (cookie, bearer, or `?token=`), checks a browser's Origin, hands the socket to the core. */
export async function registerRealtime(app: FastifyInstance, ctx: AppContext): Promise<RealtimeServer<AppContext>> {
  const realtime = createRealtime(ctx);
  app.addHook('onClose', async () => realtime.close());
  app.get(
    '/api/v1/ws',
    {
      websocket: true,
      schema: { hide: true },
      preValidation: async (req: FastifyRequest) => {
        refuseCrossSiteUpgrade(ctx, req);
        if (!req.auth) {
          const token = (req.query as { token?: unknown }).token;
          if (typeof token === 'string') {
            const session = await authenticate(ctx, token);
            if (session) req.auth = { ...session, via: 'bearer' };
          }
        }
        if (!req.auth) throw new AppError('unauthorized', 401, 'Sign in to continue');
      },
    },
    (socket, req) => void realtime.accept(socket, { userId: req.auth!.userId, session: sessionKey(req.auth!.tokenHash) }),
  );
  return realtime;
}
