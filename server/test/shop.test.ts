import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { ADDRESS, deliverWebhook, eventually, makeProduct, makeShop, pay, placeOrder, stockOf } from './shop-fixtures.ts';
import { connectWs } from './ws-client.ts';

// Shops, orders that never oversell, idempotency keys, payments and webhooks (issue 16,
// acceptance 1–4). Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
let s: TestServer;
let owner: MadeUser;
let buyer: MadeUser;
let stranger: MadeUser;
let otherOwner: MadeUser;
let shopId: string;
let otherShopId: string;

beforeAll(async () => {
  s = await startTestServer();
  [owner, buyer, stranger, otherOwner] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
  shopId = (await makeShop(s, owner)).id;
  otherShopId = (await makeShop(s, otherOwner)).id;
});
afterAll(() => s?.close());

describe('shops and products', () => {
  it('any account opens a shop; handles are unique; only the owner adds products and sees the stock', async () => {
    const shop = await s.api('GET', `/shops/${shopId}`, { token: stranger.token });
    expect(shop.status).toBe(200);
    expect(shop.body.shop.owner.id).toBe(owner.id);
    const byHandle = await s.api('GET', `/shops/${shop.body.shop.handle}`);
    expect(byHandle.body.shop.id).toBe(shopId);
    const taken = await s.api('POST', '/shops', { token: stranger.token, body: { handle: shop.body.shop.handle.toUpperCase(), name: 'Copy' } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('handle_taken');

    const refused = await s.api('POST', `/shops/${shopId}/products`, { token: stranger.token, body: { title: 'X', priceMinor: 1, currency: 'EUR', stock: 1 } });
    expect(refused.status).toBe(403);
    const p = await makeProduct(s, owner, shopId, { stock: 4 });
    const asStranger = await s.api('GET', `/products/${p.id}`, { token: stranger.token });
    expect(asStranger.body.product).toMatchObject({ available: 4, priceMinor: 1500, currency: 'EUR' });
    expect(asStranger.body.product.stock).toBeUndefined();
    expect((await stockOf(s, owner, p.id)).stock).toBe(4);
    const list = await s.api('GET', `/shops/${shopId}/products`);
    expect(list.body.items.map((x: any) => x.id)).toContain(p.id);
  });
});

describe('the saved address (two-tap checkout)', () => {
  it('is empty, then what the buyer saved; bad fields are a 400', async () => {
    const u = await s.make.user();
    expect((await s.api('GET', '/me/shipping-address', { token: u.token })).body.address).toBeNull();
    expect((await s.api('PUT', '/me/shipping-address', { token: u.token, body: { ...ADDRESS, country: 'France' } })).status).toBe(400);
    expect((await s.api('PUT', '/me/shipping-address', { token: u.token, body: ADDRESS })).status).toBe(200);
    expect((await s.api('GET', '/me/shipping-address', { token: u.token })).body.address).toEqual(ADDRESS);
    expect((await s.api('GET', '/me/shipping-address', { token: buyer.token })).body.address).toBeNull();
  });
});

describe('orders never oversell (acceptance 1)', () => {
  it('100 concurrent buyers for the last 3 units: exactly 3 reserve, 97 × 409 out_of_stock', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 3 });
    const buyers = await Promise.all(Array.from({ length: 100 }, () => s.make.user()));
    const answers = await Promise.all(buyers.map((b, i) => placeOrder(s, b, `rush-${i}`, [{ productId: p.id, quantity: 1 }])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(3);
    expect(statuses.filter((x) => x === 409)).toHaveLength(97);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'out_of_stock')).toBe(true);
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 3, reserved: 3, available: 0 });
  });

  it('orders for several products at once, lines in either order: the scarcest decides, no deadlock', async () => {
    const a = await makeProduct(s, owner, shopId, { stock: 5 });
    const b = await makeProduct(s, owner, shopId, { stock: 10 });
    const buyers = await Promise.all(Array.from({ length: 30 }, () => s.make.user()));
    const answers = await Promise.all(
      buyers.map((u, i) =>
        placeOrder(
          s,
          u,
          `pair-${i}`,
          i % 2
            ? [
                { productId: a.id, quantity: 1 },
                { productId: b.id, quantity: 1 },
              ]
            : [
                { productId: b.id, quantity: 1 },
                { productId: a.id, quantity: 1 },
              ],
        ),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(5);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(25);
    expect(await stockOf(s, owner, a.id)).toMatchObject({ reserved: 5, available: 0 });
    expect(await stockOf(s, owner, b.id)).toMatchObject({ reserved: 5, available: 5 });
  });

  it('two lines drawing on the same stock respect the sum', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const tooMany = await placeOrder(s, buyer, 'lines-1', [
      { productId: p.id, quantity: 3 },
      { productId: p.id, quantity: 3 },
    ]);
    expect(tooMany.status).toBe(409);
    expect(await stockOf(s, owner, p.id)).toMatchObject({ reserved: 0, available: 5 });
    const fits = await placeOrder(s, buyer, 'lines-2', [
      { productId: p.id, quantity: 2 },
      { productId: p.id, quantity: 3 },
    ]);
    expect(fits.status).toBe(201);
    expect(fits.body.order.totalMinor).toBe(5 * 1500);
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 5, reserved: 5, available: 0 });
  });

  it('several products in one order are all reserved or none; units on hand cannot go below the reserved', async () => {
    const a = await makeProduct(s, owner, shopId, { stock: 2 });
    const b = await makeProduct(s, owner, shopId, { stock: 1 });
    const no = await placeOrder(s, buyer, 'multi-1', [
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 2 },
    ]);
    expect(no.status).toBe(409);
    expect((await stockOf(s, owner, a.id)).reserved).toBe(0);
    const yes = await placeOrder(s, buyer, 'multi-2', [
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 1 },
    ]);
    expect(yes.status).toBe(201);
    const lower = await s.api('PATCH', `/products/${a.id}`, { token: owner.token, body: { stock: 1 } });
    expect(lower.status).toBe(409);
    expect(lower.body.code).toBe('stock_below_reserved');
    const cross = await makeProduct(s, otherOwner, otherShopId);
    const mixed = await placeOrder(s, buyer, 'multi-3', [
      { productId: a.id, quantity: 1 },
      { productId: cross.id, quantity: 1 },
    ]);
    expect([400, 409]).toContain(mixed.status);
    expect((await stockOf(s, otherOwner, cross.id)).reserved).toBe(0);
    const ghost = await placeOrder(s, buyer, 'multi-4', [{ productId: '999999999', quantity: 1 }]);
    expect(ghost.status).toBe(404);
  });
});

describe('idempotency keys (acceptance 2)', () => {
  it('the same key and body, sequentially and concurrently: one order, the same answer; another body: 422', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 50 });
    const body = [{ productId: p.id, quantity: 2 }];
    const first = await placeOrder(s, buyer, 'idem-1', body);
    expect(first.status).toBe(201);
    const again = await placeOrder(s, buyer, 'idem-1', body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const together = await Promise.all(Array.from({ length: 10 }, () => placeOrder(s, buyer, 'idem-2', body)));
    for (const r of together) expect([201, 409]).toContain(r.status);
    const ok = together.filter((r) => r.status === 201);
    expect(ok.length).toBeGreaterThan(0);
    expect(new Set(ok.map((r) => r.body.order.id)).size).toBe(1);
    expect((await stockOf(s, owner, p.id)).reserved).toBe(4); // idem-1 and idem-2, once each

    const other = await placeOrder(s, buyer, 'idem-1', [{ productId: p.id, quantity: 3 }]);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('idempotency_key_reused');
    // Keys are per person: another buyer's same key is their own.
    expect((await placeOrder(s, stranger, 'idem-1', body)).status).toBe(201);
    const missing = await s.api('POST', '/orders', { token: buyer.token, body: { items: body, shippingAddress: ADDRESS } });
    expect(missing.status).toBe(400);
  });

  it('paying with the same key, sequentially and concurrently: one payment, one charge, the same answer', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const order = (await placeOrder(s, buyer, 'idem-pay', [{ productId: p.id, quantity: 1 }])).body.order;
    const capturesBefore = [...s.ctx.payments.test.ledger.captures.values()].reduce((a, b) => a + b, 0);
    const answers = await Promise.all(Array.from({ length: 5 }, () => pay(s, buyer, order.id, 'test_ok', 'same-pay-key')));
    const later = await pay(s, buyer, order.id, 'test_ok', 'same-pay-key');
    for (const r of [...answers, later]) expect([200, 409]).toContain(r.status);
    const ok = [...answers, later].filter((r) => r.status === 200);
    expect(ok.every((r) => JSON.stringify(r.body) === JSON.stringify(later.body))).toBe(true);
    expect(later.body.order.status).toBe('paid');
    const capturesAfter = [...s.ctx.payments.test.ledger.captures.values()].reduce((a, b) => a + b, 0);
    expect(capturesAfter - capturesBefore).toBe(1);
    expect((await pay(s, buyer, order.id, 'test_decline', 'same-pay-key')).status).toBe(422);
  });
});

describe('payments and webhooks (acceptance 3)', () => {
  const provider = () => s.ctx.payments.test;
  async function asyncPaidOrder(key: string) {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const order = (await placeOrder(s, buyer, key, [{ productId: p.id, quantity: 1 }])).body.order;
    const paid = await pay(s, buyer, order.id, 'test_async');
    expect(paid.status).toBe(200);
    expect(paid.body.order).toMatchObject({ status: 'pending_payment', paymentStatus: 'processing' });
    const row = await s.ctx.db.selectFrom('payments').select(['provider_ref']).where('order_id', '=', order.id).executeTakeFirstOrThrow();
    return { orderId: order.id as string, intentId: row.provider_ref!, productId: p.id };
  }
  const orderStatus = async (id: string) => (await s.api('GET', `/orders/${id}`, { token: buyer.token })).body.order;

  it('test_ok pays, test_decline is a 402 and the order can still be paid', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const order = (await placeOrder(s, buyer, 'pay-ok', [{ productId: p.id, quantity: 2 }])).body.order;
    const declined = await pay(s, buyer, order.id, 'test_decline');
    expect(declined.status).toBe(402);
    expect(declined.body.code).toBe('payment_declined');
    expect((await orderStatus(order.id)).status).toBe('pending_payment');
    const bogus = await pay(s, buyer, order.id, 'tok_visa');
    expect(bogus.status).toBe(400);
    const ok = await pay(s, buyer, order.id, 'test_ok');
    expect(ok.status).toBe(200);
    expect(ok.body.order).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
    // Units stay reserved (committed) until shipping.
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 5, reserved: 2 });
    expect((await pay(s, buyer, order.id, 'test_ok')).status).toBe(409);
  });

  it('a bad signature or one older than 300 s is a 400 and changes nothing', async () => {
    const { orderId, intentId } = await asyncPaidOrder('wh-bad');
    const ev = provider().event(intentId, 'payment.captured');
    const forged = await deliverWebhook(s, { body: ev.body, signature: ev.signature.replace(/v1=(.)/, (_m, c: string) => `v1=${c === '0' ? '1' : '0'}`) });
    expect(forged.status).toBe(400);
    const unsigned = await s.api('POST', '/payments/webhooks/test', { body: ev.body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(400);
    const old = provider().event(intentId, 'payment.captured', { at: Math.floor(Date.now() / 1000) - 301 });
    expect((await deliverWebhook(s, old)).status).toBe(400);
    const tampered = await deliverWebhook(s, { body: ev.body.replace('captured', 'failed'), signature: ev.signature });
    expect(tampered.status).toBe(400);
    expect((await orderStatus(orderId)).status).toBe('pending_payment');
    expect((await s.api('POST', '/payments/webhooks/nope', { body: ev.body, headers: { 'loop-signature': ev.signature } })).status).toBe(404);
  });

  it('the same event 5 times, sequentially and in parallel, changes state once', async () => {
    const { orderId, intentId } = await asyncPaidOrder('wh-replay');
    const ev = provider().event(intentId, 'payment.captured');
    const parallel = await Promise.all(Array.from({ length: 5 }, () => deliverWebhook(s, ev)));
    expect(parallel.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(parallel.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect((await deliverWebhook(s, ev)).body.duplicate).toBe(true);
    const order = await orderStatus(orderId);
    expect(order).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
    const paidAt = order.paidAt;
    // The same news under a new event id: still no second change.
    await deliverWebhook(s, provider().event(intentId, 'payment.captured'));
    expect((await orderStatus(orderId)).paidAt).toBe(paidAt);
  });

  it('captured before authorized ends paid; authorized by webhook is captured once', async () => {
    const a = await asyncPaidOrder('wh-order-1');
    expect((await deliverWebhook(s, provider().event(a.intentId, 'payment.captured'))).status).toBe(200);
    expect((await deliverWebhook(s, provider().event(a.intentId, 'payment.authorized'))).status).toBe(200);
    expect(await orderStatus(a.orderId)).toMatchObject({ status: 'paid', paymentStatus: 'captured' });

    const b = await asyncPaidOrder('wh-order-2');
    const auth = provider().event(b.intentId, 'payment.authorized');
    await Promise.all([deliverWebhook(s, auth), deliverWebhook(s, provider().event(b.intentId, 'payment.authorized'))]);
    expect(await orderStatus(b.orderId)).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
    expect(provider().ledger.captures.get(b.intentId)).toBe(1);
  });

  it('a webhook racing the buyer’s confirm: one capture', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const order = (await placeOrder(s, buyer, 'race', [{ productId: p.id, quantity: 1 }])).body.order;
    const test = provider();
    const confirm = test.confirm;
    let racing: Promise<unknown> | null = null;
    let intentId = '';
    // The provider announces the authorisation by webhook while the confirm call is answering.
    test.confirm = async (id, key) => {
      const answer = await confirm(id, key);
      intentId = id;
      racing = deliverWebhook(s, test.event(id, 'payment.authorized'));
      return answer;
    };
    const captureCalls = test.ledger.captureCalls;
    try {
      const paid = await pay(s, buyer, order.id, 'test_ok');
      expect(paid.status).toBe(200);
      await racing;
    } finally {
      test.confirm = confirm;
    }
    expect(await orderStatus(order.id)).toMatchObject({ status: 'paid', paymentStatus: 'captured' });
    expect(test.ledger.captures.get(intentId)).toBe(1);
    expect(test.ledger.captureCalls - captureCalls).toBe(1);
  });
});

describe('order moves (acceptance 4)', () => {
  it('illegal moves are 409; strangers get 404; a shop owner never sees another shop’s orders', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 5 });
    const order = (await placeOrder(s, buyer, 'moves-1', [{ productId: p.id, quantity: 2 }], { source: { type: 'shop', id: shopId } })).body.order;
    expect(order.source).toEqual({ type: 'shop', id: shopId });
    const move = (u: MadeUser, action: string, id = order.id) => s.api('POST', `/orders/${id}/${action}`, { token: u.token });

    expect((await move(owner, 'ship')).status).toBe(409); // unpaid
    expect((await s.api('GET', `/orders/${order.id}`, { token: stranger.token })).status).toBe(404);
    expect((await s.api('GET', `/orders/${order.id}`, { token: otherOwner.token })).status).toBe(404);
    expect((await move(stranger, 'cancel')).status).toBe(404);
    expect((await s.api('GET', `/shops/${shopId}/orders`, { token: otherOwner.token })).status).toBe(404);
    const theirs = await s.api('GET', `/shops/${otherShopId}/orders`, { token: otherOwner.token });
    expect(theirs.body.items.some((o: any) => o.id === order.id)).toBe(false);
    expect((await s.api('GET', `/shops/${shopId}/orders`, { token: owner.token })).body.items.some((o: any) => o.id === order.id)).toBe(true);
    expect((await s.api('GET', '/me/orders', { token: buyer.token })).body.items.some((o: any) => o.id === order.id)).toBe(true);

    expect((await pay(s, buyer, order.id, 'test_ok')).status).toBe(200);
    expect((await move(buyer, 'ship')).status).toBe(403);
    const shipped = await move(owner, 'ship');
    expect(shipped.status).toBe(200);
    expect(shipped.body.order.status).toBe('shipped');
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 3, reserved: 0, available: 3 });
    expect((await move(buyer, 'cancel')).status).toBe(409); // shipped
    expect((await move(owner, 'ship')).status).toBe(409);

    const refunded = await move(owner, 'refund');
    expect(refunded.status).toBe(200);
    expect(refunded.body.order.status).toBe('refunded');
    expect((await move(owner, 'refund')).status).toBe(409);
    // Refunded after shipping: the units come back; the money goes back through the worker.
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 5, reserved: 0 });
    await eventually(async () => (await s.api('GET', `/orders/${order.id}`, { token: buyer.token })).body.order.paymentStatus === 'refunded', 'refund');
  });

  it('a buyer cancels a paid order: units released, money refunded', async () => {
    const p = await makeProduct(s, owner, shopId, { stock: 2 });
    const order = (await placeOrder(s, buyer, 'moves-2', [{ productId: p.id, quantity: 2 }])).body.order;
    await pay(s, buyer, order.id, 'test_ok');
    const cancelled = await s.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token });
    expect(cancelled.body.order).toMatchObject({ status: 'cancelled', cancelReason: 'buyer' });
    expect(await stockOf(s, owner, p.id)).toMatchObject({ stock: 2, reserved: 0 });
    expect((await s.api('POST', `/orders/${order.id}/cancel`, { token: buyer.token })).status).toBe(409);
    await eventually(async () => (await s.api('GET', `/orders/${order.id}`, { token: buyer.token })).body.order.paymentStatus === 'refunded', 'refund');
  });
});

describe('order notifications and live frames (domain event order.changed)', () => {
  const orderNotices = async (u: MadeUser, orderId: string) => {
    const res = await s.api('GET', '/notifications', { token: u.token });
    return (res.body.items as any[]).filter((n) => n.kind === 'order_update' && n.subject?.id === orderId);
  };

  it('the buyer hears what the shop does, the owner what the buyer does; both apps get order.updated', async () => {
    const [o, b] = await Promise.all([s.make.user(), s.make.user()]);
    const shop = await makeShop(s, o);
    const p = await makeProduct(s, o, shop.id, { stock: 5, title: 'Linen shirt' });
    const [wsBuyer, wsOwner] = await Promise.all([connectWs(s.url, { token: b.token }), connectWs(s.url, { token: o.token })]);
    try {
      const order = (await placeOrder(s, b, 'notify-1', [{ productId: p.id, quantity: 1 }])).body.order;
      expect((await pay(s, b, order.id, 'test_ok')).status).toBe(200);
      const paidFrame = (f: any) => f.type === 'order.updated' && f.orderId === order.id && f.status === 'paid';
      await Promise.all([wsBuyer.waitFor(paidFrame), wsOwner.waitFor(paidFrame)]);

      const confirmed = await wsBuyer.waitFor((f) => f.type === 'notification' && f.notification.kind === 'order_update');
      expect(confirmed.notification).toMatchObject({
        subject: { type: 'order', id: order.id },
        url: `/orders/${order.id}`,
        actor: { id: o.id },
        excerpt: null,
        text: `Your order from ${shop.name} is confirmed: Linen shirt`,
      });
      const placed = await wsOwner.waitFor((f) => f.type === 'notification' && f.notification.kind === 'order_update');
      expect(placed.notification).toMatchObject({ actor: { id: b.id }, text: `${b.user.displayName} placed an order in ${shop.name}: Linen shirt` });

      expect((await s.api('POST', `/orders/${order.id}/ship`, { token: o.token })).status).toBe(200);
      await wsBuyer.waitFor((f) => f.type === 'order.updated' && f.orderId === order.id && f.status === 'shipped');
      await eventually(async () => (await orderNotices(b, order.id)).some((n) => n.text === `${shop.name} shipped your order: Linen shirt`), 'shipped notice');

      // Each move is told once: the buyer has confirmed and shipped, the owner only the new order.
      await s.worker!.idle();
      expect((await orderNotices(b, order.id)).map((n) => n.text)).toEqual([`${shop.name} shipped your order: Linen shirt`, `Your order from ${shop.name} is confirmed: Linen shirt`]);
      expect(await orderNotices(o, order.id)).toHaveLength(1);
      // Nobody else hears about it.
      expect(await orderNotices(stranger, order.id)).toHaveLength(0);
    } finally {
      wsBuyer.close();
      wsOwner.close();
    }
  });

  it('a buyer who cancels tells the shop; a shop that cancels tells the buyer; an unpaid order tells nobody', async () => {
    const [o, b] = await Promise.all([s.make.user(), s.make.user()]);
    const shop = await makeShop(s, o);
    const p = await makeProduct(s, o, shop.id, { stock: 5, title: 'Mug' });
    const first = (await placeOrder(s, b, 'notify-2', [{ productId: p.id, quantity: 1 }])).body.order;
    const second = (await placeOrder(s, b, 'notify-3', [{ productId: p.id, quantity: 2 }])).body.order;
    await s.worker!.idle();
    expect(await orderNotices(o, first.id)).toHaveLength(0);
    expect(await orderNotices(b, first.id)).toHaveLength(0);

    expect((await s.api('POST', `/orders/${first.id}/cancel`, { token: b.token })).status).toBe(200);
    expect((await s.api('POST', `/orders/${second.id}/cancel`, { token: o.token })).status).toBe(200);
    await s.worker!.idle();
    expect((await orderNotices(o, first.id)).map((n) => n.text)).toEqual([`${b.user.displayName} cancelled an order in ${shop.name}: Mug`]);
    expect(await orderNotices(b, first.id)).toHaveLength(0);
    expect((await orderNotices(b, second.id)).map((n) => n.text)).toEqual([`${shop.name} cancelled your order: Mug`]);
    expect(await orderNotices(o, second.id)).toHaveLength(0);
  });

  it('the order_update setting turned off stops them', async () => {
    const [o, b] = await Promise.all([s.make.user(), s.make.user()]);
    const shop = await makeShop(s, o);
    const p = await makeProduct(s, o, shop.id, { stock: 1 });
    expect((await s.api('PATCH', '/me/notification-settings', { token: b.token, body: { order_update: { inApp: false, push: false } } })).status).toBe(200);
    const order = (await placeOrder(s, b, 'notify-4', [{ productId: p.id, quantity: 1 }])).body.order;
    await pay(s, b, order.id, 'test_ok');
    await s.worker!.idle();
    expect(await orderNotices(b, order.id)).toHaveLength(0);
    expect(await orderNotices(o, order.id)).toHaveLength(1);
  });
});

describe('reservations run out (ORDER_RESERVATION_SEC)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ env: { ORDER_RESERVATION_SEC: '1', JOB_POLL_MS: '100' } });
  });
  afterAll(() => t?.close());

  it('an unpaid order is cancelled and its units released; a success after that is refunded automatically', async () => {
    const [o, b] = await Promise.all([t.make.user(), t.make.user()]);
    const shop = await makeShop(t, o);
    const p = await makeProduct(t, o, shop.id, { stock: 1 });
    const order = (await placeOrder(t, b, 'late', [{ productId: p.id, quantity: 1 }])).body.order;
    expect((await placeOrder(t, b, 'late-2', [{ productId: p.id, quantity: 1 }])).status).toBe(409);
    expect((await pay(t, b, order.id, 'test_async')).status).toBe(200);
    const expired = await eventually(async () => {
      const now = (await t.api('GET', `/orders/${order.id}`, { token: b.token })).body.order;
      return now.status === 'cancelled' && now;
    }, 'expiry');
    expect(expired.cancelReason).toBe('expired');
    expect((await stockOf(t, o, p.id)).available).toBe(1);
    expect((await pay(t, b, order.id, 'test_ok')).status).toBe(409);

    const row = await t.ctx.db.selectFrom('payments').select(['provider_ref']).where('order_id', '=', order.id).executeTakeFirstOrThrow();
    expect((await deliverWebhook(t, t.ctx.payments.test.event(row.provider_ref!, 'payment.captured'))).status).toBe(200);
    const after = await eventually(async () => {
      const now = (await t.api('GET', `/orders/${order.id}`, { token: b.token })).body.order;
      return now.paymentStatus === 'refunded' && now;
    }, 'automatic refund');
    expect(after.status).toBe('cancelled');
    expect(t.ctx.payments.test.ledger.refunds.get(row.provider_ref!)).toBe(1);
    expect((await stockOf(t, o, p.id)).available).toBe(1);
  });
});
