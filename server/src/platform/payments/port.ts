/**
 * The payment-provider port (docs/shop.md "Payments"): everything Loop asks of a payment
 * provider, and nothing about orders. A real provider (Stripe, Adyen) is one more implementation
 * of `PaymentProvider`; the built-in test provider (test-provider.ts) is the one this repository
 * ships, since nothing here may reach a real one.
 *
 * Rules for callers: never call a provider while holding row locks or an open transaction
 * (record intent first, call, then move state in a second transaction), and pass an
 * idempotency key on every call that can move money so that a retried call moves it once.
 */

/** Where a payment stands at the provider. */
export type IntentStatus = 'requires_confirmation' | 'processing' | 'authorized' | 'captured' | 'failed' | 'cancelled' | 'refunded';

export interface PaymentIntent {
  /** The provider's id for this payment (Stripe: `pi_…`). */
  id: string;
  status: IntentStatus;
  /** Why it failed (`card_declined`), when it did. */
  failureReason?: string;
}

export interface CreateIntentRequest {
  amountMinor: number;
  currency: string;
  /** A payment-method token from the client (the test provider reads `test_ok`, `test_decline`, `test_async`). */
  method: string;
  /** Loop's own payment id, echoed back in webhooks (Stripe: metadata), so an event can be matched before the intent id is stored. */
  reference: string;
  idempotencyKey: string;
}

/** The kinds of webhook event Loop acts on, whatever the provider calls them. */
export type PaymentEventType = 'payment.processing' | 'payment.authorized' | 'payment.captured' | 'payment.failed' | 'payment.refunded';

export interface PaymentEvent {
  /** The provider's event id: the same event delivered again has the same id. */
  id: string;
  type: PaymentEventType;
  intentId: string;
  reference: string | null;
  /** When the provider created it (unix seconds). */
  created: number;
}

/** A provider refused the request itself (an unusable payment method): a 4xx, not a failure of ours. */
export class PaymentRequestRejected extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A webhook that is not authentic or not fresh: answered 400 and ignored. */
export class WebhookRejected extends Error {}

export interface PaymentProvider {
  readonly name: string;
  createIntent(req: CreateIntentRequest): Promise<PaymentIntent>;
  /** Attempts the payment with the method given at creation. */
  confirm(intentId: string, idempotencyKey: string): Promise<PaymentIntent>;
  /** Takes the authorised money. */
  capture(intentId: string, idempotencyKey: string): Promise<PaymentIntent>;
  /** Releases an authorisation that will not be captured. */
  cancel(intentId: string, idempotencyKey: string): Promise<PaymentIntent>;
  /** Gives captured money back in full. */
  refund(intentId: string, idempotencyKey: string): Promise<PaymentIntent>;
  /** Checks the signature and freshness of a webhook and reads its event; throws WebhookRejected. */
  parseWebhook(rawBody: string, headers: Readonly<Record<string, string | string[] | undefined>>): PaymentEvent;
}

/** The providers this process can use, by the name in `/payments/webhooks/:provider`. */
export interface PaymentProviders {
  /** The provider new payments go to (PAYMENT_PROVIDER). */
  readonly default: PaymentProvider;
  get(name: string): PaymentProvider | undefined;
}
