import { describe, expect, it } from 'vitest';
import { WebhookRejected } from './port.ts';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.ts';

describe('webhook signatures (Loop-Signature: t=…,v1=…)', () => {
  const secret = 'whsec_test_secret_0123456789';
  const body = '{"id":"evt_1","type":"payment.captured"}';
  const now = 1_800_000_000;

  it('accepts a fresh signature of the exact body, and a rotated secret among several v1', () => {
    expect(() => verifyWebhookSignature(secret, body, signWebhook(secret, body, now), now)).not.toThrow();
    expect(() => verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 300), now)).not.toThrow();
    const rotated = `${signWebhook('old-secret-old-secret', body, now)},v1=${signWebhook(secret, body, now).split('v1=')[1]}`;
    expect(() => verifyWebhookSignature(secret, body, rotated, now)).not.toThrow();
  });

  it('refuses a missing header, another body, another secret, and anything more than 300 s away', () => {
    const ok = signWebhook(secret, body, now);
    expect(() => verifyWebhookSignature(secret, body, undefined, now)).toThrow(WebhookRejected);
    expect(() => verifyWebhookSignature(secret, `${body} `, ok, now)).toThrow(WebhookRejected);
    expect(() => verifyWebhookSignature('another-secret-entirely', body, ok, now)).toThrow(WebhookRejected);
    expect(() => verifyWebhookSignature(secret, body, signWebhook(secret, body, now - 301), now)).toThrow(/300 s/);
    expect(() => verifyWebhookSignature(secret, body, signWebhook(secret, body, now + 301), now)).toThrow(WebhookRejected);
    expect(() => verifyWebhookSignature(secret, body, 'v1=abc', now)).toThrow(/timestamp/);
    expect(() => verifyWebhookSignature(secret, body, `t=${now},v1=${'é'.repeat(64)}`, now)).toThrow(WebhookRejected);
  });
});
