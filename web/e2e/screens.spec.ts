import { type Browser, expect, type Page, test, type TestInfo } from '@playwright/test';
import { as, controlProblems, logIn, longWord, RLO, screenProblems, screenshot, signUpWith, type TestUser, uniqueUsername, uploadReadyClip } from './helpers.ts';

/**
 * Issue 11, acceptance 4: every screen of the app (web/src/app/routes.tsx, and the sheets and
 * server pages around them), at phone and desktop size, in light and dark. Each is photographed
 * (test-results/screenshots/<project>-tour-<scheme>-<screen>.png) and checked in the browser: no
 * CSS custom property that resolves to nothing, nothing wider than the window although people's
 * text is as long as Loop allows (a 2,200-character word where it may be that long), and people's
 * text with a direction override (U+202E) shown isolated. A screen added later joins `visit` below.
 */

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

// The longest text each field takes, as one unbroken word (display names and bios are shorter by rule).
const NAME = `${longWord(42, 'N')}${RLO}gnp.exe`; // 50: DisplayName's maximum
const BIO = `${longWord(292, 'B')}${RLO}gnp.exe`; // 300: Bio's maximum
const CAPTION = longWord(2200, 'C'); // Caption's maximum
const SPOOF_CAPTION = `Sunset at the pier ${RLO}gnp.exe #loop`;
const MESSAGE = longWord(2200, 'M');
const SPOOF_MESSAGE = `look at ${RLO}gnp.exe`;
const COMMENT = longWord(1000, 'K'); // a comment's maximum
const SPOOF_COMMENT = `nice one ${RLO}gnp.exe`;
const SPOOFS = [NAME, BIO, SPOOF_CAPTION, SPOOF_MESSAGE, SPOOF_COMMENT];

interface Scene {
  me: TestUser;
  mia: TestUser;
  pat: TestUser;
  longClip: string;
  spoofClip: string;
  chat: string;
  request: string;
  shopHandle: string;
  productId: string;
  orderId: string;
}

/** The people and things every screen shows: made through the API, once per worker. */
async function makeScene(browser: Browser): Promise<Scene> {
  const context = await browser.newContext({ baseURL: BASE });
  const request = context.request;
  const tag = uniqueUsername('t').slice(-6);
  const me = await signUpWith(request, null, { username: uniqueUsername(`ada${tag}`), displayName: 'Ada Lovelace' });
  const mia = await signUpWith(request, null, { username: uniqueUsername(`mia${tag}`), displayName: NAME });
  const pat = await signUpWith(request, null, { username: uniqueUsername(`pat${tag}`), displayName: 'Pat Private' });
  const sam = await signUpWith(request, null, { username: uniqueUsername(`sam${tag}`), displayName: 'Sam Stranger' });
  const bob = await signUpWith(request, null, { username: uniqueUsername(`bob${tag}`), displayName: 'Bob Blocked' });
  const [asMe, asMia, asPat, asSam] = [as(request, me), as(request, mia), as(request, pat), as(request, sam)];

  await asMe('PATCH', '/me', { bio: 'Writing the first program, one loop at a time.' });
  await asMia('PATCH', '/me', { bio: BIO });
  await asPat('PATCH', '/me/settings', { privateAccount: true });
  await asMe('PUT', `/users/${mia.id}/follow`);
  await asMia('PUT', `/users/${me.id}/follow`);
  await asMe('PUT', `/users/${bob.id}/block`);

  // Mia's clips: the newest (top of the Friends feed) has the longest caption Loop takes.
  const spoofClip = await uploadReadyClip(request, mia, SPOOF_CAPTION);
  const longClip = await uploadReadyClip(request, mia, CAPTION);
  const myClip = await uploadReadyClip(request, me, 'My first clip');
  for (const text of [COMMENT, SPOOF_COMMENT]) await asMia('POST', `/videos/${longClip}/comments`, { text });
  await asMe('PUT', `/videos/${longClip}/like`);
  await asMe('PUT', `/videos/${spoofClip}/save`);
  // Ada's Activity: Mia followed back (friends), likes from two people grouped, a comment.
  await asMia('PUT', `/videos/${myClip}/like`);
  await asSam('PUT', `/videos/${myClip}/like`);
  await asMia('POST', `/videos/${myClip}/comments`, { text: SPOOF_COMMENT });

  const chat = (await asMe('POST', '/conversations', { memberIds: [mia.id] })).conversation.id as string;
  let n = 0;
  const say = (who: typeof asMe, text: string) => who('POST', `/conversations/${chat}/messages`, { clientMsgId: `tour-${tag}-${n++}`, text });
  await say(asMia, 'hey! did you see the sunset clip?');
  await say(asMe, MESSAGE);
  await say(asMia, SPOOF_MESSAGE);
  const last = await say(asMe, 'so good 🌅');
  await asMia('POST', `/conversations/${chat}/read`, { seq: last.message.seq });
  // Someone who is not a friend writes: a message request.
  const request_ = (await asSam('POST', '/conversations', { memberIds: [me.id] })).conversation.id as string;
  await asSam('POST', `/conversations/${request_}/messages`, { clientMsgId: `tour-${tag}-req`, text: 'Hi! We met at the climbing gym.' });

  // Mia's shop: a product with the longest title and description Loop takes, tagged on her clip; Ada buys it.
  const shopHandle = `mugs${tag}`.toLowerCase();
  const shop = (await asMia('POST', '/shops', { handle: shopHandle, name: `Mia’s ${longWord(60, 'S')}`, description: longWord(2000, 'D') })).shop;
  const product = (await asMia('POST', `/shops/${shop.id}/products`, { title: longWord(80, 'P'), description: longWord(2000, 'Q'), priceMinor: 1500, currency: 'EUR', stock: 5 })).product;
  await asMia('PUT', `/videos/${spoofClip}/products`, { productIds: [product.id] });
  await asMe('PUT', '/me/shipping-address', { name: 'Ada Lovelace', line1: '12 St James’s Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' });
  const orderRes = await request.post('/api/v1/orders', {
    headers: { authorization: `Bearer ${me.token}`, 'idempotency-key': `tour-${tag}` },
    data: { items: [{ productId: product.id, quantity: 1 }], source: { type: 'video', id: spoofClip }, shippingAddress: { name: 'Ada Lovelace', line1: '12 St James’s Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' } },
  });
  expect(orderRes.status()).toBe(201);
  const orderId = (await orderRes.json()).order.id as string;
  // Ada has a shop too: her inbox gets a Shop folder, where a buyer (Mia) wrote.
  const adaShop = (await asMe('POST', '/shops', { handle: `ada${tag}`.toLowerCase(), name: 'Ada’s Engines' })).shop;
  const shopChat = (await asMia('POST', `/shops/${adaShop.id}/conversations`)).conversation.id as string;
  await asMia('POST', `/conversations/${shopChat}/messages`, { clientMsgId: `tour-${tag}-shop`, text: SPOOF_MESSAGE });
  const payRes = await request.post(`/api/v1/orders/${orderId}/pay`, { headers: { authorization: `Bearer ${me.token}`, 'idempotency-key': `tour-pay-${tag}` }, data: { paymentMethod: 'test_ok' } });
  expect(payRes.status()).toBe(200);
  await context.close();
  return { me, mia, pat, longClip, spoofClip, chat, request: request_, shopHandle, productId: product.id, orderId };
}

let scene: Scene | null = null;
test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  scene = await makeScene(browser);
});

/** Goes to a screen, waits until `ready` shows, photographs it and runs the checks. */
function tour(page: Page, testInfo: TestInfo, scheme: string, problems: string[]) {
  return async (name: string, url: string | null, ready: (p: Page) => ReturnType<Page['getByText']>) => {
    if (url) await page.goto(url);
    await expect(ready(page).first()).toBeVisible();
    // Let late layout settle before measuring: fonts, and the pictures on screen.
    await page.evaluate(() => document.fonts.ready);
    await page
      .waitForFunction(() => Array.from(document.images).every((img) => img.complete || img.getBoundingClientRect().top > innerHeight), null, { timeout: 10_000 })
      .catch(() => {});
    await screenshot(page, testInfo, `tour-${scheme}-${name}`);
    problems.push(...(await screenProblems(page, name, SPOOFS)), ...(await controlProblems(page)).map((p) => `${name}: ${p}`));
  };
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every screen, ${scheme}`, async ({ page }, testInfo) => {
    test.setTimeout(400_000);
    const s = scene!;
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text()) && errors.push(`csp: ${msg.text()}`));
    const problems: string[] = [];
    const visit = tour(page, testInfo, scheme, problems);

    // Signed out.
    await visit('welcome', '/welcome', (p) => p.getByRole('link', { name: 'Create account' }));
    await visit('signup', '/signup', (p) => p.getByLabel('Username'));
    await visit('login', '/login', (p) => p.getByLabel('Username'));
    await visit('profile-signed-out', `/u/${s.mia.username}`, (p) => p.getByRole('complementary', { name: 'Join Loop' }));
    await visit('video-signed-out', `/video/${s.spoofClip}`, (p) => p.locator('article.clip'));
    await page.locator('article.clip').getByRole('button', { name: 'Like' }).click();
    await visit('video-sign-in-sheet', null, (p) => p.getByRole('dialog', { name: 'Log in to like this clip' }));
    await visit('share-page', `/v/${s.longClip}`, (p) => p.getByRole('link', { name: 'Open in Loop' }));
    await visit('share-page-missing', '/v/999999999', (p) => p.getByRole('heading', { name: 'This clip isn’t available' }));

    await logIn(page, s.me);
    await visit('home', '/', (p) => p.getByRole('navigation', { name: 'Feeds' }));
    await visit('friends-feed', '/feed/friends', (p) => p.locator(`article.clip[data-active="true"][data-video-id="${s.longClip}"]`));
    await page.locator('article.clip[data-active="true"]').getByRole('button', { name: 'more', exact: true }).click();
    await visit('friends-feed-caption-open', null, (p) => p.locator('article.clip[data-active="true"]').getByRole('button', { name: 'less' }));
    await visit('friends', '/friends', (p) => p.getByRole('heading', { name: 'Your friends' }));
    await visit('create', '/create', (p) => p.getByLabel('Caption'));
    await visit('video', `/video/${s.longClip}`, (p) => p.locator('article.clip'));
    await page.locator('article.clip').getByRole('button', { name: 'Comments' }).click();
    await visit('video-comments', null, (p) => p.getByRole('dialog', { name: 'Comments' }).getByText(SPOOF_COMMENT));
    await page.keyboard.press('Escape');
    await visit('video-spoof-caption', `/video/${s.spoofClip}`, (p) => p.locator('article.clip'));
    await page.locator('article.clip').getByRole('button', { name: 'Share' }).click();
    await visit('video-share-sheet', null, (p) => p.getByTestId('share-sheet').getByRole('button', { name: /N{10}/ }));
    await page.keyboard.press('Escape');
    await visit('inbox', '/inbox', (p) => p.getByRole('tab', { name: /Requests/ }));
    await page.getByRole('tab', { name: /Requests/ }).click();
    await visit('inbox-requests', null, (p) => p.getByRole('link', { name: /Sam Stranger/ }));
    await visit('chat', `/inbox/${s.chat}`, (p) => p.getByRole('log').getByText('so good 🌅'));
    await page.getByRole('log').getByText('so good 🌅').click();
    await visit('chat-message-tapped', null, (p) => p.getByRole('button', { name: 'Reply' }));
    // Offline: the banner, a message queued (the box above the tab bar), and the same after a reload.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.context().setOffline(true);
    await page.getByLabel('Message').fill(`Queued offline (${scheme})`);
    await page.getByLabel('Message').press('Enter');
    await visit('chat-offline-queued', null, (p) => p.getByText('Sending…'));
    await page.reload();
    await visit('chat-offline-reloaded', null, (p) => p.getByText('Sending…'));
    await page.context().setOffline(false);
    await expect(page.getByText('Sending…')).toHaveCount(0);
    await visit('chat-request', `/inbox/${s.request}`, (p) => p.getByText('wants to message you'));
    await visit('chat-missing', '/inbox/999999999', (p) => p.getByRole('heading', { name: 'This chat isn’t available' }));
    await visit('new-chat', '/inbox/new', (p) => p.getByRole('list', { name: 'Friends' }));
    await page.getByRole('searchbox', { name: 'Search people' }).fill(s.pat.username);
    await visit('new-chat-search', null, (p) => p.getByRole('list', { name: 'People' }).getByText('Pat Private'));
    await visit('profile-own', '/profile', (p) => p.getByRole('tab', { name: 'Videos' }));
    await page.getByRole('tab', { name: 'Liked' }).click();
    await visit('profile-own-liked', null, (p) => p.getByRole('list', { name: 'Liked' }));
    await page.getByRole('tab', { name: 'Saved' }).click();
    await visit('profile-own-saved', null, (p) => p.getByRole('list', { name: 'Saved' }));
    await visit('profile-other', `/u/${s.mia.username}`, (p) => p.getByRole('button', { name: /^Message / }));
    await visit('profile-private', `/@${s.pat.username}`, (p) => p.getByRole('heading', { name: 'This account is private' }));
    await visit('profile-missing', '/u/no_such_person_here', (p) => p.getByRole('heading', { name: 'This account doesn’t exist' }));
    await visit('edit-profile', '/profile/edit', (p) => p.getByLabel('Display name'));
    await visit('activity', '/activity', (p) => p.getByRole('list', { name: 'Activity' }).getByText(/liked your clip/));
    await visit('settings', '/settings', (p) => p.getByRole('switch', { name: /Private account/ }));
    await visit('notification-settings', '/settings/notifications', (p) => p.getByRole('switch', { name: 'Likes' }).first());
    await visit('blocked-accounts', '/settings/blocked', (p) => p.getByRole('button', { name: /Unblock Bob/ }));
    await visit('search', `/search?q=${s.mia.username}`, (p) => p.getByRole('list', { name: 'People' }));
    // Shop (issue 16).
    await visit('shop-page', `/shop/${s.shopHandle}`, (p) => p.getByRole('list', { name: 'Products' }));
    await page.getByRole('list', { name: 'Products' }).getByRole('button').first().click();
    await visit('shop-product-sheet', null, (p) => p.getByTestId('product-sheet').getByRole('button', { name: 'Buy now' }));
    await page.getByTestId('product-sheet').getByRole('button', { name: 'Buy now' }).click();
    await visit('shop-checkout', null, (p) => p.getByTestId('product-sheet').getByRole('button', { name: /^Pay / }));
    await page.keyboard.press('Escape');
    await visit('shop-product-page', `/p/${s.productId}`, (p) => p.getByTestId('product-sheet'));
    await visit('shop-orders', '/orders', (p) => p.getByRole('list', { name: 'Orders' }));
    await visit('shop-order', `/orders/${s.orderId}`, (p) => p.getByTestId('order'));
    await visit('shop-mine', '/shop', (p) => p.getByRole('list', { name: 'Your shops' }));
    await page.goto('/inbox');
    await page.getByRole('tab', { name: 'Shop' }).click();
    await visit('inbox-shop', null, (p) => p.getByRole('link', { name: /Ada’s Engines/ }));
    await visit('share-target', `/share?text=${encodeURIComponent(`look ${BASE}/v/${s.longClip}`)}`, (p) => p.getByTestId('share-sheet'));
    await page.keyboard.press('Escape');
    await visit('share-target-no-link', `/share?text=${encodeURIComponent(MESSAGE)}`, (p) => p.getByRole('heading', { name: 'Only Loop clips can be shared here' }));
    await visit('not-found', '/no/such/page', (p) => p.getByRole('heading', { name: 'This page doesn’t exist' }));

    expect(problems).toEqual([]);
    expect(errors).toEqual([]);
  });
}
