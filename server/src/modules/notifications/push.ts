import type { Notification, PushPayload, PushSubscriptionBody } from '@loop/contracts';
import { sql } from 'kysely';
import type { AppContext } from '../../app/context.ts';
import { AppError, badInput, notFound } from '../../app/errors.ts';
import { whyNotPublicUrl } from '../../platform/net/public-address.ts';
import { generateVapidKeys, sendWebPush, type VapidKeys } from '../../platform/push/web-push.ts';
import * as repo from './notifications.repo.ts';

/** Browsers (devices) one person may have subscribed at once. */
const MAX_SUBSCRIPTIONS = 20;

const vapidCache = new WeakMap<AppContext, Promise<VapidKeys>>();

/**
 * The VAPID key pair: from the settings when both are set; otherwise the pair made on the first
 * run and kept in the database (one row, so every node signs with the same key; the private key
 * sealed with APP_SECRET).
 */
export function vapidKeys(ctx: AppContext): Promise<VapidKeys> {
  let keys = vapidCache.get(ctx);
  if (!keys) {
    keys = loadVapidKeys(ctx);
    keys.catch(() => vapidCache.delete(ctx));
    vapidCache.set(ctx, keys);
  }
  return keys;
}

async function loadVapidKeys(ctx: AppContext): Promise<VapidKeys> {
  const { vapidPublicKey, vapidPrivateKey, vapidSubject } = ctx.config.push;
  if (vapidPublicKey && vapidPrivateKey) return { publicKey: vapidPublicKey, privateKey: vapidPrivateKey, subject: vapidSubject };
  const fresh = generateVapidKeys();
  // The first node to get here wins; everyone reads the winner's pair.
  await sql`INSERT INTO push_vapid_keys (id, public_key, private_key_sealed) VALUES (1, ${fresh.publicKey}, ${ctx.secrets.seal(fresh.privateKey)})
            ON CONFLICT (id) DO NOTHING`.execute(ctx.db);
  const row = await ctx.db.selectFrom('push_vapid_keys').select(['public_key', 'private_key_sealed']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { publicKey: row.public_key, privateKey: ctx.secrets.open(Buffer.from(row.private_key_sealed)), subject: vapidSubject };
}

/** POST /me/push-subscriptions: only endpoints the server may call (public https; see docs). */
export async function subscribe(ctx: AppContext, userId: string, body: PushSubscriptionBody) {
  const why = await whyNotPublicUrl(body.endpoint, ctx.config.push.allowPrivateEndpoints);
  if (why) throw new AppError('push_endpoint_not_allowed', 400, `endpoint: ${why}`, { field: 'endpoint' });
  if ((await repo.countSubscriptions(ctx.db, userId)) >= MAX_SUBSCRIPTIONS) {
    throw new AppError('too_many_push_subscriptions', 409, `You can get push notifications on at most ${MAX_SUBSCRIPTIONS} browsers; turn them off on one first`);
  }
  await repo.upsertSubscription(ctx.db, { userId, endpoint: body.endpoint, p256dh: body.keys.p256dh, auth: body.keys.auth });
}

/** DELETE /me/push-subscriptions: 404 when this person has no such subscription. */
export async function unsubscribe(ctx: AppContext, userId: string, endpoint: string) {
  if (!endpoint) throw badInput('endpoint', 'must not be empty');
  if (!(await repo.deleteSubscription(ctx.db, userId, endpoint))) throw notFound('push_subscription');
}

/**
 * Sends a notification by web push to each of the recipient's browsers — only when they are not
 * using Loop right now (no socket open, or idle: the live frame is enough otherwise). A
 * subscription the push service says is gone (404, 410) is removed. Best effort: failures are
 * logged, never retried (the notification is in the inbox either way).
 */
export async function pushNotification(ctx: AppContext, recipientId: string, notification: Notification): Promise<void> {
  const subs = await repo.subscriptionsOf(ctx.db, recipientId);
  if (subs.length === 0) return;
  if (await ctx.presence.isActive(recipientId)) return;
  const vapid = await vapidKeys(ctx);
  const payload: PushPayload = { title: 'Loop', body: notification.text, url: notification.url, tag: `n${notification.id}`, notificationId: notification.id };
  const text = JSON.stringify(payload);
  await Promise.all(
    subs.map(async (s) => {
      try {
        const out = await sendWebPush({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, text, vapid, { allowPrivate: ctx.config.push.allowPrivateEndpoints });
        if (out.gone) await repo.deleteSubscriptionById(ctx.db, String(s.id));
        else if (out.status >= 300) ctx.log.warn({ status: out.status, subscription: s.id }, 'push service refused a notification');
      } catch (err) {
        ctx.log.warn({ err, subscription: s.id }, 'push failed');
      }
    }),
  );
}
