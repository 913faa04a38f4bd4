import {
  BlockedAccount,
  FollowRequest,
  MuteResult,
  PageQuery,
  RelationshipResult,
  RequesterParams,
  Suggestion,
  UploadContactsBody,
  UploadContactsResult,
  UserIdParams,
  UserWithRelationship,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as contacts from './contacts.service.ts';
import * as graph from './graph.service.ts';
import { listSuggestions } from './suggestions.service.ts';

const tags = ['graph'];

/** Follows, friends, requests, blocks, mutes, contact sync and suggestions (API.md "Social graph"). */
export function graphRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const idRoute = { tags, params: UserIdParams, response: { 200: RelationshipResult } };

    app.put('/users/:id/follow', { schema: idRoute }, async (req) => graph.follow(ctx, requireUser(req), req.params.id));
    app.delete('/users/:id/follow', { schema: idRoute }, async (req) => graph.unfollow(ctx, requireUser(req), req.params.id));

    for (const kind of ['followers', 'following', 'friends'] as const) {
      app.get(
        `/users/:id/${kind}`,
        { schema: { tags, params: UserIdParams, querystring: PageQuery, response: { 200: page(UserWithRelationship) } } },
        async (req) => graph.listConnections(ctx, req.auth?.userId ?? null, req.params.id, kind, req.query),
      );
    }

    app.get('/me/follow-requests', { schema: { tags, querystring: PageQuery, response: { 200: page(FollowRequest) } } }, async (req) =>
      graph.listFollowRequests(ctx, requireUser(req), req.query),
    );
    for (const answer of ['accept', 'decline'] as const) {
      app.post(
        `/me/follow-requests/:userId/${answer}`,
        { schema: { tags, params: RequesterParams, response: { 200: RelationshipResult } } },
        async (req) => graph.answerFollowRequest(ctx, requireUser(req), req.params.userId, answer === 'accept'),
      );
    }

    app.get('/me/blocks', { schema: { tags, querystring: PageQuery, response: { 200: page(BlockedAccount) } } }, async (req) =>
      graph.listBlockedAccounts(ctx, requireUser(req), req.query),
    );
    app.put('/users/:id/block', { schema: idRoute }, async (req) => graph.block(ctx, requireUser(req), req.params.id));
    app.delete('/users/:id/block', { schema: idRoute }, async (req) => graph.unblock(ctx, requireUser(req), req.params.id));
    const muteRoute = { tags, params: UserIdParams, response: { 200: MuteResult } };
    app.put('/users/:id/mute', { schema: muteRoute }, async (req) => graph.setMuted(ctx, requireUser(req), req.params.id, true));
    app.delete('/users/:id/mute', { schema: muteRoute }, async (req) => graph.setMuted(ctx, requireUser(req), req.params.id, false));

    app.post('/me/contacts', { schema: { tags, body: UploadContactsBody, response: { 200: UploadContactsResult } } }, async (req) =>
      contacts.uploadContacts(ctx, requireUser(req), req.body),
    );
    app.delete('/me/contacts', { schema: { tags } }, async (req, reply) => {
      await contacts.deleteContacts(ctx, requireUser(req));
      return reply.code(204).send();
    });

    app.get('/me/suggestions', { schema: { tags, querystring: PageQuery, response: { 200: page(Suggestion) } } }, async (req) =>
      listSuggestions(ctx, requireUser(req), req.query),
    );
    app.post('/me/suggestions/:userId/dismiss', { schema: { tags, params: RequesterParams } }, async (req, reply) => {
      await graph.dismiss(ctx, requireUser(req), req.params.userId);
      return reply.code(204).send();
    });
  };
}
