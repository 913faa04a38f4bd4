import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Problem } from '@loop/contracts';
import { isDbUnavailable } from '../platform/db/client.ts';
import { moduleRoutes } from '../modules/index.ts';
import { checkOrigin, enforceApiRateLimits, resolveAuth } from './auth.ts';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { registerGateway, WS_MAX_PAYLOAD } from './gateway.ts';
import { healthRoutes } from './health.ts';
import { publicMediaRoutes } from './public-media.ts';
import { sharePageRoutes } from '../modules/sharing/share-page.ts';

const JSON_BODY_LIMIT = 256 * 1024;

/** Headers every response carries, HTML or JSON, success or error. */
export function contentSecurityPolicy(extraMediaOrigins: readonly string[] = []): string {
  const media = ["'self'", 'blob:', 'data:', ...extraMediaOrigins].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React writes style attributes; no inline scripts are ever allowed.
    "style-src 'self' 'unsafe-inline'",
    `img-src ${media}`,
    `media-src ${media}`,
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function problem(status: number, code: string, detail: string, requestId: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `urn:loop:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    requestId,
    ...extra,
  };
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Turns any thrown error into problem+json. The only place (with the gateway) that does. */
export function errorToProblem(err: unknown, requestId: string): { problem: Problem; headers: Record<string, string>; log: boolean } {
  if (err instanceof AppError) {
    const headers: Record<string, string> = {};
    if (err.extra.retryAfterSec !== undefined) headers['retry-after'] = String(err.extra.retryAfterSec);
    const errors = err.extra.field ? [{ field: err.extra.field, message: err.message.replace(/^[^:]+: /, '') }] : undefined;
    return { problem: problem(err.status, err.code, err.message, requestId, errors ? { errors } : {}), headers, log: err.status >= 500 };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as FastifyError).validationContext ?? 'body';
    const errors = err.validation.map((v) => {
      const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.') || where;
      return { field, message: v.message ?? 'is invalid' };
    });
    const first = errors[0]!;
    return { problem: problem(400, 'invalid_input', `${first.field}: ${first.message}`, requestId, { errors }), headers: {}, log: false };
  }
  if (isDbUnavailable(err)) {
    return {
      problem: problem(503, 'database_unavailable', 'The service is briefly unavailable; try again shortly', requestId),
      headers: { 'retry-after': '5' },
      log: true,
    };
  }
  const fe = err as Partial<FastifyError> & { code?: string };
  const status = fe.statusCode;
  if (status && status >= 400 && status < 500) {
    const code = fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (err instanceof SyntaxError) ? 'malformed_json' : (fe.code ?? 'bad_request').toLowerCase().replace(/^fst_(err_)?/, '');
    const detail = status === 413 ? 'The request body is too large' : (fe.message ?? 'Bad request');
    return { problem: problem(status, code, detail, requestId), headers: {}, log: false };
  }
  return { problem: problem(500, 'internal_error', 'Something went wrong on our side', requestId), headers: {}, log: true };
}

export function sendProblem(reply: FastifyReply, err: unknown, req: FastifyRequest) {
  const { problem: body, headers, log } = errorToProblem(err, String(req.id));
  if (log) req.log.error({ err }, 'request failed');
  reply.code(body.status).headers(headers).type('application/problem+json').send(JSON.stringify(body));
}

/** Builds the HTTP server: plugins, security, auth, modules, the web app. Does not listen. */
export async function buildHttpApp(ctx: AppContext): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: ctx.config.trustProxy,
    forceCloseConnections: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);

  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 10, fieldSize: 4096 } });
  // Compression is off: it costs memory per socket and CPU per frame, and chat frames are small.
  await app.register(fastifyWebsocket, { options: { maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false } });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Loop API', version: '1.0.0', description: 'The public HTTP API of Loop. WebSocket frames are documented in docs/api.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'loop_session' } } },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    transform: jsonSchemaTransform,
  });

  const csp = contentSecurityPolicy();
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.header('content-security-policy', csp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'strict-origin-when-cross-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(self), microphone=(self), geolocation=()');
    if (ctx.config.publicUrl.startsWith('https://')) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');

    const origin = req.headers.origin;
    if (origin && ctx.config.corsOrigins.includes(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-allow-credentials', 'true');
      reply.header('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', 'GET,POST,PUT,PATCH,DELETE');
        reply.header('access-control-allow-headers', 'content-type,authorization,idempotency-key');
        reply.header('access-control-max-age', '600');
        return reply.code(204).send();
      }
    }

    if (!req.url.startsWith('/api/')) return;
    reply.header('cache-control', 'no-store');
    req.auth = await resolveAuth(ctx, req);
    checkOrigin(ctx, req);
    await enforceApiRateLimits(ctx, req, reply);
  });

  const hasWebApp = fs.existsSync(path.join(ctx.config.webDistDir, 'index.html'));
  app.setErrorHandler((err, req, reply) => sendProblem(reply, err, req));
  app.setNotFoundHandler((req, reply) => {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api/') && !req.url.startsWith('/media/');
    if (isPage && hasWebApp) return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    return sendProblem(reply, new AppError('route_not_found', 404, `No route ${req.method} ${req.url.split('?')[0]}`), req);
  });

  await app.register(healthRoutes(ctx));
  for (const routes of moduleRoutes) await app.register(routes(ctx), { prefix: '/api/v1' });
  await registerGateway(app, ctx);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(publicMediaRoutes(ctx));
  await app.register(sharePageRoutes(ctx));
  if (hasWebApp) {
    await app.register(fastifyStatic, {
      root: ctx.config.webDistDir,
      wildcard: false,
      index: false,
      // Hashed assets never change; the HTML shell is revalidated every time.
      setHeaders: (reply, file) => reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html'));
  } else {
    ctx.log.warn({ dir: ctx.config.webDistDir }, 'web app not built; run `npm run build` to serve it');
  }
  return app;
}
