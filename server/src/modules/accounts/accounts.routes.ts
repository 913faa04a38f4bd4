import {
  AuthResult,
  ChangePasswordBody,
  LoginBody,
  Me,
  Profile,
  Settings,
  SetEmailBody,
  SetPhoneBody,
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
import { clearSessionCookie, requireSession, requireUser, setSessionCookie } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { readMultipart } from '../../app/multipart.ts';
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

    app.post(
      '/me/password',
      {
        schema: {
          tags,
          description:
            'Changes the password (same rules as sign-up). A wrong `currentPassword` is 403 `wrong_password` and counts against the login failure budget. Every other session of the account ends; this one stays.',
          body: ChangePasswordBody,
        },
      },
      async (req, reply) => {
        await accounts.changePassword(ctx, requireSession(req), req.body);
        return reply.code(204).send();
      },
    );

    // The email and phone that contact discovery matches: add or change (409 `email_taken` /
    // `phone_taken` when another account has it), or remove.
    app.put('/me/email', { schema: { tags, body: SetEmailBody, response: { 200: Me } } }, async (req) =>
      accounts.setIdentifier(ctx, requireUser(req), 'email', req.body.email),
    );
    app.delete('/me/email', { schema: { tags, response: { 200: Me } } }, async (req) => accounts.setIdentifier(ctx, requireUser(req), 'email', null));
    app.put('/me/phone', { schema: { tags, body: SetPhoneBody, response: { 200: Me } } }, async (req) =>
      accounts.setIdentifier(ctx, requireUser(req), 'phone', req.body.phone),
    );
    app.delete('/me/phone', { schema: { tags, response: { 200: Me } } }, async (req) => accounts.setIdentifier(ctx, requireUser(req), 'phone', null));

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
        let bytes = null as Buffer | null;
        await readMultipart(req, { fileSize: AVATAR_MAX_BYTES }, async (part) => {
          // toBuffer() throws a 413 error once the stream passes the size limit.
          if (part.fieldname === 'file') bytes = await part.toBuffer();
          else part.file.resume();
        });
        if (!bytes) throw new AppError('invalid_input', 400, 'file: is required', { field: 'file' });
        return accounts.setAvatar(ctx, userId, bytes);
      },
    );

    app.delete('/me/avatar', { schema: { tags, response: { 200: z.object({ user: User }) } } }, async (req) =>
      accounts.removeAvatar(ctx, requireUser(req)),
    );

    app.get('/users/search', { schema: { tags, querystring: UserSearchQuery, response: { 200: page(User) } } }, async (req) => {
      const viewerId = req.auth?.userId ?? null;
      return accounts.searchUsers(ctx, viewerId, req.query.q, req.query, await accounts.hiddenUserIds(ctx, viewerId));
    });

    app.get(
      '/users/:username',
      { schema: { tags, params: z.object({ username: z.string().min(1).max(64) }), response: { 200: Profile } } },
      async (req) => accounts.getProfile(ctx, req.auth?.userId ?? null, req.params.username),
    );
  };
}
