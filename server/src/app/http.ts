import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Problem } from '@loop/contracts';
import { isDbUnavailable } from '../platform/db/client.ts';
import { checkOrigin, enforceApiRateLimits, resolveAuth, SESSION_COOKIE } from './auth.ts';
import type { AppContext } from './context.ts';
import { AppError } from './errors.ts';
import { registerRealtime, WS_MAX_PAYLOAD } from './realtime.ts';
import { healthRoutes } from './health.ts';
import { publicMediaRoutes } from './public-media.ts';
import { OneLineRequestLog } from './request-log.ts';
import { robotsRoute } from './robots.ts';
import { registerTextGuard } from './text-guard.ts';
import { renderSignedInHome, sendPersonalPage } from './first-screen.ts';
import { shellSource } from '../platform/html/shell-source.ts';

const JSON_BODY_LIMIT = 256 * 1024;
/** The welcome screen as static HTML, written by the build beside index.html (web/build-output.ts). */
const WELCOME_PAGE = 'welcome.html';

/**
 * A request for a file the build does not have: a hashed asset of another build, or a source map.
 * It is a 404, never the app's HTML (which a browser would try to run as the script it asked for,
 * and which the service worker must not cache as one).
 */
function isMissingFile(url: string): boolean {
  const pathname = url.split('?')[0]!;
  return pathname.startsWith('/assets/') || pathname.endsWith('.map');
}

/**
 * The Content-Security-Policy of every response. Scripts and connections stay on this origin:
 * WebSockets only to this host (`ws:`/`wss:` alone would allow any host, a way out for data).
 */
export function contentSecurityPolicy(publicUrl: string, extraMediaOrigins: readonly string[] = []): string {
  const media = ["'self'", 'blob:', 'data:', ...extraMediaOrigins].join(' ');
  const site = new URL(publicUrl);
  const socketOrigin = `${site.protocol === 'https:' ? 'wss:' : 'ws:'}//${site.host}`;
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React writes style attributes; no inline scripts are ever allowed.
    "style-src 'self' 'unsafe-inline'",
    `img-src ${media}`,
    `media-src ${media}`,
    `connect-src 'self' ${socketOrigin}`,
    "worker-src 'self' blob:",
    "manifest-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The security headers every answer carries, also those Fastify gives before any hook runs (a bad URL). */
function securityHeaders(ctx: AppContext): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(ctx.config.publicUrl),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(self), microphone=(self), geolocation=()',
    ...(ctx.config.publicUrl.startsWith('https://') && { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
  };
}

function problem(status: number, code: string, detail: string, requestId: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `urn:loop:problem:${code}`,
    title: TITLES[status] ?? STATUS_CODES[status] ?? 'Error',
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

/** Stable codes for the framework's own refusals (others become their Fastify code, lower-cased). */
const FRAMEWORK_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'url_too_long',
};

/** Turns any thrown error into problem+json. The only place (with app/realtime.ts for frames) that does. */
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
    const code = FRAMEWORK_CODES[fe.code ?? ''] ?? (err instanceof SyntaxError ? 'malformed_json' : (fe.code ?? 'bad_request').toLowerCase().replace(/^fst_(err_)?/, ''));
    const detail = status === 413 ? 'The request body is too large' : (fe.message ?? 'Bad request');
    return { problem: problem(status, code, detail, requestId), headers: {}, log: false };
  }
  return { problem: problem(500, 'internal_error', 'Something went wrong on our side', requestId), headers: {}, log: true };
}

/**
 * A request Node's HTTP parser could not read (a bad header byte, a broken request line) never
 * reaches Fastify: it gets a problem+json written to the socket, then the connection closes.
 */
function answerClientError(err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code] = err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'headers_too_large'] : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'request_timeout'] : [400, 'malformed_request'];
  const body = JSON.stringify(problem(status, code, 'The request could not be read as HTTP', randomUUID()));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export function sendProblem(reply: FastifyReply, err: unknown, req: FastifyRequest) {
  const { problem: body, headers, log } = errorToProblem(err, String(req.id));
  if (log) req.log.error({ err }, 'request failed');
  reply.code(body.status).headers(headers).type('application/problem+json').send(JSON.stringify(body));
}

/** Builds the HTTP server: plugins, security, auth, modules, the web app. Does not listen. */
export async function buildHttpApp(ctx: AppContext): Promise<FastifyInstance> {
  const headers = securityHeaders(ctx);
  const requestLog = new OneLineRequestLog();
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    logController: requestLog,
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    trustProxy: ctx.config.trustProxy,
    forceCloseConnections: true,
    // Refusals Fastify makes before routing (a bad %-escape, an over-long parameter) answer
    // problem+json like every other error, with the same headers.
    frameworkErrors: (err, req, reply) => {
      // Fastify does not follow these answers to their end, so their log line is written here.
      reply.raw.once('finish', () => requestLog.requestCompleted(null, req, reply));
      sendProblem(reply.headers(headers).header('x-request-id', req.id), err, req);
    },
    clientErrorHandler: answerClientError,
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

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    reply.headers(headers);

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

  registerTextGuard(app);

  const hasWebApp = fs.existsSync(path.join(ctx.config.webDistDir, 'index.html'));
  app.setErrorHandler((err, req, reply) => sendProblem(reply, err, req));
  app.setNotFoundHandler((req, reply) => {
    const isPage = (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api/') && !req.url.startsWith('/media/') && !isMissingFile(req.url);
    if (isPage && hasWebApp) return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    return sendProblem(reply, new AppError('route_not_found', 404, `No route ${req.method} ${req.url.split('?')[0]}`), req);
  });

  await app.register(healthRoutes(ctx));
  for (const routes of ctx.modules.routes) await app.register(routes(ctx), { prefix: '/api/v1' });
  await registerRealtime(app, ctx);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(publicMediaRoutes(ctx));
  await app.register(robotsRoute);
  for (const routes of ctx.modules.siteRoutes) await app.register(routes(ctx));
  if (hasWebApp) {
    await app.register(fastifyStatic, {
      root: ctx.config.webDistDir,
      wildcard: false,
      index: false,
      // The build writes .br and .gz beside each text file (web/build-output.ts): the best one the
      // browser accepts goes out, with `Vary: Accept-Encoding`. The copies themselves and any
      // source map (the production build makes none) are not served as files.
      preCompressed: true,
      globIgnore: ['**/*.br', '**/*.gz', '**/*.map', `**/${WELCOME_PAGE}`],
      // Hashed assets never change; the HTML shell and unhashed files are revalidated every time.
      setHeaders: (reply, file) => reply.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache'),
    });
    // Signed-out visitors of the first screen get the welcome page the build rendered to static
    // HTML (web/build-output.ts): it paints without waiting for the app's scripts. Anyone with a
    // session cookie (valid or not: the app sorts that out), or a `?next=`, gets the app.
    const hasWelcomePage = fs.existsSync(path.join(ctx.config.webDistDir, WELCOME_PAGE));
    // Signed in, Home comes with its first screen's data and poster (first-screen.ts).
    const shell = shellSource(ctx.config.webDistDir, { rereadWhenChanged: ctx.config.env === 'development' });
    const firstScreen = async (req: FastifyRequest, reply: FastifyReply) => {
      const session = req.cookies?.[SESSION_COOKIE];
      const plain = !req.url.includes('?');
      if (session && plain && req.routeOptions.url === '/') {
        const html = await renderSignedInHome(app, req, shell);
        if (html) return sendPersonalPage(req, reply, html);
      }
      const welcome = hasWelcomePage && !session && plain;
      return reply.type('text/html').header('cache-control', 'no-cache').header('vary', 'Cookie').sendFile(welcome ? WELCOME_PAGE : 'index.html');
    };
    app.get('/', { schema: { hide: true } }, firstScreen);
    app.get('/welcome', { schema: { hide: true } }, firstScreen);
  } else {
    ctx.log.warn({ dir: ctx.config.webDistDir }, 'web app not built; run `npm run build` to serve it');
  }
  return app;
}
