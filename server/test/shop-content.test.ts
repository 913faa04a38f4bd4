import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { befriend } from './graph-helpers.ts';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeClip, uploadClip, waitForVideo } from './media-fixtures.ts';
import { makeProduct, makeShop, pay, placeOrder } from './shop-fixtures.ts';

// Products in content (issue 16): tags on clips, pictures, product cards in chats, the /p/:id page.
let s: TestServer;
let owner: MadeUser;
let creator: MadeUser;
let friend: MadeUser;
let shopId: string;

beforeAll(async () => {
  s = await startTestServer();
  [owner, creator, friend] = await Promise.all([s.make.user(), s.make.user(), s.make.user()]);
  shopId = (await makeShop(s, owner)).id;
  await befriend(s, creator, friend);
});
afterAll(() => s?.close());

describe('products in content', () => {
  it('the author tags up to 5 products on a clip; the product bar lists them; an order remembers the clip', async () => {
    const products = await Promise.all(Array.from({ length: 6 }, (_, i) => makeProduct(s, owner, shopId, { title: `Thing ${i}` })));
    const up = await uploadClip(s, creator.token, makeClip(), { caption: 'haul', visibility: 'public' });
    expect(up.status).toBe(202);
    const clip = await waitForVideo(s, creator.token, up.body.video.id);
    const ids = products.map((p) => p.id);
    expect((await s.api('PUT', `/videos/${clip.id}/products`, { token: creator.token, body: { productIds: ids } })).status).toBe(400);
    expect((await s.api('PUT', `/videos/${clip.id}/products`, { token: owner.token, body: { productIds: ids.slice(0, 2) } })).status).toBe(403);
    expect((await s.api('PUT', `/videos/${clip.id}/products`, { token: creator.token, body: { productIds: ['999999999'] } })).status).toBe(404);
    const tagged = await s.api('PUT', `/videos/${clip.id}/products`, { token: creator.token, body: { productIds: [ids[2], ids[0]] } });
    expect(tagged.status).toBe(200);
    expect(tagged.body.video.id).toBe(clip.id);
    const bar = await s.api('GET', `/videos/${clip.id}/products`);
    expect(bar.body.items.map((p: any) => p.title)).toEqual(['Thing 2', 'Thing 0']);

    const order = await placeOrder(s, friend, 'from-clip', [{ productId: ids[0]!, quantity: 1 }], { source: { type: 'video', id: clip.id } });
    expect(order.status).toBe(201);
    expect(order.body.order.source).toEqual({ type: 'video', id: clip.id });
  });

  it('pictures are re-encoded and served; a shop logo too; text is refused', async () => {
    const p = await makeProduct(s, owner, shopId);
    const png = await sharp({ create: { width: 1600, height: 900, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'mug.png');
      return f;
    };
    expect((await s.api('POST', `/products/${p.id}/images`, { token: creator.token, form: form() })).status).toBe(403);
    const added = await s.api('POST', `/products/${p.id}/images`, { token: owner.token, form: form() });
    expect(added.status).toBe(201);
    const url = added.body.product.imageUrls[0] as string;
    const img = await fetch(s.url + url);
    expect(img.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await img.arrayBuffer())).metadata()).width).toBe(1080);
    const fake = new FormData();
    fake.append('file', new Blob(['not an image'], { type: 'image/png' }), 'x.png');
    expect((await s.api('POST', `/products/${p.id}/images`, { token: owner.token, form: fake })).status).toBe(422);
    const logo = await s.api('PUT', `/shops/${shopId}/logo`, { token: owner.token, form: form() });
    expect(logo.status).toBe(200);
    expect(logo.body.shop.logoUrl).toMatch(/^\/api\/v1\/media\/shops\//);
  });

  it('a product shared into a group chat is a card; its page has Open Graph tags', async () => {
    const p = await makeProduct(s, owner, shopId, { title: 'Blue <Mug>', priceMinor: 1500, currency: 'EUR' });
    const group = (await s.api('POST', '/conversations', { token: creator.token, body: { memberIds: [friend.id], title: 'Should I?' } })).body.conversation;
    const sent = await s.api('POST', `/conversations/${group.id}/messages`, {
      token: creator.token,
      body: { clientMsgId: 'share-product-1', text: 'should I get it?', share: { type: 'product', id: p.id } },
    });
    expect(sent.status).toBe(201);
    const history = await s.api('GET', `/conversations/${group.id}/messages`, { token: friend.token });
    const card = history.body.items.at(-1).share;
    expect(card).toMatchObject({ type: 'product', id: p.id, status: 'available' });
    expect(card.card.product).toMatchObject({ title: 'Blue <Mug>', priceMinor: 1500 });
    expect(card.card.product.stock).toBeUndefined();

    const page = await fetch(`${s.url}/p/${p.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<meta property="og:title" content="Blue &lt;Mug&gt; · €15.00');
    expect(html).toContain('<meta property="product:price:currency" content="EUR">');
    expect(html).not.toContain('<Mug>');
    expect((await fetch(`${s.url}/p/99999999999999999999`)).status).toBe(404);
  });

  it('chats with shops: one per buyer and shop, in the shop’s own folder for its owner, carrying order cards', async () => {
    const buyer = await s.make.user();
    await s.api('PATCH', '/me/settings', { token: owner.token, body: { dmPolicy: 'nobody' } });
    const opened = await s.api('POST', `/shops/${shopId}/conversations`, { token: buyer.token });
    expect(opened.status).toBe(201);
    expect(opened.body.conversation.kind).toBe('shop');
    const again = await s.api('POST', `/shops/${shopId}/conversations`, { token: buyer.token });
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(opened.body.conversation.id);
    expect((await s.api('POST', `/shops/${shopId}/conversations`, { token: owner.token })).status).toBe(409);
    const cid = opened.body.conversation.id as string;
    // The owner takes no DMs from strangers, but a buyer may always write to a shop.
    expect((await s.api('POST', `/conversations/${cid}/messages`, { token: buyer.token, body: { clientMsgId: 'ask-1', text: 'Is the mug dishwasher safe?' } })).status).toBe(201);
    const folder = async (u: typeof owner, f: string) => ((await s.api('GET', `/conversations?folder=${f}`, { token: u.token })).body.items as any[]).map((c) => c.id);
    expect(await folder(owner, 'shop')).toContain(cid);
    expect(await folder(owner, 'inbox')).not.toContain(cid);
    expect(await folder(buyer, 'inbox')).toContain(cid);
    expect(await folder(buyer, 'shop')).not.toContain(cid);

    const p = await makeProduct(s, owner, shopId);
    const order = (await placeOrder(s, buyer, 'chat-order', [{ productId: p.id, quantity: 1 }])).body.order;
    await pay(s, buyer, order.id, 'test_ok');
    const fromOrder = await s.api('POST', `/orders/${order.id}/conversation`, { token: owner.token });
    expect(fromOrder.body.conversation.id).toBe(cid);
    expect((await s.api('POST', `/orders/${order.id}/conversation`, { token: creator.token })).status).toBe(404);
    const card = await s.api('POST', `/conversations/${cid}/messages`, { token: owner.token, body: { clientMsgId: 'order-card', text: 'Yes! Shipping today.', share: { type: 'order', id: order.id } } });
    expect(card.status).toBe(201);
    const seen = (await s.api('GET', `/conversations/${cid}/messages`, { token: buyer.token })).body.items.at(-1).share;
    expect(seen).toMatchObject({ type: 'order', id: order.id, status: 'available' });
    expect(seen.card.order).toMatchObject({ id: order.id, status: 'paid' });
    // Nobody else can put someone's order in a chat.
    const group = (await s.api('POST', '/conversations', { token: creator.token, body: { memberIds: [friend.id], title: 'Orders?' } })).body.conversation;
    const leak = await s.api('POST', `/conversations/${group.id}/messages`, { token: creator.token, body: { clientMsgId: 'leak', share: { type: 'order', id: order.id } } });
    expect(leak.status).toBe(404);
  });
});
