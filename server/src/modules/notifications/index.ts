import type { LoopModule } from '../../app/wiring.ts';
import { notificationHandlers } from './notifications.handlers.ts';
import { notificationRoutes } from './notifications.routes.ts';

/**
 * Notifications: the activity inbox, its live frames and unread count, per-kind settings and web
 * push (docs/notifications.md). Made from domain events by its event handlers; owns the
 * notification, setting, push subscription and VAPID key tables.
 */
export const notificationsModule: LoopModule = {
  name: 'notifications',
  provides: {
    routes: [notificationRoutes],
    events: {
      'follow.created': [notificationHandlers['follow.created']],
      'follow.requested': [notificationHandlers['follow.requested']],
      'video.liked': [notificationHandlers['video.liked']],
      'video.published': [notificationHandlers['video.published']],
      'comment.created': [notificationHandlers['comment.created']],
      'video.shared': [notificationHandlers['video.shared']],
      'message.request': [notificationHandlers['message.request']],
      'order.changed': [notificationHandlers['order.changed']],
      'story.replied': [notificationHandlers['story.replied']],
      'live.started': [notificationHandlers['live.started']],
    },
  },
  uses: ['accounts', 'graph', 'media', 'shop'],
};
