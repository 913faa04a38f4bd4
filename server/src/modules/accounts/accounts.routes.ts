import {
  AuthResult,
  LoginBody,
  Me,
  Profile,
  Settings,
  SignupBody,
  UpdateProfileBody,
  UpdateSettingsBody,
  User,
  UserSearchQuery,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clearSessionCookie, requireUser, setSessionCookie } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import * as accounts from './accounts.service.ts';
import { AVATAR_MAX_BYTES } from './avatars.ts';

const tags = ['accounts'];

/** Sign up, log in, the signed-in user, profiles and search (API.md "Accounts"). */
export function accountsRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.post('/auth/signup', { schema: { tags, body: SignupBody, response: { 201: AuthResult } } }, async (req, reply) => {
      const result = await accounts.signup(ctx, req.body, { ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(ctx, reply, result.token);
      return reply.code(201).send(result);
    });

    app.post('/auth/login', { schema: { tags, body: LoginBody, response: { 200: AuthResult } } }, async (req, reply) => {
      const result = await accounts.login(ctx, req.body, { ip: req.ip, userAgent: req.headers['user-agent'] });
      setSessionCookie(ctx, reply, result.token);
      return result;
    });

    app.post('/auth/logout', { schema: { tags } }, async (req, reply) => {
      if (req.auth) await accounts.logout(ctx, req.auth.tokenHash);
      clearSessionCookie(reply);
      return reply.code(204).send();
    });

    app.get('/me', { schema: { tags, response: { 200: Me } } }, async (req) => accounts.getMe(ctx, requireUser(req)));

    app.patch('/me', { schema: { tags, body: UpdateProfileBody, response: { 200: z.object({ user: User }) } } }, async (req) =>
      accounts.updateProfile(ctx, requireUser(req), req.body),
    );

    app.patch(
      '/me/settings',
      { schema: { tags, body: UpdateSettingsBody, response: { 200: z.object({ user: User, settings: Settings }) } } },
      async (req) => accounts.updateSettings(ctx, requireUser(req), req.body),
    );

    app.put(
      '/me/avatar',
      { schema: { tags, consumes: ['multipart/form-data'], description: 'multipart field `file`: an image ≤ 5 MB', response: { 200: z.object({ user: User }) } } },
      async (req) => {
        const userId = requireUser(req);
        if (!req.isMultipart()) throw new AppError('invalid_input', 400, 'file: send the image as multipart/form-data', { field: 'file' });
        const part = await req.file({ limits: { fileSize: AVATAR_MAX_BYTES, files: 1 } });
        if (!part) throw new AppError('invalid_input', 400, 'file: is required', { field: 'file' });
        // toBuffer() throws a 413 error once the stream passes the size limit.
        const bytes = await part.toBuffer();
        return accounts.setAvatar(ctx, userId, bytes);
      },
    );

    app.delete('/me/avatar', { schema: { tags, response: { 200: z.object({ user: User }) } } }, async (req) =>
      accounts.removeAvatar(ctx, requireUser(req)),
    );

    app.get('/users/search', { schema: { tags, querystring: UserSearchQuery, response: { 200: page(User) } } }, async (req) =>
      accounts.searchUsers(ctx, req.query.q, req.query, await accounts.hiddenUserIds(ctx, req.auth?.userId ?? null)),
    );

    app.get(
      '/users/:username',
      { schema: { tags, params: z.object({ username: z.string().min(1).max(64) }), response: { 200: Profile } } },
      async (req) => accounts.getProfile(ctx, req.auth?.userId ?? null, req.params.username),
    );
  };
}
