import { expect, type Page, test } from '@playwright/test';
import { as, screenshot, signUpWith } from './helpers.ts';

// Issue 16, shopping beyond acceptance 5: a product's variants (the buyer picks one, sold-out ones
// are disabled; the owner adds one from the sheet), a "should I get it?" poll in a group chat with
// votes from two browsers arriving live, and a friend's wishlist on their profile. Screenshots of each.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
const ADDRESS = { name: 'Maya Buyer', line1: '1 Rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

test.describe('shopping with variants and friends', () => {
  test('variant picker, a poll voted on from two browsers, a friend’s wishlist', async ({ browser, page: buyerPage }, testInfo) => {
    test.setTimeout(180_000);
    const { viewport, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
    const newPage = async (): Promise<Page> => (await browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, baseURL: BASE })).newPage();
    const [ownerPage, friendPage] = [await newPage(), await newPage()];
    const buyer = await signUpWith(buyerPage.request, buyerPage, { displayName: 'Maya Buyer' });
    const owner = await signUpWith(ownerPage.request, ownerPage, { displayName: 'Tee Maker' });
    const friend = await signUpWith(friendPage.request, friendPage, { displayName: 'Fay Friend' });
    const asOwner = as(ownerPage.request, owner);
    const asBuyer = as(buyerPage.request, buyer);
    const asFriend = as(friendPage.request, friend);
    const shop = (await asOwner('POST', '/shops', { handle: `tees_${testInfo.project.name}_${buyer.username.slice(-5)}`, name: 'Tees & Co' })).shop;
    const tee = (
      await asOwner('POST', `/shops/${shop.id}/products`, {
        title: 'Linen Tee',
        description: 'Washed linen, boxy fit.',
        priceMinor: 2000,
        currency: 'EUR',
        stock: 0,
        variants: [
          { options: { Size: 'S', Colour: 'Sand' }, stock: 4 },
          { options: { Size: 'M', Colour: 'Sand' }, stock: 0 },
          { options: { Size: 'L', Colour: 'Sand' }, stock: 2, priceMinor: 2500 },
        ],
      })
    ).product;
    await asBuyer('PUT', '/me/shipping-address', ADDRESS);

    // The variant picker: sold-out M disabled; L has its own price.
    await buyerPage.goto(`/p/${tee.id}`);
    const sheet = buyerPage.getByTestId('product-sheet');
    const picker = sheet.getByTestId('variant-picker');
    await expect(picker.getByRole('radio', { name: /M \/ Sand/ })).toBeDisabled();
    await expect(picker.getByRole('radio', { name: /S \/ Sand/ })).toBeChecked();
    await expect(sheet.getByText('€20.00').first()).toBeVisible();
    await picker.getByText(/L \/ Sand/).click();
    await expect(sheet.locator('.product__price')).toHaveText('€25.00');
    await screenshot(buyerPage, testInfo, 'shop-variant-picker');
    await sheet.getByRole('button', { name: 'Buy now' }).click();
    await sheet.getByRole('button', { name: 'Pay €25.00' }).click();
    await expect(sheet.getByRole('status')).toContainText('Order placed');
    const mine = (await asBuyer('GET', '/me/orders')).items[0];
    expect(mine.items[0]).toMatchObject({ variant: { label: 'L / Sand' }, priceMinor: 2500 });
    await buyerPage.goto(`/orders/${mine.id}`);
    await expect(buyerPage.getByTestId('order').getByText('1 × Linen Tee (L / Sand)')).toBeVisible();

    // The owner adds a variant from the product's sheet; it appears, with its stock, to buyers.
    await ownerPage.goto(`/p/${tee.id}`);
    const editor = ownerPage.getByRole('region', { name: 'Variants' });
    await expect(editor.getByText(/L \/ Sand/)).toBeVisible();
    const form = editor.getByRole('form', { name: 'New variant' });
    await form.getByRole('textbox', { name: 'Value' }).first().fill('XL');
    await form.getByRole('textbox', { name: /^Value/ }).nth(1).fill('Sand');
    await form.getByRole('spinbutton', { name: 'Units in stock' }).fill('3');
    await form.getByRole('button', { name: 'Add variant' }).click();
    await expect(editor.getByRole('form', { name: 'Variant XL / Sand' })).toBeVisible();
    await screenshot(ownerPage, testInfo, 'shop-variant-editor');
    const after = (await asBuyer('GET', `/products/${tee.id}`)).product;
    expect(after.variants.find((v: any) => v.options.Size === 'XL')).toMatchObject({ available: 3, options: { Size: 'XL', Colour: 'Sand' } });

    // "Should I get it?": the buyer asks a group from the sheet; the friend votes in another browser.
    // A context of its own: signing up through another page's request would sign that page in as Gus.
    const otherPage = await newPage();
    const other = await signUpWith(otherPage.request, otherPage, { displayName: 'Gus Friend' });
    for (const f of [friend, other]) {
      await asBuyer('PUT', `/users/${f.id}/follow`);
      await as(buyerPage.request, f)('PUT', `/users/${buyer.id}/follow`);
    }
    const group = (await asBuyer('POST', '/conversations', { memberIds: [friend.id, other.id], title: 'Style council' })).conversation;
    await buyerPage.goto(`/p/${tee.id}`);
    await sheet.getByRole('button', { name: 'Ask friends' }).click();
    await sheet.getByRole('list', { name: 'Your group chats' }).getByRole('button', { name: 'Style council' }).click();
    await expect(buyerPage).toHaveURL(new RegExp(`/inbox/${group.id}$`));
    const buyerPoll = buyerPage.getByTestId('poll-card').last();
    await expect(buyerPoll).toContainText('Should I get it?');
    await friendPage.goto(`/inbox/${group.id}`);
    const friendPoll = friendPage.getByTestId('poll-card').last();
    await expect(friendPoll).toContainText('Linen Tee');
    await friendPoll.getByTestId('poll-yes').click();
    await expect(friendPoll.getByTestId('poll-yes')).toHaveAttribute('aria-pressed', 'true');
    // The buyer's card counts the friend's vote without a reload.
    await expect(buyerPoll.getByTestId('poll-yes')).toContainText('1');
    await buyerPoll.getByTestId('poll-no').click();
    await expect(friendPoll.getByTestId('poll-no')).toContainText('1');
    await expect(buyerPoll.getByTestId('poll-no')).toHaveAttribute('aria-pressed', 'true');
    await screenshot(buyerPage, testInfo, 'shop-poll-buyer');
    await screenshot(friendPage, testInfo, 'shop-poll-friend');
    const poll = (await asFriend('GET', `/conversations/${group.id}/messages`)).items.at(-1).share.card.poll;
    expect(poll).toMatchObject({ yes: 1, no: 1, myVote: 'yes' });

    // The wishlist: the buyer saves the tee; the friend sees it on the buyer's profile, a stranger does not.
    await buyerPage.goto(`/p/${tee.id}`);
    await sheet.getByRole('button', { name: 'Save' }).click();
    await expect(sheet.getByRole('button', { name: 'Saved' })).toHaveAttribute('aria-pressed', 'true');
    await friendPage.goto(`/@${buyer.username}`);
    const wishlist = friendPage.getByRole('region', { name: 'Wishlist' });
    await expect(wishlist.getByRole('button', { name: /Linen Tee/ })).toBeVisible();
    await wishlist.scrollIntoViewIfNeeded();
    await screenshot(friendPage, testInfo, 'shop-friend-wishlist');
    await ownerPage.goto(`/@${buyer.username}`);
    await expect(ownerPage.getByTestId('profile-display-name')).toBeVisible();
    await expect(ownerPage.getByRole('region', { name: 'Profile' })).toBeVisible();
    expect((await ownerPage.request.get(`/api/v1/users/${buyer.id}/wishlist`, { headers: { authorization: `Bearer ${owner.token}` } })).status()).toBe(404);
    await expect(ownerPage.getByRole('region', { name: 'Wishlist' })).toHaveCount(0);
  });
});
