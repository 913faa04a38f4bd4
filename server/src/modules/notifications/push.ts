import type { Notification } from '@loop/contracts';
import type { AppContext } from '../../app/context.ts';

/** Sends a notification by web push to the recipient's subscribed browsers when they are away. */
export async function pushNotification(_ctx: AppContext, _recipientId: string, _notification: Notification): Promise<void> {}
