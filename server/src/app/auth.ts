import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../modules/accounts/index.ts';
import type { AppContext } from './context.ts';
import { AppError, rateLimited, unauthorized } from './errors.ts';

export const SESSION_COOKIE = 'loop_session';

export interface Auth {
  userId: string;
  tokenHash: Buffer;
  /** How the token came: a cookie (a browser, so CSRF rules apply) or a bearer header / query token. */
  via: 'cookie' | 'bearer';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
}

/** The token a request carries: `Authorization: Bearer`, else the session cookie. */
export function tokenFrom(req: FastifyRequest): { token: string; via: Auth['via'] } | null {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), via: 'bearer' };
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie) return { token: cookie, via: 'cookie' };
  return null;
}

/** Resolves the session (if any) for every request; routes then call `requireUser`. */
export async function resolveAuth(ctx: AppContext, req: FastifyRequest): Promise<Auth | null> {
  const carried = tokenFrom(req);
  if (!carried) return null;
  const session = await authenticate(ctx, carried.token);
  return session ? { ...session, via: carried.via } : null;
}

/** The signed-in user's id, or 401. */
export function requireUser(req: FastifyRequest): string {
  if (!req.auth) throw unauthorized();
  return req.auth.userId;
}

/** The signed-in session (user and token hash), or 401: for changes that treat this session apart from the others. */
export function requireSession(req: FastifyRequest): Auth {
  if (!req.auth) throw unauthorized();
  return req.auth;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers attach cookies to cross-site requests; a state change that rides on a cookie
 * must come from Loop's own origin. Requests with a bearer token cannot be forged by
 * another site (it cannot read or set the header without CORS) and pass.
 */
export function checkOrigin(ctx: AppContext, req: FastifyRequest) {
  if (SAFE_METHODS.has(req.method)) return;
  if (req.auth?.via === 'bearer') return;
  const usesCookie = Boolean(req.cookies?.[SESSION_COOKIE]);
  const origin = req.headers.origin;
  const fetchSite = req.headers['sec-fetch-site'];
  if (origin !== undefined) {
    if (!isAllowedOrigin(ctx, req, origin)) throw new AppError('cross_origin_forbidden', 403, 'This request came from another site and was refused');
    return;
  }
  if (usesCookie && (fetchSite === 'cross-site' || fetchSite === 'same-site')) {
    throw new AppError('cross_origin_forbidden', 403, 'This request came from another site and was refused');
  }
}

/**
 * A WebSocket upgrade from another site's page is refused: browsers send Origin on every upgrade
 * and attach cookies to cross-site ones, so this is the upgrade's CSRF check.
 */
export function refuseCrossSiteUpgrade(ctx: AppContext, req: FastifyRequest): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !isAllowedOrigin(ctx, req, origin)) {
    throw new AppError('cross_origin_forbidden', 403, 'This connection came from another site and was refused');
  }
}

export function isAllowedOrigin(ctx: AppContext, req: FastifyRequest, origin: string): boolean {
  if (origin === ctx.config.publicOrigin) return true;
  if (ctx.config.corsOrigins.includes(origin)) return true;
  // The origin the browser actually used to reach this server (e.g. 127.0.0.1:PORT in tests).
  const host = req.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

/** Per-IP, then per-user request budgets for the API. */
export async function enforceApiRateLimits(ctx: AppContext, req: FastifyRequest, reply: FastifyReply) {
  const limits = ctx.config.rateLimits;
  const ip = await ctx.rateLimiter.hit(`api-ip:${req.ip}`, limits.apiPerIp, 60_000);
  if (!ip.allowed) throw rateLimited(ip.retryAfterSec);
  if (req.auth) {
    const user = await ctx.rateLimiter.hit(`api-user:${req.auth.userId}`, limits.apiPerUser, 60_000);
    if (!user.allowed) throw rateLimited(user.retryAfterSec);
    reply.header('RateLimit-Remaining', Math.max(0, limits.apiPerUser - user.count));
  }
}

export function setSessionCookie(ctx: AppContext, reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.publicUrl.startsWith('https://'),
    path: '/',
    maxAge: Math.floor(ctx.config.sessionTtlMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
