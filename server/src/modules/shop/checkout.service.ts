import type { AppContext } from '../../app/context.ts';
import { AppError } from '../../app/errors.ts';
import { inTransaction } from '../../platform/db/tx.ts';
import { runIdempotent } from '../../platform/idempotency/idempotency.ts';
import { enqueue } from '../../platform/jobs/queue.ts';
import { type PaymentEvent, type PaymentIntent, type PaymentProvider, PaymentRequestRejected, WebhookRejected } from '../../platform/payments/port.ts';
import { recordOrderChange } from './order-events.ts';
import { loadVisibleOrder } from './orders.service.ts';
import { toOrderView } from './shop.presenter.ts';
import * as repo from './shop.repo.ts';

/**
 * Paying for orders through the provider port (docs/shop.md "Payments"). The rule throughout:
 * record what we are about to do in one short transaction, call the provider with no
 * transaction open and no row locked, then move state in a second transaction, each move
 * conditional on the state it expects. The buyer's confirm and the provider's webhooks race
 * freely; the conditional moves make each step happen once.
 */

/** POST /orders/:id/pay under the buyer's Idempotency-Key. */
export async function payOrder(ctx: AppContext, buyerId: string, orderId: string, key: string, method: string) {
  const { order } = await loadVisibleOrder(ctx, buyerId, orderId);
  if (String(order.buyer_id) !== buyerId) throw new AppError('not_buyer', 403, 'Only the buyer pays for an order');
  return runIdempotent(ctx.db, { userId: buyerId, scope: `orders.pay:${orderId}`, key, request: { method } }, async () => {
    const provider = ctx.payments.default;
    // 1. Record the attempt (no provider call yet).
    const payment = await inTransaction(ctx.db, async (tx) => {
      const current = await repo.findOrder(tx, orderId);
      if (current?.status !== 'pending_payment' || new Date(current.expires_at).getTime() <= Date.now()) {
        throw new AppError('order_not_payable', 409, `This order cannot be paid (it is ${current?.status === 'pending_payment' ? 'expired' : current?.status})`);
      }
      return repo.insertPayment(tx, { order_id: orderId, provider: provider.name, method, amount_minor: current.total_minor, currency: current.currency });
    });
    const paymentId = String(payment.id);
    // 2. The provider, outside any transaction.
    let intent: PaymentIntent;
    try {
      const created = await provider.createIntent({ amountMinor: Number(payment.amount_minor), currency: payment.currency, method, reference: paymentId, idempotencyKey: `pay-${paymentId}` });
      await repo.setPaymentRef(ctx.db, paymentId, created.id);
      intent = await provider.confirm(created.id, `confirm-${paymentId}`);
    } catch (err) {
      if (err instanceof PaymentRequestRejected) {
        await repo.movePayment(ctx.db, paymentId, ['created'], 'failed', err.code);
        throw new AppError(err.code, 400, `paymentMethod: ${err.message}`, { field: 'paymentMethod' });
      }
      ctx.log.warn({ err, paymentId }, 'payment provider call failed');
      throw new AppError('payment_provider_unavailable', 503, 'The payment provider could not be reached; try again', { retryAfterSec: 5 });
    }
    // 3. Move state by what the provider said (a webhook may have got there first: the moves are conditional).
    await applyIntent(ctx, provider, paymentId, intent);
    const after = await repo.findPayment(ctx.db, paymentId);
    if (after?.status === 'failed') throw new AppError('payment_declined', 402, `The payment was declined (${after.failure_reason ?? 'declined'})`);
    return { status: 200, body: { order: await toOrderView(ctx, (await repo.findOrder(ctx.db, orderId))!) } };
  });
}

/** Brings our payment in line with the provider's intent status. */
async function applyIntent(ctx: AppContext, provider: PaymentProvider, paymentId: string, intent: PaymentIntent) {
  switch (intent.status) {
    case 'processing':
      await repo.movePayment(ctx.db, paymentId, ['created'], 'processing');
      return;
    case 'authorized':
      await onAuthorized(ctx, provider, paymentId);
      return;
    case 'captured':
      await onCaptured(ctx, paymentId);
      return;
    case 'failed':
      await repo.movePayment(ctx.db, paymentId, ['created', 'processing'], 'failed', intent.failureReason ?? 'declined');
      return;
    case 'refunded':
      await repo.movePayment(ctx.db, paymentId, ['captured', 'refund_pending'], 'refunded');
      return;
    default:
      return;
  }
}

/**
 * The money is authorised: exactly one caller (the buyer's confirm or a webhook) wins the claim
 * and captures it — or, if the order can no longer be paid, releases the authorisation instead.
 */
async function onAuthorized(ctx: AppContext, provider: PaymentProvider, paymentId: string) {
  await repo.movePayment(ctx.db, paymentId, ['created', 'processing'], 'authorized');
  if (!(await repo.claimCapture(ctx.db, paymentId))) return;
  const payment = (await repo.findPayment(ctx.db, paymentId))!;
  const order = await repo.findOrder(ctx.db, String(payment.order_id));
  const payable = order?.status === 'pending_payment' && new Date(order.expires_at).getTime() > Date.now();
  if (!payment.provider_ref) return;
  if (!payable) {
    await provider.cancel(payment.provider_ref, `cancel-${paymentId}`);
    await repo.movePayment(ctx.db, paymentId, ['authorized'], 'cancelled', 'order_not_payable');
    return;
  }
  const captured = await provider.capture(payment.provider_ref, `capture-${paymentId}`);
  if (captured.status === 'captured') await onCaptured(ctx, paymentId);
}

/**
 * The money is taken: the payment is captured and the order paid — unless the order expired or
 * was cancelled meanwhile, in which case the payment is refunded automatically.
 */
async function onCaptured(ctx: AppContext, paymentId: string) {
  await inTransaction(ctx.db, async (tx) => {
    const payment = await repo.movePayment(tx, paymentId, ['created', 'processing', 'authorized'], 'captured');
    if (!payment) return; // already captured (or refunded): this news is old
    const paid = await repo.moveOrder(tx, String(payment.order_id), ['pending_payment'], 'paid');
    if (paid) {
      await recordOrderChange(tx, paid, 'paid');
      return;
    }
    // Too late (expired, cancelled) or paid twice (another payment won): give this one back.
    await repo.movePayment(tx, paymentId, ['captured'], 'refund_pending');
    await enqueue(tx, { kind: 'payment.refund', paymentId }, { maxAttempts: 10 });
  });
}

/**
 * POST /payments/webhooks/:provider. The signature and age are checked by the provider
 * (bad → 400); an event id seen before changes nothing; events may come in any order, since
 * every move only goes forward from the states it expects (`captured` before `authorized`
 * leaves the order paid).
 */
export async function handleWebhook(ctx: AppContext, providerName: string, rawBody: string, headers: Record<string, string | string[] | undefined>) {
  const provider = ctx.payments.get(providerName);
  if (!provider) throw new AppError('payment_provider_not_found', 404, `No payment provider ${providerName}`);
  let event: PaymentEvent;
  try {
    event = provider.parseWebhook(rawBody, headers);
  } catch (err) {
    if (err instanceof WebhookRejected) throw new AppError('invalid_webhook', 400, `Webhook refused: ${err.message}`);
    throw err;
  }
  if (!(await repo.recordPaymentEvent(ctx.db, provider.name, event.id))) return { received: true, duplicate: true };
  try {
    const payment =
      (await repo.findPaymentByRef(ctx.db, provider.name, event.intentId)) ??
      (event.reference ? await repo.findPayment(ctx.db, event.reference).then((p) => (p && p.provider === provider.name ? p : undefined)) : undefined);
    if (!payment) return { received: true, duplicate: false };
    const paymentId = String(payment.id);
    if (!payment.provider_ref) await repo.setPaymentRef(ctx.db, paymentId, event.intentId);
    const status = ({
      'payment.processing': 'processing',
      'payment.authorized': 'authorized',
      'payment.captured': 'captured',
      'payment.failed': 'failed',
      'payment.refunded': 'refunded',
    } as const)[event.type];
    await applyIntent(ctx, provider, paymentId, { id: event.intentId, status });
    return { received: true, duplicate: false };
  } catch (err) {
    // Not handled: forget the event so the provider's retry is not mistaken for a replay.
    await repo.forgetPaymentEvent(ctx.db, provider.name, event.id).catch(() => undefined);
    throw err;
  }
}

/** The `payment.refund` job: gives a payment marked `refund_pending` back (idempotent at the provider by key). */
export async function refundPayment(ctx: AppContext, paymentId: string) {
  const payment = await repo.findPayment(ctx.db, paymentId);
  if (payment?.status !== 'refund_pending' || !payment.provider_ref) return;
  const provider = ctx.payments.get(payment.provider);
  if (!provider) throw new Error(`payment ${paymentId} was made with provider ${payment.provider}, which this process does not have`);
  const result = await provider.refund(payment.provider_ref, `refund-${paymentId}`);
  if (result.status === 'refunded') await repo.movePayment(ctx.db, paymentId, ['refund_pending'], 'refunded');
  else throw new Error(`refund of payment ${paymentId} answered ${result.status}`);
}
