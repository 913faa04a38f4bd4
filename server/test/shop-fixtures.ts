import { expect } from 'vitest';
import type { MadeUser, TestServer } from './harness.ts';

/** Factories and helpers for shop tests (issue 16). */

export const ADDRESS = { name: 'Maya Buyer', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

let n = 0;
export async function makeShop(s: TestServer, owner: MadeUser) {
  n += 1;
  const res = await s.api('POST', '/shops', { token: owner.token, body: { handle: `shop_${process.pid}_${n}`, name: `Shop ${n}`, description: 'Mugs and more' } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.shop as { id: string; handle: string; name: string };
}

export async function makeProduct(s: TestServer, owner: MadeUser, shopId: string, fields: Partial<{ title: string; priceMinor: number; currency: string; stock: number }> = {}) {
  const res = await s.api('POST', `/shops/${shopId}/products`, { token: owner.token, body: { title: 'Mug', priceMinor: 1500, currency: 'EUR', stock: 10, ...fields } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.product as { id: string; available: number };
}

export const placeOrder = (s: TestServer, buyer: MadeUser, key: string, items: Array<{ productId: string; quantity: number }>, extra: Record<string, unknown> = {}) =>
  s.api('POST', '/orders', { token: buyer.token, headers: { 'idempotency-key': key }, body: { items, shippingAddress: ADDRESS, ...extra } });

export const pay = (s: TestServer, buyer: MadeUser, orderId: string, paymentMethod: string, key = `pay-${orderId}-${paymentMethod}-${Math.random()}`) =>
  s.api('POST', `/orders/${orderId}/pay`, { token: buyer.token, headers: { 'idempotency-key': key }, body: { paymentMethod } });

/** The product as its owner sees it (units on hand and reserved). */
export const stockOf = async (s: TestServer, owner: MadeUser, productId: string) =>
  (await s.api('GET', `/products/${productId}`, { token: owner.token })).body.product as { available: number; stock: number; reserved: number };

/** Posts a webhook exactly as given. */
export const deliverWebhook = (s: TestServer, ev: { body: string; signature: string }) =>
  s.api('POST', '/payments/webhooks/test', { body: ev.body, headers: { 'content-type': 'application/json', 'loop-signature': ev.signature } });

/** Waits until `check` returns a truthy value (the worker acts on its own time). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
