import { type Browser, expect, type Page, test, type TestInfo } from '@playwright/test';
import { as, PASSWORD, screenshot, signUpWith, type TestUser, uploadReadyClip } from './helpers.ts';

// Issue 11, the web app's behaviour found by trying it as a new user: the share-target crash,
// hashtags, Saved and Liked, chat times, "Seen", Message on profiles, new chat with anyone, a
// missing chat, the video page's height, and likes that fail or need an account.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

let creator: TestUser;
let clip: string;
test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ baseURL: BASE });
  creator = await signUpWith(context.request, null, { displayName: 'Cleo Maker' });
  clip = await uploadReadyClip(context.request, creator, 'Sunset at the pier #loop #sunset');
  await context.close();
});

/** A second person in their own browser, on the same kind of screen as this project. */
async function another(browser: Browser, testInfo: TestInfo, displayName: string): Promise<{ page: Page; user: TestUser }> {
  const { viewport, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
  const context = await browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, baseURL: BASE });
  const page = await context.newPage();
  return { page, user: await signUpWith(context.request, page, { displayName }) };
}

const pageErrors = (page: Page) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
};

test.describe('web polish', () => {
  test('closing the share sheet opened from another app shows the clip (it crashed on a cache shaped { video })', async ({ page }, testInfo) => {
    const errors = pageErrors(page);
    await signUpWith(page.request, page);
    await page.goto(`/share?text=${encodeURIComponent(`look at this ${BASE}/v/${clip}`)}`);
    const sheet = page.getByTestId('share-sheet');
    await expect(sheet).toBeVisible();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await expect(page).toHaveURL(new RegExp(`/video/${clip}$`));
    await expect(page.locator(`article.clip[data-video-id="${clip}"]`).getByRole('link', { name: `Profile of @${creator.username}` })).toBeVisible();
    await screenshot(page, testInfo, 'share-target-closed');
    expect(errors).toEqual([]);
  });

  test('hashtags in captions are links to their pages, and lead somewhere', async ({ page }) => {
    await signUpWith(page.request, page);
    await page.goto(`/video/${clip}`);
    const caption = page.locator('article.clip .caption');
    await expect(caption).toHaveText('Sunset at the pier #loop #sunset');
    // Each hashtag is a link to its page (discovery), the rest of the words stay text.
    await expect(caption.getByRole('link', { name: '#sunset' })).toHaveAttribute('href', '/tag/sunset');
    await caption.getByRole('link', { name: '#sunset' }).click();
    await expect(page).toHaveURL(/\/tag\/sunset$/);
    await expect(page.getByRole('list', { name: 'Clips with #sunset' }).locator(`a[href="/video/${clip}"]`)).toBeVisible();
  });

  test('Liked and Saved tabs on one’s own profile, with their empty states', async ({ page }, testInfo) => {
    await signUpWith(page.request, page);
    await page.goto('/profile');
    await page.getByRole('tab', { name: 'Liked' }).click();
    await expect(page.getByRole('heading', { name: 'No liked clips yet' })).toBeVisible();
    await screenshot(page, testInfo, 'profile-liked-empty');
    await page.getByRole('tab', { name: 'Saved' }).click();
    await expect(page.getByRole('heading', { name: 'Nothing saved yet' })).toBeVisible();
    await screenshot(page, testInfo, 'profile-saved-empty');

    await page.goto(`/video/${clip}`);
    const card = page.locator('article.clip');
    await card.getByRole('button', { name: 'Like' }).click();
    await expect(card.getByRole('button', { name: 'Unlike' })).toBeVisible();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect(card.getByRole('button', { name: 'Remove from saved' })).toBeVisible();

    await page.goto('/profile');
    await page.getByRole('tab', { name: 'Liked' }).click();
    await expect(page.getByRole('list', { name: 'Liked' }).locator(`a[href="/video/${clip}"]`)).toBeVisible();
    await page.getByRole('tab', { name: 'Saved' }).click();
    const saved = page.getByRole('list', { name: 'Saved' }).locator(`a[href="/video/${clip}"]`);
    await expect(saved).toBeVisible();
    await screenshot(page, testInfo, 'profile-saved');
    // Unsaving takes it off the list.
    await saved.click();
    await page.locator('article.clip').getByRole('button', { name: 'Remove from saved' }).click();
    await expect(page.locator('article.clip').getByRole('button', { name: 'Save' })).toBeVisible();
    await page.goto('/profile');
    await page.getByRole('tab', { name: 'Saved' }).click();
    await expect(page.getByRole('heading', { name: 'Nothing saved yet' })).toBeVisible();
  });

  test('a failed like rolls back with a quiet message', async ({ page }, testInfo) => {
    await signUpWith(page.request, page);
    await page.route(`**/api/v1/videos/${clip}/like`, (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Internal', status: 500, code: 'internal', detail: 'boom' }) }));
    await page.goto(`/video/${clip}`);
    const card = page.locator('article.clip');
    await card.getByRole('button', { name: 'Like' }).click();
    await expect(page.getByRole('status').getByText('Couldn’t like this clip. Try again.')).toBeVisible();
    await expect(card.getByRole('button', { name: 'Like' })).toHaveAttribute('aria-pressed', 'false');
    await screenshot(page, testInfo, 'like-failed-toast');
  });

  test('a signed-out like asks to log in, and logging in comes back to the clip', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
    const { user } = await another(browser, testInfo, 'Returning Viewer');
    await page.goto(`/video/${clip}`);
    await page.locator('article.clip').getByRole('button', { name: 'Like' }).click();
    const sheet = page.getByRole('dialog', { name: 'Log in to like this clip' });
    await expect(sheet).toBeVisible();
    await expect(sheet.getByRole('link', { name: 'Log in' })).toHaveAttribute('href', `/login?next=${encodeURIComponent(`/video/${clip}`)}`);
    await screenshot(page, testInfo, 'like-signed-out');
    await sheet.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(new RegExp(`/video/${clip}$`));
    await page.locator('article.clip').getByRole('button', { name: 'Like' }).click();
    await expect(page.locator('article.clip').getByRole('button', { name: 'Unlike' })).toBeVisible();
  });

  test('the video page fits the window', async ({ page }, testInfo) => {
    await signUpWith(page.request, page);
    await page.goto(`/video/${clip}`);
    await expect(page.locator('article.clip')).toBeVisible();
    const { scrollHeight, innerHeight } = await page.evaluate(() => ({ scrollHeight: document.scrollingElement!.scrollHeight, innerHeight: window.innerHeight }));
    expect(scrollHeight).toBeLessThanOrEqual(innerHeight);
    const box = (await page.locator('article.clip').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(innerHeight + 1);
    await screenshot(page, testInfo, 'video-page-fits');
  });

  test('a missing chat says so and leads back to the Inbox', async ({ page }, testInfo) => {
    await signUpWith(page.request, page);
    await page.goto('/inbox/999999999');
    await expect(page.getByRole('heading', { name: 'This chat isn’t available' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
    await screenshot(page, testInfo, 'chat-missing');
    await page.getByRole('link', { name: 'Back to Inbox' }).click();
    await expect(page).toHaveURL(/\/inbox$/);
  });

  test('Message on a profile opens the direct chat (the same one each time); new chat finds anyone', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
    const me = await signUpWith(page.request, page, { displayName: 'Ana Asker' });
    const { user: ben } = await another(browser, testInfo, 'Ben Stranger');
    await page.goto(`/u/${ben.username}`);
    await page.getByRole('button', { name: 'Message Ben Stranger' }).click();
    await expect(page).toHaveURL(/\/inbox\/\d+$/);
    const chatUrl = page.url();
    await page.getByLabel('Message').fill('Hi Ben, from your profile');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('log').getByText('Hi Ben, from your profile')).toBeVisible();
    // Not friends: it waits in Ben's requests.
    const bens = as(page.request, ben);
    await expect.poll(async () => (await bens('GET', '/conversations?folder=requests')).items.map((c: { id: string }) => c.id)).toContain(chatUrl.split('/').pop());
    await page.goto(`/u/${ben.username}`);
    await page.getByRole('button', { name: 'Message Ben Stranger' }).click();
    await expect(page).toHaveURL(chatUrl);

    // New chat searches everyone, not only friends.
    const { user: cy } = await another(browser, testInfo, 'Cy Nobody');
    await page.goto('/inbox/new');
    await expect(page.getByRole('heading', { name: 'No friends yet' })).toBeVisible();
    await page.getByRole('searchbox', { name: 'Search people' }).fill(cy.username);
    await page.getByRole('list', { name: 'People' }).getByRole('checkbox').check();
    await expect(page.getByRole('button', { name: 'Remove Cy Nobody' })).toBeVisible();
    await screenshot(page, testInfo, 'new-chat-anyone');
    await page.getByRole('button', { name: 'Chat', exact: true }).click();
    await expect(page).toHaveURL(/\/inbox\/\d+$/);
    await expect(page.getByRole('heading', { name: 'Cy Nobody' })).toBeVisible();
    expect(me.id).not.toBe(cy.id);
  });

  test('chat times: a time line before the first message, the exact time on hover and tap; "Seen" under the last message read', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
    const me = await signUpWith(page.request, page, { displayName: 'Ana' });
    const { page: benPage, user: ben } = await another(browser, testInfo, 'Ben');
    const mine = as(page.request, me);
    await mine('PUT', `/users/${ben.id}/follow`);
    await as(page.request, ben)('PUT', `/users/${me.id}/follow`);
    const chat = (await mine('POST', '/conversations', { memberIds: [ben.id] })).conversation.id as string;
    const first = (await mine('POST', `/conversations/${chat}/messages`, { clientMsgId: 'first', text: 'First one' })).message;

    // Ben opens the chat (reading "First one"), then leaves it.
    await benPage.goto(`/inbox/${chat}`);
    await expect(benPage.getByRole('log').getByText('First one')).toBeVisible();
    await expect.poll(async () => (await mine('GET', `/conversations/${chat}`)).conversation.members.find((m: { id: string }) => m.id === ben.id).readSeq).toBe(first.seq);
    await benPage.goto('/profile');

    await page.goto(`/inbox/${chat}`);
    await page.getByLabel('Message').fill('Second one, unread');
    await page.getByRole('button', { name: 'Send' }).click();
    const log = page.getByRole('log');
    await expect(log.locator('.bubble-row').filter({ hasText: 'Second one, unread' })).not.toHaveClass(/pending/);
    // "Seen" sits under the message Ben read, not under the last one.
    const seen = log.locator('.chat__seen');
    await expect(seen).toHaveCount(1);
    await expect(seen).toHaveText('Seen');
    await expect(seen).toHaveAttribute('data-seen-seq', String(first.seq));
    expect(await seen.evaluate((el) => el.previousElementSibling?.getAttribute('data-seq'))).toBe(String(first.seq));

    // A time line opens the conversation; every message has its exact time on hover and on tap.
    await expect(log.locator('.chat__time').first()).toHaveText(/^Today /);
    const row = log.locator(`.bubble-row[data-seq="${first.seq}"]`);
    expect(await row.getAttribute('title')).toMatch(/\d/);
    await row.getByRole('button').click();
    await expect(log.locator('.bubble-time')).toBeVisible();
    await screenshot(page, testInfo, 'chat-times-seen');

    // Once Ben reads the second message, "Seen" moves under it.
    await benPage.goto(`/inbox/${chat}`);
    await expect(benPage.getByRole('log').getByText('Second one, unread')).toBeVisible();
    await expect(seen).not.toHaveAttribute('data-seen-seq', String(first.seq));
    await expect(seen).toHaveCount(1);
  });
});
