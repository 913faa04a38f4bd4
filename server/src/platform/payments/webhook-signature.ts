import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejected } from './port.ts';

/** How old a signed webhook may be, in seconds (older is a replay or a stuck queue: refused). */
export const WEBHOOK_TOLERANCE_SEC = 300;

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>`, the `Loop-Signature` header (Stripe's scheme). */
export function signWebhook(secret: string, rawBody: string, unixSec: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSec}.${rawBody}`).digest('hex');
  return `t=${unixSec},v1=${v1}`;
}

/** Throws WebhookRejected unless `header` signs `rawBody` with `secret` within the tolerance of `nowSec`. */
export function verifyWebhookSignature(secret: string, rawBody: string, header: string | undefined, nowSec: number, toleranceSec = WEBHOOK_TOLERANCE_SEC) {
  if (!header) throw new WebhookRejected('missing Loop-Signature header');
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    const k = piece.slice(0, eq).trim();
    parts.set(k, [...(parts.get(k) ?? []), piece.slice(eq + 1).trim()]);
  }
  const t = parts.get('t')?.[0];
  if (!t || !/^\d{1,12}$/.test(t)) throw new WebhookRejected('Loop-Signature has no timestamp');
  const age = nowSec - Number(t);
  if (Math.abs(age) > toleranceSec) throw new WebhookRejected(`Loop-Signature timestamp is ${age} s away from now (more than ${toleranceSec} s)`);
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex'));
  // Several v1 values are allowed (a secret being rotated signs with both).
  const ok = (parts.get('v1') ?? []).some((v) => {
    const given = Buffer.from(v);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new WebhookRejected('Loop-Signature does not match the body');
}
