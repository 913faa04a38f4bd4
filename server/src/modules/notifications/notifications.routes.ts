import { MarkReadBody, NotificationList, NotificationSettings, NotificationSettingsPatch, PageQuery, PushSubscriptionBody, PushUnsubscribeBody, UnreadCount, VapidKey } from '@loop/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireUser } from '../../app/auth.ts';
import type { AppContext } from '../../app/context.ts';
import * as notifications from './notifications.service.ts';
import * as push from './push.ts';

const tags = ['notifications'];

/** The activity inbox and its settings (API.md "Notifications", docs/notifications.md). */
export function notificationRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();

    app.get('/notifications', { schema: { tags, querystring: PageQuery, response: { 200: NotificationList } } }, async (req) =>
      notifications.listNotifications(ctx, requireUser(req), req.query),
    );
    app.get('/notifications/unread-count', { schema: { tags, response: { 200: UnreadCount } } }, async (req) => ({
      count: await notifications.unreadCount(ctx, requireUser(req)),
    }));
    app.post('/notifications/read', { schema: { tags, body: MarkReadBody.nullish() } }, async (req, reply) => {
      await notifications.markRead(ctx, requireUser(req), req.body?.upToId ?? null);
      return reply.code(204).send();
    });

    app.get('/me/notification-settings', { schema: { tags, response: { 200: NotificationSettings } } }, async (req) =>
      notifications.getSettings(ctx, requireUser(req)),
    );
    app.patch('/me/notification-settings', { schema: { tags, body: NotificationSettingsPatch, response: { 200: NotificationSettings } } }, async (req) =>
      notifications.updateSettings(ctx, requireUser(req), req.body),
    );

    app.get('/push/vapid-public-key', { schema: { tags, response: { 200: VapidKey } } }, async () => ({ key: (await push.vapidKeys(ctx)).publicKey }));
    app.post('/me/push-subscriptions', { schema: { tags, body: PushSubscriptionBody } }, async (req, reply) => {
      await push.subscribe(ctx, requireUser(req), req.body);
      return reply.code(201).send();
    });
    app.delete('/me/push-subscriptions', { schema: { tags, body: PushUnsubscribeBody } }, async (req, reply) => {
      await push.unsubscribe(ctx, requireUser(req), req.body.endpoint);
      return reply.code(204).send();
    });
  };
}
