/** The notifications module's public face: its routes and the event handlers that make notifications. */
export { notificationHandlers } from './notifications.handlers.ts';
export { notificationRoutes } from './notifications.routes.ts';
