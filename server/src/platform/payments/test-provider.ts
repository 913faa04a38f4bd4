import { randomBytes } from 'node:crypto';
import {
  type CreateIntentRequest,
  type IntentStatus,
  type PaymentEventType,
  type PaymentIntent,
  type PaymentProvider,
  PaymentRequestRejected,
  WebhookRejected,
} from './port.ts';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.ts';

/**
 * The built-in test provider (name `test`): a payment provider that lives in this process and
 * moves no money, with the behaviour of a real one where it matters to Loop:
 * - the payment method chooses the outcome: `test_ok` is authorised on confirm, `test_decline`
 *   fails (`card_declined`), `test_async` stays `processing` until a webhook says otherwise;
 * - calls that move money take an idempotency key, and the same key twice moves it once;
 * - webhooks are signed like Stripe's (`Loop-Signature`), with an injectable clock, so tests can
 *   deliver events late, twice, in parallel and out of order (`event()` builds one).
 * It also keeps a ledger (captures and refunds per intent) that tests read to count charges.
 */
export interface TestPaymentProvider extends PaymentProvider {
  /** Seconds since the epoch as the provider sees them (signing and verifying). */
  clock: () => number;
  /**
   * Moves an intent as the outside world would (the bank answered later) and returns the signed
   * webhook announcing it (sending the same `eventId` again is a replay; `at` backdates it).
   */
  event(intentId: string, type: PaymentEventType, opts?: { eventId?: string; at?: number }): { eventId: string; body: string; signature: string };
  /** The intent as the provider holds it. */
  intent(intentId: string): (PaymentIntent & { amountMinor: number; reference: string }) | undefined;
  /** Money movements, for tests: how many times each intent was captured and refunded. */
  ledger: { captures: Map<string, number>; refunds: Map<string, number>; captureCalls: number };
}

interface StoredIntent {
  id: string;
  status: IntentStatus;
  method: string;
  amountMinor: number;
  currency: string;
  reference: string;
  failureReason?: string;
}

const METHODS = new Set(['test_ok', 'test_decline', 'test_async']);

export function createTestPaymentProvider(opts: { webhookSecret: string; clock?: () => number }): TestPaymentProvider {
  const intents = new Map<string, StoredIntent>();
  // The answer first given for each idempotency key (as a real provider keeps them).
  const answered = new Map<string, PaymentIntent>();
  const ledger = { captures: new Map<string, number>(), refunds: new Map<string, number>(), captureCalls: 0 };

  const view = (i: StoredIntent): PaymentIntent => ({ id: i.id, status: i.status, ...(i.failureReason && { failureReason: i.failureReason }) });
  const find = (id: string) => {
    const i = intents.get(id);
    if (!i) throw new PaymentRequestRejected('payment_intent_not_found', `No such payment intent ${id}`);
    return i;
  };
  const once = async (key: string, run: () => PaymentIntent): Promise<PaymentIntent> => {
    const seen = answered.get(key);
    if (seen) return seen;
    const result = run();
    answered.set(key, result);
    return result;
  };

  const provider: TestPaymentProvider = {
    name: 'test',
    clock: opts.clock ?? (() => Math.floor(Date.now() / 1000)),
    ledger,

    createIntent: (req: CreateIntentRequest) =>
      once(`create:${req.idempotencyKey}`, () => {
        if (!METHODS.has(req.method)) throw new PaymentRequestRejected('payment_method_invalid', `Unknown payment method ${req.method} (the test provider takes test_ok, test_decline or test_async)`);
        const i: StoredIntent = { id: `pi_test_${randomBytes(8).toString('hex')}`, status: 'requires_confirmation', method: req.method, amountMinor: req.amountMinor, currency: req.currency, reference: req.reference };
        intents.set(i.id, i);
        return view(i);
      }),

    confirm: (intentId, key) =>
      once(`confirm:${key}`, () => {
        const i = find(intentId);
        if (i.status === 'requires_confirmation') {
          if (i.method === 'test_ok') i.status = 'authorized';
          else if (i.method === 'test_decline') Object.assign(i, { status: 'failed', failureReason: 'card_declined' });
          else i.status = 'processing';
        }
        return view(i);
      }),

    capture: (intentId, key) => {
      ledger.captureCalls += 1;
      return once(`capture:${key}`, () => {
        const i = find(intentId);
        if (i.status === 'authorized' || i.status === 'processing') {
          i.status = 'captured';
          ledger.captures.set(i.id, (ledger.captures.get(i.id) ?? 0) + 1);
        }
        return view(i);
      });
    },

    cancel: (intentId, key) =>
      once(`cancel:${key}`, () => {
        const i = find(intentId);
        if (i.status !== 'captured' && i.status !== 'refunded') i.status = 'cancelled';
        return view(i);
      }),

    refund: (intentId, key) =>
      once(`refund:${key}`, () => {
        const i = find(intentId);
        if (i.status === 'captured') {
          i.status = 'refunded';
          ledger.refunds.set(i.id, (ledger.refunds.get(i.id) ?? 0) + 1);
        }
        return view(i);
      }),

    parseWebhook(rawBody, headers) {
      const header = headers['loop-signature'];
      verifyWebhookSignature(opts.webhookSecret, rawBody, Array.isArray(header) ? header[0] : header, provider.clock());
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch {
        throw new WebhookRejected('body is not JSON');
      }
      const e = parsed as Partial<{ id: unknown; type: unknown; created: unknown; data: { intentId?: unknown; reference?: unknown } }>;
      const types: PaymentEventType[] = ['payment.processing', 'payment.authorized', 'payment.captured', 'payment.failed', 'payment.refunded'];
      if (typeof e?.id !== 'string' || e.id.length > 100 || !types.includes(e.type as PaymentEventType) || typeof e.data?.intentId !== 'string' || e.data.intentId.length > 100) {
        throw new WebhookRejected('not a payment event');
      }
      const reference = typeof e.data.reference === 'string' && /^\d{1,19}$/.test(e.data.reference) ? e.data.reference : null;
      return { id: e.id, type: e.type as PaymentEventType, intentId: e.data.intentId, reference, created: typeof e.created === 'number' ? e.created : 0 };
    },

    event(intentId, type, o = {}) {
      const i = intents.get(intentId);
      const at = o.at ?? provider.clock();
      if (i) {
        // The outside world moved the payment; the provider's own state follows.
        if (type === 'payment.authorized' && (i.status === 'processing' || i.status === 'requires_confirmation')) i.status = 'authorized';
        if (type === 'payment.captured' && i.status !== 'captured' && i.status !== 'refunded') {
          i.status = 'captured';
          ledger.captures.set(i.id, (ledger.captures.get(i.id) ?? 0) + 1);
        }
        if (type === 'payment.failed' && i.status !== 'captured' && i.status !== 'refunded') Object.assign(i, { status: 'failed', failureReason: 'card_declined' });
      }
      const eventId = o.eventId ?? `evt_test_${randomBytes(8).toString('hex')}`;
      const body = JSON.stringify({ id: eventId, type, created: at, data: { intentId, reference: i?.reference ?? null } });
      return { eventId, body, signature: signWebhook(opts.webhookSecret, body, at) };
    },

    intent(intentId) {
      const i = intents.get(intentId);
      return i && { ...view(i), amountMinor: i.amountMinor, reference: i.reference };
    },
  };
  return provider;
}
