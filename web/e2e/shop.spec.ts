import { expect, type Page, test } from '@playwright/test';
import { as, screenshot, signUpWith, uploadReadyClip } from './helpers.ts';

// Issue 16, acceptance 5: a buyer taps the product bar on a clip, buys with test_ok in two taps
// (saved address), sees the order; the shop's owner sees it, ships it and messages the buyer;
// a product shared into a group chat opens its sheet. Screenshots of each screen.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
const ADDRESS = { name: 'Maya Buyer', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

test.describe('shop', () => {
  test('buy from a clip, the shop ships it, a product shared into a group opens its sheet', async ({ browser, page: buyerPage }, testInfo) => {
    // About 15 s on a quiet machine; a long flow of two people over two pages, so the most generous bound.
    test.setTimeout(300_000);
    const { viewport, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
    const ownerPage: Page = await (await browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, baseURL: BASE })).newPage();
    const buyer = await signUpWith(buyerPage.request, buyerPage, { displayName: 'Maya Buyer' });
    const owner = await signUpWith(ownerPage.request, ownerPage, { displayName: 'Mug Maker' });
    const asOwner = as(ownerPage.request, owner);
    const asBuyer = as(buyerPage.request, buyer);
    const handle = `mugs_${testInfo.project.name}_${buyer.username.slice(-5)}`;
    const shop = (await asOwner('POST', '/shops', { handle, name: 'Mugs & Co', description: 'Hand-thrown mugs from Lisbon.' })).shop;
    const mug = (await asOwner('POST', `/shops/${shop.id}/products`, { title: 'Blue Mug', description: 'Stoneware, 350 ml.', priceMinor: 1500, currency: 'EUR', stock: 3 })).product;
    await asOwner('POST', `/shops/${shop.id}/products`, { title: 'Espresso Cup', priceMinor: 900, currency: 'EUR', stock: 0 });
    const clip = await uploadReadyClip(ownerPage.request, owner, `New mugs are in #pottery ${testInfo.project.name}`);
    // The owner tags the mug on the clip from the clip's page.
    await ownerPage.goto(`/video/${clip}`);
    await ownerPage.getByRole('button', { name: 'Tag products on this clip' }).click();
    const tagForm = ownerPage.getByRole('form', { name: 'Products in this clip' });
    await tagForm.getByRole('checkbox', { name: /Blue Mug/ }).check();
    await screenshot(ownerPage, testInfo, 'shop-tag-products');
    await tagForm.getByRole('button', { name: 'Save' }).click();
    await expect(ownerPage.getByRole('list', { name: 'Products in this clip' }).getByRole('button', { name: /Blue Mug/ })).toBeVisible();
    await asBuyer('PUT', '/me/shipping-address', ADDRESS);

    // The buyer, on the clip: the product bar, then the sheet over the clip.
    await buyerPage.goto(`/video/${clip}`);
    const bar = buyerPage.getByRole('list', { name: 'Products in this clip' });
    await expect(bar).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-product-bar');
    await bar.getByRole('button', { name: /Blue Mug/ }).click();
    const sheet = buyerPage.getByTestId('product-sheet');
    await expect(sheet.getByText('€15.00')).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-product-sheet');
    // Two taps: Buy now, Pay.
    await sheet.getByRole('button', { name: 'Buy now' }).click();
    await expect(sheet.getByText(/Maya Buyer, 1 Rue de la Paix/)).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-checkout');
    await sheet.getByRole('button', { name: 'Pay €15.00' }).click();
    await expect(sheet.getByRole('status')).toContainText('Order placed');
    await screenshot(buyerPage, testInfo, 'shop-order-placed');
    await sheet.getByRole('link', { name: 'See your order' }).click();
    const order = buyerPage.getByTestId('order');
    await expect(order).toHaveAttribute('data-status', 'paid');
    await screenshot(buyerPage, testInfo, 'shop-order-buyer');
    const orderId = buyerPage.url().split('/').pop()!;
    const placed = (await asBuyer('GET', `/orders/${orderId}`)).order;
    expect(placed.source).toEqual({ type: 'video', id: clip });
    await buyerPage.goto('/orders');
    await expect(buyerPage.getByRole('list', { name: 'Orders' }).getByText('1 × Blue Mug')).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-orders-buyer');

    // The shop's owner sees it in the shop's orders and ships it.
    await ownerPage.goto(`/shop/${handle}`);
    await expect(ownerPage.getByRole('list', { name: 'Products' }).getByText('Blue Mug')).toBeVisible();
    await screenshot(ownerPage, testInfo, 'shop-page-owner');
    await ownerPage.getByRole('link', { name: 'Orders' }).click();
    await expect(ownerPage.getByRole('list', { name: 'Shop orders' }).getByText('1 × Blue Mug')).toBeVisible();
    await screenshot(ownerPage, testInfo, 'shop-orders-owner');
    await ownerPage.getByRole('list', { name: 'Shop orders' }).getByRole('link').first().click();
    await ownerPage.getByRole('button', { name: 'Mark as shipped' }).click();
    await expect(ownerPage.getByTestId('order')).toHaveAttribute('data-status', 'shipped');
    await screenshot(ownerPage, testInfo, 'shop-order-shipped');
    // The buyer writes to the shop from the order (the order's card goes first)…
    await buyerPage.goto(`/orders/${orderId}`);
    await buyerPage.getByRole('button', { name: 'Message the shop' }).click();
    await expect(buyerPage).toHaveURL(/\/inbox\/\d+/);
    await expect(buyerPage.getByRole('link', { name: /^Order: 1 × Blue Mug/ }).last()).toBeVisible();
    const question = 'Hi! When will it arrive?';
    await buyerPage.getByRole('textbox', { name: 'Message' }).fill(question);
    await buyerPage.keyboard.press('Enter');
    await expect(buyerPage.getByText(question).last()).toBeVisible();
    // …and the shop answers from its own inbox folder, apart from its friends, with the order card.
    await ownerPage.goto('/inbox');
    await ownerPage.getByRole('tab', { name: 'Shop' }).click();
    await screenshot(ownerPage, testInfo, 'shop-inbox');
    await ownerPage.getByRole('link', { name: /Mugs & Co · Maya Buyer/ }).click();
    await expect(ownerPage.getByText(question).last()).toBeVisible();
    await ownerPage.goto(`/orders/${orderId}`);
    await ownerPage.getByRole('button', { name: 'Message the buyer' }).click();
    await expect(ownerPage).toHaveURL(/\/inbox\/\d+/);
    const reply = 'It left this morning, here is your order:';
    await ownerPage.getByRole('textbox', { name: 'Message' }).fill(reply);
    await ownerPage.keyboard.press('Enter');
    await expect(ownerPage.getByText(reply).last()).toBeVisible();
    await expect(ownerPage.getByRole('link', { name: /^Order: 1 × Blue Mug, Shipped/ }).last()).toBeVisible();
    await screenshot(ownerPage, testInfo, 'shop-chat-order-card');
    await expect(buyerPage.getByText(reply).last()).toBeVisible();

    // The buyer's order shows it shipped.
    await buyerPage.goto(`/orders/${orderId}`);
    await expect(buyerPage.getByTestId('order')).toHaveAttribute('data-status', 'shipped');

    // A product shared into a group chat: the card opens the sheet.
    const friends = [await signUpWith(ownerPage.request, null, { displayName: 'Fay Friend' }), await signUpWith(ownerPage.request, null, { displayName: 'Gus Friend' })];
    for (const f of friends) {
      await asBuyer('PUT', `/users/${f.id}/follow`);
      await as(buyerPage.request, f)('PUT', `/users/${buyer.id}/follow`);
    }
    const group = (await asBuyer('POST', '/conversations', { memberIds: friends.map((f) => f.id), title: 'Should I get it?' })).conversation;
    await asBuyer('POST', `/conversations/${group.id}/messages`, { clientMsgId: `shop-${testInfo.project.name}`, text: 'should I get another one?', share: { type: 'product', id: mug.id } });
    await buyerPage.goto(`/inbox/${group.id}`);
    const card = buyerPage.getByRole('button', { name: /Blue Mug, €15\.00: open/ });
    await expect(card).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-product-card');
    await card.click();
    await expect(buyerPage.getByTestId('product-sheet').getByRole('button', { name: 'Buy now' })).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-product-sheet-from-chat');

    // The product page.
    await buyerPage.goto(`/p/${mug.id}`);
    await expect(buyerPage.getByTestId('product-sheet').getByText('Stoneware, 350 ml.')).toBeVisible();
    await screenshot(buyerPage, testInfo, 'shop-product-page');
  });
});
