import type { EventHandlers } from '../platform/events/events.ts';
import { notificationHandlers } from '../modules/notifications/index.ts';
import type { AppContext } from './context.ts';

/**
 * Every domain event type and the handlers that react to it (docs/notifications.md "Events").
 * The type makes a forgotten event type a compile error; an empty list says "nobody yet".
 */
export const eventHandlers: EventHandlers<AppContext> = {
  'follow.created': [notificationHandlers['follow.created']],
  'follow.requested': [notificationHandlers['follow.requested']],
  'video.liked': [notificationHandlers['video.liked']],
  'video.published': [notificationHandlers['video.published']],
  'comment.created': [notificationHandlers['comment.created']],
  'video.shared': [notificationHandlers['video.shared']],
  'message.request': [notificationHandlers['message.request']],
};
