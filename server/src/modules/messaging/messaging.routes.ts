import {
  AddMembersBody,
  Conversation,
  ConversationListQuery,
  ConversationParams,
  CreateConversationBody,
  EditMessageBody,
  MemberParams,
  Message,
  MessageHistoryQuery,
  MessageParams,
  MessageSearchQuery,
  ReactionParams,
  ReadBody,
  SendMessageBody,
  page,
} from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as messaging from './messaging.service.ts';

const tags = ['messaging'];
const MessageResult = z.object({ message: Message });
const ConversationResult = z.object({ conversation: Conversation });

/** Conversations and messages over HTTP (API.md "Messaging"); the same operations run over the WebSocket gateway. */
export function messagingRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get('/conversations', { schema: { tags, querystring: ConversationListQuery, response: { 200: page(Conversation) } } }, async (req) =>
      messaging.listConversations(ctx, requireUser(req), req.query),
    );

    app.post(
      '/conversations',
      { schema: { tags, body: CreateConversationBody, response: { 200: ConversationResult, 201: ConversationResult } } },
      async (req, reply) => {
        const { conversation, created } = await messaging.createConversation(ctx, requireUser(req), req.body);
        return reply.code(created ? 201 : 200).send({ conversation });
      },
    );

    app.get('/conversations/:id', { schema: { tags, params: ConversationParams, response: { 200: ConversationResult } } }, async (req) => ({
      conversation: await messaging.getConversation(ctx, requireUser(req), req.params.id),
    }));

    app.get(
      '/conversations/:id/messages',
      { schema: { tags, params: ConversationParams, querystring: MessageHistoryQuery, response: { 200: page(Message) } } },
      async (req) => messaging.listHistory(ctx, requireUser(req), req.params.id, req.query),
    );

    app.get(
      '/conversations/:id/messages/search',
      {
        schema: {
          tags,
          description:
            'Full-text search inside one conversation, newest first. Each page searches at most 50,000 messages, so a page may hold fewer than `limit` matches (or none) and still have a `nextCursor` to search further back; `nextCursor` is null once the whole conversation has been searched.',
          params: ConversationParams,
          querystring: MessageSearchQuery,
          response: { 200: page(Message) },
        },
      },
      async (req) => messaging.searchConversation(ctx, requireUser(req), req.params.id, req.query),
    );

    app.post(
      '/conversations/:id/messages',
      { schema: { tags, params: ConversationParams, body: SendMessageBody, response: { 200: MessageResult, 201: MessageResult } } },
      async (req, reply) => {
        const { message, created } = await messaging.sendMessage(ctx, requireUser(req), req.params.id, req.body);
        return reply.code(created ? 201 : 200).send({ message });
      },
    );

    app.patch(
      '/conversations/:id/messages/:seq',
      { schema: { tags, params: MessageParams, body: EditMessageBody, response: { 200: MessageResult } } },
      async (req) => ({ message: await messaging.editMessage(ctx, requireUser(req), req.params.id, req.params.seq, req.body.text) }),
    );

    app.delete('/conversations/:id/messages/:seq', { schema: { tags, params: MessageParams, response: { 200: MessageResult } } }, async (req) => ({
      message: await messaging.unsendMessage(ctx, requireUser(req), req.params.id, req.params.seq),
    }));

    app.put(
      '/conversations/:id/messages/:seq/reactions/:emoji',
      { schema: { tags, params: ReactionParams, response: { 200: MessageResult } } },
      async (req) => ({ message: await messaging.setReaction(ctx, requireUser(req), req.params.id, req.params.seq, req.params.emoji, true) }),
    );

    app.delete(
      '/conversations/:id/messages/:seq/reactions/:emoji',
      { schema: { tags, params: ReactionParams, response: { 200: MessageResult } } },
      async (req) => ({ message: await messaging.setReaction(ctx, requireUser(req), req.params.id, req.params.seq, req.params.emoji, false) }),
    );

    app.post(
      '/conversations/:id/read',
      { schema: { tags, params: ConversationParams, body: ReadBody, response: { 200: z.object({ conversationId: z.string(), seq: z.number().int() }) } } },
      async (req) => messaging.markRead(ctx, requireUser(req), req.params.id, req.body.seq),
    );

    app.post('/conversations/:id/accept', { schema: { tags, params: ConversationParams, response: { 200: ConversationResult } } }, async (req) => ({
      conversation: await messaging.acceptRequest(ctx, requireUser(req), req.params.id),
    }));

    app.post('/conversations/:id/decline', { schema: { tags, params: ConversationParams, response: { 200: ConversationResult } } }, async (req) => ({
      conversation: await messaging.declineRequest(ctx, requireUser(req), req.params.id),
    }));

    app.post(
      '/conversations/:id/members',
      { schema: { tags, params: ConversationParams, body: AddMembersBody, response: { 200: ConversationResult } } },
      async (req) => ({ conversation: await messaging.addMembers(ctx, requireUser(req), req.params.id, req.body.userIds) }),
    );

    app.delete(
      '/conversations/:id/members/:userId',
      { schema: { tags, params: MemberParams, response: { 200: z.object({ conversation: Conversation.nullable() }) } } },
      async (req) => ({ conversation: await messaging.removeMember(ctx, requireUser(req), req.params.id, req.params.userId) }),
    );
  };
}
