import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MadeUser, startTestServer, type TestServer } from './harness.ts';
import { makeProduct, makeShop, pay, placeOrder, stockOf } from './shop-fixtures.ts';
import { connectWs } from './ws-client.ts';

// Issue 16, what came after acceptance 1–5: product variants with their own stock, "should I get
// it?" polls in chats, and wishlists friends can see. Runs on PGlite and, with
// TEST_DATABASE_URL, on PostgreSQL.
let s: TestServer;
let owner: MadeUser;
let shopId: string;

beforeAll(async () => {
  s = await startTestServer();
  owner = await s.make.user();
  shopId = (await makeShop(s, owner)).id;
});
afterAll(() => s?.close());

const befriend = async (a: MadeUser, b: MadeUser) => {
  expect((await s.api('PUT', `/users/${b.id}/follow`, { token: a.token })).status).toBeLessThan(300);
  expect((await s.api('PUT', `/users/${a.id}/follow`, { token: b.token })).status).toBeLessThan(300);
};

async function makeTee(stock: { S: number; M: number; L: number }, lPrice: number | null = null) {
  const res = await s.api('POST', `/shops/${shopId}/products`, {
    token: owner.token,
    body: {
      title: 'Tee',
      priceMinor: 2000,
      currency: 'EUR',
      stock: 0,
      variants: [
        { options: { Size: 'S', Colour: 'Black' }, stock: stock.S },
        { options: { Size: 'M', Colour: 'Black' }, stock: stock.M },
        { options: { Size: 'L', Colour: 'Black' }, stock: stock.L, priceMinor: lPrice },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const product = res.body.product;
  const bySize = (size: string) => product.variants.find((v: any) => v.options.Size === size);
  return { product, S: bySize('S'), M: bySize('M'), L: bySize('L') };
}

const variantStock = async (productId: string, variantId: string) =>
  (await s.api('GET', `/products/${productId}`, { token: owner.token })).body.product.variants.find((v: any) => v.id === variantId) as { stock: number; reserved: number; available: number };

describe('variants, each with its own stock', () => {
  it('the owner creates and edits variants; buyers see what is available and never the stock', async () => {
    const { product, L } = await makeTee({ S: 2, M: 5, L: 1 }, 2500);
    expect(product.variants).toHaveLength(3);
    expect(product.available).toBe(8);
    expect(L).toMatchObject({ priceMinor: 2500, ownPrice: true, stock: 1, reserved: 0, available: 1 });
    const stranger = await s.make.user();
    const seen = (await s.api('GET', `/products/${product.id}`, { token: stranger.token })).body.product;
    expect(seen.variants.map((v: any) => v.priceMinor)).toEqual([2000, 2000, 2500]);
    expect(seen.variants[0].stock).toBeUndefined();

    const added = await s.api('POST', `/products/${product.id}/variants`, { token: owner.token, body: { options: { Size: 'XL', Colour: 'Black' }, stock: 3 } });
    expect(added.status).toBe(201);
    expect(added.body.product.available).toBe(11);
    const xl = added.body.product.variants.at(-1);
    const edited = await s.api('PATCH', `/products/${product.id}/variants/${xl.id}`, { token: owner.token, body: { priceMinor: 2200, stock: 4 } });
    expect(edited.status).toBe(200);
    expect(edited.body.product.variants.at(-1)).toMatchObject({ priceMinor: 2200, stock: 4, ownPrice: true });
    const backToProductPrice = await s.api('PATCH', `/products/${product.id}/variants/${xl.id}`, { token: owner.token, body: { priceMinor: null } });
    expect(backToProductPrice.body.product.variants.at(-1)).toMatchObject({ priceMinor: 2000, ownPrice: false });
  });

  it('bad variant input is a 400 or 409 and writes nothing; others’ products are 403, unknown ones 404', async () => {
    const before = (await s.api('GET', `/shops/${shopId}/products`)).body.items.length;
    const dup = await s.api('POST', `/shops/${shopId}/products`, {
      token: owner.token,
      body: { title: 'Dup', priceMinor: 100, currency: 'EUR', stock: 0, variants: [{ options: { Size: 'S' }, stock: 1 }, { options: { Size: 'S' }, stock: 2 }] },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('variant_exists');
    expect((await s.api('GET', `/shops/${shopId}/products`)).body.items.length).toBe(before);
    for (const options of [{}, { a: '1', b: '2', c: '3', d: '4' }, { Size: '' }, { Size: 1 }]) {
      const bad = await s.api('POST', `/shops/${shopId}/products`, { token: owner.token, body: { title: 'Bad', priceMinor: 100, currency: 'EUR', stock: 0, variants: [{ options, stock: 1 }] } });
      expect(bad.status, JSON.stringify(options)).toBe(400);
    }
    const { product, S, M } = await makeTee({ S: 1, M: 1, L: 1 });
    expect((await s.api('POST', `/products/${product.id}/variants`, { token: owner.token, body: { options: { Size: 'M', Colour: 'Black' }, stock: 1 } })).status).toBe(409);
    expect((await s.api('POST', `/products/${product.id}/variants`, { token: owner.token, body: { options: { Size: 'XS' }, stock: -1 } })).status).toBe(400);
    expect((await s.api('PATCH', `/products/${product.id}/variants/${S.id}`, { token: owner.token, body: { options: { Colour: 'Black', Size: 'M' } } })).body.code).toBe('variant_exists');
    const stranger = await s.make.user();
    expect((await s.api('PATCH', `/products/${product.id}/variants/${S.id}`, { token: stranger.token, body: { stock: 9 } })).status).toBe(403);
    expect((await s.api('PATCH', `/products/${product.id}/variants/99999999`, { token: owner.token, body: { stock: 9 } })).status).toBe(404);
    const other = await makeTee({ S: 1, M: 1, L: 1 });
    // A variant of another product is not this product's.
    expect((await s.api('PATCH', `/products/${product.id}/variants/${other.S.id}`, { token: owner.token, body: { stock: 9 } })).status).toBe(404);

    // Orders: a product with variants needs one; the variant must be the product's.
    const buyer = await s.make.user();
    const none = await placeOrder(s, buyer, 'v-none', [{ productId: product.id, quantity: 1 }]);
    expect(none.status).toBe(400);
    expect(none.body.code).toBe('variant_required');
    const wrong = await placeOrder(s, buyer, 'v-wrong', [{ productId: product.id, variantId: other.M.id, quantity: 1 } as never]);
    expect(wrong.status).toBe(404);
    expect(wrong.body.code).toBe('variant_not_found');
    expect(await variantStock(other.product.id, other.M.id)).toMatchObject({ reserved: 0 });
    // Stock below what is reserved is refused, as for products.
    expect((await placeOrder(s, buyer, 'v-ok', [{ productId: product.id, variantId: M.id, quantity: 1 } as never])).status).toBe(201);
    const below = await s.api('PATCH', `/products/${product.id}/variants/${M.id}`, { token: owner.token, body: { stock: 0 } });
    expect(below.status).toBe(409);
    expect(below.body.code).toBe('stock_below_reserved');
  });

  it('variants keep the owner’s order: of the option names (jsonb would sort them), of the values, and in an order’s label', async () => {
    // Neither alphabetical (Colour, Fit, Size) nor jsonb's order (shorter first: Fit, Size, Colour).
    const variant = (size: string) => ({ options: { Size: size, Colour: 'Navy', Fit: 'Slim' }, stock: 5 });
    const made = await s.api('POST', `/shops/${shopId}/products`, {
      token: owner.token,
      body: { title: 'Ordered tee', priceMinor: 1500, currency: 'EUR', stock: 0, variants: ['S', 'M', 'L'].map(variant) },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const id = made.body.product.id;
    const shape = (product: any) => product.variants.map((v: any) => Object.entries(v.options));
    const owners = ['S', 'M', 'L'].map((size) => [
      ['Size', size],
      ['Colour', 'Navy'],
      ['Fit', 'Slim'],
    ]);
    expect(shape(made.body.product)).toEqual(owners);
    const buyer = await s.make.user();
    expect(shape((await s.api('GET', `/products/${id}`, { token: owner.token })).body.product)).toEqual(owners);
    expect(shape((await s.api('GET', `/products/${id}`, { token: buyer.token })).body.product)).toEqual(owners);

    // Another variant, another order; a variant's options changed into yet another order.
    const xl = await s.api('POST', `/products/${id}/variants`, { token: owner.token, body: { options: { Fit: 'Slim', Size: 'XL', Colour: 'Navy' }, stock: 1 } });
    expect(Object.keys(xl.body.product.variants.at(-1).options)).toEqual(['Fit', 'Size', 'Colour']);
    const S = made.body.product.variants[0];
    const reordered = await s.api('PATCH', `/products/${id}/variants/${S.id}`, { token: owner.token, body: { options: { Colour: 'Navy', Size: 'S', Fit: 'Slim' } } });
    expect(reordered.status, JSON.stringify(reordered.body)).toBe(200);
    const after = (await s.api('GET', `/products/${id}`, { token: buyer.token })).body.product;
    expect(after.variants.map((v: any) => Object.keys(v.options))).toEqual([
      ['Colour', 'Size', 'Fit'],
      ['Size', 'Colour', 'Fit'],
      ['Size', 'Colour', 'Fit'],
      ['Fit', 'Size', 'Colour'],
    ]);
    // The same options in another order are still the same variant.
    const dup = await s.api('POST', `/products/${id}/variants`, { token: owner.token, body: { options: { Fit: 'Slim', Colour: 'Navy', Size: 'M' }, stock: 1 } });
    expect(dup.body.code).toBe('variant_exists');
    // The order line's label reads as the owner wrote the options.
    const order = await placeOrder(s, buyer, 'v-label', [{ productId: id, variantId: after.variants[1].id, quantity: 1 }] as never);
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    expect(order.body.order.items[0].variant.label).toBe('M / Navy / Slim');
  });

  it('100 concurrent buyers for the last 3 units of one variant: exactly 3 reserve, the other variants untouched', async () => {
    const { product, S, M, L } = await makeTee({ S: 5, M: 3, L: 7 });
    const buyers = await Promise.all(Array.from({ length: 100 }, () => s.make.user()));
    const answers = await Promise.all(buyers.map((b, i) => placeOrder(s, b, `v-rush-${i}`, [{ productId: product.id, variantId: M.id, quantity: 1 } as never])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((x) => x === 201)).toHaveLength(3);
    expect(statuses.filter((x) => x === 409)).toHaveLength(97);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'out_of_stock')).toBe(true);
    expect(await variantStock(product.id, M.id)).toMatchObject({ stock: 3, reserved: 3, available: 0 });
    expect(await variantStock(product.id, S.id)).toMatchObject({ stock: 5, reserved: 0 });
    expect(await variantStock(product.id, L.id)).toMatchObject({ stock: 7, reserved: 0 });
    expect((await stockOf(s, owner, product.id)).reserved).toBe(0);
    const sold = answers.find((a) => a.status === 201)!.body.order;
    expect(sold.items[0]).toMatchObject({ variant: { id: M.id, label: 'M / Black' }, priceMinor: 2000, quantity: 1 });
  });

  it('two variants in one order, lines drawing on the same variant summed; own prices; ship, cancel and refund move the variant’s units', async () => {
    const { product, S, M, L } = await makeTee({ S: 3, M: 2, L: 2 }, 2500);
    const buyer = await s.make.user();
    const tooMany = await placeOrder(s, buyer, 'v-sum', [
      { productId: product.id, variantId: M.id, quantity: 2 },
      { productId: product.id, variantId: M.id, quantity: 1 },
    ] as never);
    expect(tooMany.status).toBe(409);
    expect(await variantStock(product.id, M.id)).toMatchObject({ reserved: 0 });
    const both = await placeOrder(s, buyer, 'v-both', [
      { productId: product.id, variantId: S.id, quantity: 2 },
      { productId: product.id, variantId: L.id, quantity: 1 },
    ] as never);
    expect(both.status, JSON.stringify(both.body)).toBe(201);
    expect(both.body.order.totalMinor).toBe(2 * 2000 + 2500);
    expect(await variantStock(product.id, S.id)).toMatchObject({ stock: 3, reserved: 2 });
    expect((await pay(s, buyer, both.body.order.id, 'test_ok')).status).toBe(200);
    expect((await s.api('POST', `/orders/${both.body.order.id}/ship`, { token: owner.token })).status).toBe(200);
    expect(await variantStock(product.id, S.id)).toMatchObject({ stock: 1, reserved: 0 });
    expect(await variantStock(product.id, L.id)).toMatchObject({ stock: 1, reserved: 0 });
    expect((await s.api('POST', `/orders/${both.body.order.id}/refund`, { token: owner.token })).status).toBe(200);
    expect(await variantStock(product.id, S.id)).toMatchObject({ stock: 3, reserved: 0 });

    const cancelled = await placeOrder(s, buyer, 'v-cancel', [{ productId: product.id, variantId: M.id, quantity: 2 }] as never);
    expect(await variantStock(product.id, M.id)).toMatchObject({ reserved: 2 });
    expect((await s.api('POST', `/orders/${cancelled.body.order.id}/cancel`, { token: buyer.token })).status).toBe(200);
    expect(await variantStock(product.id, M.id)).toMatchObject({ stock: 2, reserved: 0 });

    // A product without variants works as before.
    const plain = await makeProduct(s, owner, shopId, { stock: 2 });
    expect((await placeOrder(s, buyer, 'v-plain', [{ productId: plain.id, quantity: 1 }])).status).toBe(201);
    expect(await stockOf(s, owner, plain.id)).toMatchObject({ reserved: 1, stock: 2 });
  });
});

describe('"should I get it?" polls in a chat', () => {
  it('members vote yes or no (one vote each, changeable), the counts arrive live; others get 404', async () => {
    const [asker, friend, other, outsider] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await befriend(asker, friend);
    await befriend(asker, other);
    const group = (await s.api('POST', '/conversations', { token: asker.token, body: { memberIds: [friend.id, other.id], title: 'Help me choose' } })).body.conversation;
    const p = await makeProduct(s, owner, shopId, { title: 'Lamp' });
    const wsFriend = await connectWs(s.url, { token: friend.token });
    const wsAsker = await connectWs(s.url, { token: asker.token });
    try {
      const asked = await s.api('POST', `/products/${p.id}/polls`, { token: asker.token, body: { conversationId: group.id } });
      expect(asked.status, JSON.stringify(asked.body)).toBe(201);
      const poll = asked.body.poll;
      expect(poll).toMatchObject({ question: 'Should I get it?', yes: 0, no: 0, myVote: null, product: { id: p.id, title: 'Lamp' } });
      expect(asked.body.message.share).toMatchObject({ type: 'poll', id: poll.id, status: 'available' });
      expect(asked.body.message.share.card.poll).toEqual(poll);
      await wsFriend.waitFor((f) => f.type === 'message' && f.message.share?.type === 'poll' && f.message.share.id === poll.id);

      const vote = (u: MadeUser, choice: string) => s.api('PUT', `/polls/${poll.id}/vote`, { token: u.token, body: { choice } });
      expect((await vote(friend, 'yes')).body.poll).toMatchObject({ yes: 1, no: 0, myVote: 'yes' });
      const live = await wsFriend.waitFor((f) => f.type === 'message.updated' && f.message.share?.id === poll.id && f.message.share.card.poll.yes === 1);
      expect(live.message.share.card.poll.myVote).toBe('yes');
      expect((await vote(other, 'no')).body.poll).toMatchObject({ yes: 1, no: 1, myVote: 'no' });
      // The friend's card shows the other member's vote, and still the friend's own.
      const afterOther = await wsFriend.waitFor((f) => f.type === 'message.updated' && f.message.share?.id === poll.id && f.message.share.card.poll.no === 1);
      expect(afterOther.message.share.card.poll.myVote).toBe('yes');
      // Every member gets their own card from the one push: the asker has not voted.
      const askerSees = await wsAsker.waitFor((f) => f.type === 'message.updated' && f.message.share?.id === poll.id && f.message.share.card.poll.no === 1);
      expect(askerSees.message.share.card.poll).toMatchObject({ yes: 1, no: 1, myVote: null });
      // Changing one's mind moves the vote; voting twice the same way counts once.
      expect((await vote(friend, 'no')).body.poll).toMatchObject({ yes: 0, no: 2 });
      expect((await vote(friend, 'no')).body.poll).toMatchObject({ yes: 0, no: 2 });
      await Promise.all([vote(asker, 'yes'), vote(asker, 'yes'), vote(asker, 'no')]);
      const read = (await s.api('GET', `/polls/${poll.id}`, { token: asker.token })).body.poll;
      expect(read.yes + read.no).toBe(3);
      expect((await s.api('DELETE', `/polls/${poll.id}/vote`, { token: friend.token })).body.poll).toMatchObject({ myVote: null, no: read.no - 1 });

      const history = await s.api('GET', `/conversations/${group.id}/messages`, { token: other.token });
      expect(history.body.items.at(-1).share.card.poll).toMatchObject({ id: poll.id, myVote: 'no' });

      // Outsiders: 404 on everything, and the card is unavailable if they ever see it.
      expect((await s.api('GET', `/polls/${poll.id}`, { token: outsider.token })).status).toBe(404);
      expect((await vote(outsider, 'yes')).status).toBe(404);
      expect((await s.api('DELETE', `/polls/${poll.id}/vote`, { token: outsider.token })).status).toBe(404);
      expect((await s.api('GET', `/polls/${poll.id}`, { token: asker.token })).body.poll.yes + (await s.api('GET', `/polls/${poll.id}`, { token: asker.token })).body.poll.no).toBe(2);
      expect((await s.api('POST', `/products/${p.id}/polls`, { token: outsider.token, body: { conversationId: group.id } })).status).toBe(404);
      expect((await s.api('GET', '/polls/99999999', { token: asker.token })).status).toBe(404);
      expect((await s.api('GET', '/polls/x', { token: asker.token })).status).toBe(400);
    } finally {
      wsFriend.close();
      wsAsker.close();
    }
  });

  it('bad input: a bad choice, an unknown product or conversation; nothing is half-written', async () => {
    const [asker, friend] = await Promise.all([s.make.user(), s.make.user()]);
    await befriend(asker, friend);
    const group = (await s.api('POST', '/conversations', { token: asker.token, body: { memberIds: [friend.id], title: 'Hmm' } })).body.conversation;
    const p = await makeProduct(s, owner, shopId);
    const count = async () => (await s.api('GET', `/conversations/${group.id}/messages`, { token: asker.token })).body.items.length;
    const before = await count();
    expect((await s.api('POST', `/products/99999999/polls`, { token: asker.token, body: { conversationId: group.id } })).status).toBe(404);
    expect((await s.api('POST', `/products/${p.id}/polls`, { token: asker.token, body: { conversationId: '99999999' } })).status).toBe(404);
    expect((await s.api('POST', `/products/${p.id}/polls`, { token: asker.token, body: {} })).status).toBe(400);
    expect(await count()).toBe(before);
    const poll = (await s.api('POST', `/products/${p.id}/polls`, { token: asker.token, body: { conversationId: group.id } })).body.poll;
    for (const body of [{ choice: 'maybe' }, {}, { choice: 1 }]) expect((await s.api('PUT', `/polls/${poll.id}/vote`, { token: friend.token, body })).status).toBe(400);
    expect((await s.api('GET', `/polls/${poll.id}`, { token: friend.token })).body.poll).toMatchObject({ yes: 0, no: 0 });
    // A poll card re-sent into another chat stays unavailable to that chat's other members.
    const stranger = await s.make.user();
    await befriend(asker, stranger);
    const elsewhere = (await s.api('POST', '/conversations', { token: asker.token, body: { memberIds: [stranger.id], title: 'Other' } })).body.conversation;
    expect((await s.api('POST', `/conversations/${elsewhere.id}/messages`, { token: asker.token, body: { clientMsgId: 'poll-leak', share: { type: 'poll', id: poll.id } } })).status).toBe(201);
    const seen = (await s.api('GET', `/conversations/${elsewhere.id}/messages`, { token: stranger.token })).body.items.at(-1).share;
    expect(seen).toMatchObject({ type: 'poll', status: 'unavailable', card: null });
  });
});

describe('wishlists friends can see', () => {
  it('a person saves products; they and their friends see the list; anyone else gets 404', async () => {
    const [me, friend, follower, stranger] = await Promise.all([s.make.user(), s.make.user(), s.make.user(), s.make.user()]);
    await befriend(me, friend);
    expect((await s.api('PUT', `/users/${me.id}/follow`, { token: follower.token })).status).toBeLessThan(300);
    const [a, b] = [await makeProduct(s, owner, shopId, { title: 'Vase' }), await makeProduct(s, owner, shopId, { title: 'Rug' })];
    expect((await s.api('GET', `/products/${a.id}`, { token: me.token })).body.product.saved).toBe(false);
    expect((await s.api('PUT', `/products/${a.id}/wishlist`, { token: me.token })).body).toEqual({ saved: true });
    expect((await s.api('PUT', `/products/${a.id}/wishlist`, { token: me.token })).body).toEqual({ saved: true });
    expect((await s.api('PUT', `/products/${b.id}/wishlist`, { token: me.token })).status).toBe(200);
    expect((await s.api('GET', `/products/${a.id}`, { token: me.token })).body.product.saved).toBe(true);

    const mine = await s.api('GET', `/users/${me.id}/wishlist`, { token: me.token });
    expect(mine.body.items.map((p: any) => p.title)).toEqual(['Rug', 'Vase']);
    const theirs = await s.api('GET', `/users/${me.id}/wishlist?limit=1`, { token: friend.token });
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((p: any) => p.title)).toEqual(['Rug']);
    const next = await s.api('GET', `/users/${me.id}/wishlist?limit=1&cursor=${theirs.body.nextCursor}`, { token: friend.token });
    expect(next.body.items.map((p: any) => p.title)).toEqual(['Vase']);
    expect(next.body.nextCursor).toBeNull();
    // A cursor given to someone else is refused.
    expect((await s.api('GET', `/users/${me.id}/wishlist?cursor=${theirs.body.nextCursor}`, { token: me.token })).status).toBe(400);

    for (const u of [follower, stranger]) expect((await s.api('GET', `/users/${me.id}/wishlist`, { token: u.token })).status).toBe(404);
    expect((await s.api('GET', `/users/${me.id}/wishlist`)).status).toBe(401);
    expect((await s.api('GET', '/users/99999999/wishlist', { token: me.token })).status).toBe(404);
    expect((await s.api('GET', '/users/abc/wishlist', { token: me.token })).status).toBe(400);
    expect((await s.api('PUT', '/products/99999999/wishlist', { token: me.token })).status).toBe(404);

    // Unfollowing ends the friendship, and with it the view.
    expect((await s.api('DELETE', `/users/${me.id}/follow`, { token: friend.token })).status).toBeLessThan(300);
    expect((await s.api('GET', `/users/${me.id}/wishlist`, { token: friend.token })).status).toBe(404);
    expect((await s.api('DELETE', `/products/${a.id}/wishlist`, { token: me.token })).body).toEqual({ saved: false });
    expect((await s.api('GET', `/users/${me.id}/wishlist`, { token: me.token })).body.items.map((p: any) => p.title)).toEqual(['Rug']);
  });
});
