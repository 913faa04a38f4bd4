import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { screenshot, signUpWith, type TestUser } from './helpers.ts';

// Acceptance 6 of the messaging issue: two (then three) people in their own browser contexts.
const baseURL = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

async function person(browser: Browser, name: string): Promise<{ ctx: BrowserContext; page: Page; user: TestUser }> {
  const ctx = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const user = await signUpWith(ctx.request, null, { displayName: name });
  return { ctx, page, user };
}

/** A JSON call as the person's browser would make it (cookie + same-origin Origin). */
async function call(p: { ctx: BrowserContext }, method: 'POST' | 'PUT', path: string, data?: unknown) {
  const res = await p.ctx.request.fetch(`/api/v1${path}`, { method, data, headers: { origin: baseURL } });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

async function send(page: Page, text: string) {
  await page.getByLabel('Message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

const bubbles = (page: Page, text: string) => page.locator('.bubble__text', { hasText: text });

test.describe('messaging', () => {
  test('a request, accept, typing and read receipts, offline and back without duplicates', { tag: '@phone-only' }, async ({ browser }, testInfo) => {
    const a = await person(browser, 'Ana');
    const b = await person(browser, 'Ben');
    // Not friends: A's first message lands in B's Requests folder.
    const { conversation } = await call(a, 'POST', '/conversations', { memberIds: [b.user.id] });
    await a.page.goto(`/inbox/${conversation.id}`);
    await send(a.page, 'Hi Ben! Saw your clip https://example.com/clip');
    await expect(bubbles(a.page, 'Hi Ben!')).toHaveCount(1);
    await expect(a.page.getByRole('link', { name: 'https://example.com/clip' })).toHaveAttribute('rel', /noopener/);

    await b.page.goto('/inbox');
    await expect(b.page.getByRole('tab', { name: /Requests \(1\)/ })).toBeVisible();
    await b.page.getByRole('tab', { name: /Requests/ }).click();
    await expect(b.page.getByRole('link', { name: /Ana/ })).toBeVisible();
    await screenshot(b.page, testInfo, 'inbox-requests');
    await b.page.getByRole('link', { name: /Ana/ }).click();
    await expect(b.page.getByText('wants to message you')).toBeVisible();
    await screenshot(b.page, testInfo, 'chat-request');
    // No read receipt for A before B accepts, although B has it open.
    await expect(a.page.getByText('Seen')).toHaveCount(0);
    await b.page.getByRole('button', { name: 'Accept' }).click();
    await expect(b.page.getByText('wants to message you')).toHaveCount(0);

    // Typing shows on the other side; the reply arrives live; A's message shows as seen.
    await b.page.getByLabel('Message').pressSequentially('Hey Ana', { delay: 30 });
    await expect(a.page.getByText('Ben is typing…')).toBeVisible();
    await b.page.getByRole('button', { name: 'Send' }).click();
    await expect(bubbles(a.page, 'Hey Ana')).toHaveCount(1);
    await send(a.page, 'How are you?');
    await expect(bubbles(b.page, 'How are you?')).toHaveCount(1);
    await expect(a.page.getByText('Seen')).toBeVisible();
    await screenshot(a.page, testInfo, 'chat-live');

    // A reacts and B sees it; B edits their message; A unsends one of theirs.
    await bubbles(a.page, 'Hey Ana').click();
    await a.page.getByRole('button', { name: '❤️' }).click();
    await expect(b.page.locator('.bubble__reactions', { hasText: '❤️' })).toBeVisible();
    await bubbles(b.page, 'Hey Ana').click();
    await b.page.getByRole('button', { name: 'Edit' }).click();
    await b.page.getByLabel('Message').fill('Hey Ana!!');
    await b.page.getByRole('button', { name: 'Save' }).click();
    await expect(bubbles(a.page, 'Hey Ana!!')).toBeVisible();
    await bubbles(a.page, 'How are you?').click();
    await a.page.getByRole('button', { name: 'Unsend' }).click();
    await expect(b.page.getByText('Message unsent')).toBeVisible();

    // A goes offline; B keeps writing; A comes back and sees each message once.
    await a.ctx.setOffline(true);
    await expect(a.page.getByText('You’re offline', { exact: true })).toBeVisible();
    await send(b.page, 'Are you there?');
    await send(b.page, 'Call me later');
    await expect(bubbles(b.page, 'Call me later')).toHaveCount(1);
    await screenshot(a.page, testInfo, 'chat-offline');
    await a.ctx.setOffline(false);
    await expect(bubbles(a.page, 'Are you there?')).toHaveCount(1);
    await expect(bubbles(a.page, 'Call me later')).toHaveCount(1);
    // And a message A wrote while offline goes once it is back.
    await a.ctx.setOffline(true);
    await send(a.page, 'Written offline');
    await expect(a.page.getByText('Sending…')).toBeVisible();
    await a.ctx.setOffline(false);
    await expect(bubbles(b.page, 'Written offline')).toHaveCount(1);
    await expect(bubbles(a.page, 'Written offline')).toHaveCount(1);
    await expect(a.page.getByText('Sending…')).toHaveCount(0);
    await a.page.waitForTimeout(500);
    for (const text of ['Hi Ben!', 'Hey Ana!!', 'Are you there?', 'Call me later', 'Written offline']) await expect(bubbles(a.page, text)).toHaveCount(1);

    await a.page.goto('/inbox');
    await expect(a.page.getByRole('link', { name: /Ben/ })).toBeVisible();
    await screenshot(a.page, testInfo, 'inbox');
    await a.ctx.close();
    await b.ctx.close();
  });

  test('a group of three friends', { tag: '@phone-only' }, async ({ browser }, testInfo) => {
    const a = await person(browser, 'Ana');
    const b = await person(browser, 'Ben');
    const c = await person(browser, 'Cy');
    for (const other of [b, c]) {
      await call(a, 'PUT', `/users/${other.user.id}/follow`);
      await call(other, 'PUT', `/users/${a.user.id}/follow`);
    }
    await a.page.goto('/inbox');
    await a.page.getByRole('link', { name: 'New chat' }).click();
    await a.page.getByRole('checkbox').nth(0).check();
    await a.page.getByRole('checkbox').nth(1).check();
    await a.page.getByPlaceholder('Name your group').fill('Weekend crew');
    await screenshot(a.page, testInfo, 'new-group');
    await a.page.getByRole('button', { name: /Create group/ }).click();
    await expect(a.page.getByRole('heading', { name: 'Weekend crew' })).toBeVisible();
    await send(a.page, 'Who is in for Saturday?');

    for (const p of [b, c]) {
      await p.page.goto('/inbox');
      await p.page.getByRole('link', { name: /Weekend crew/ }).click();
      await expect(bubbles(p.page, 'Who is in for Saturday?')).toHaveCount(1);
    }
    await b.page.getByLabel('Message').pressSequentially('Me!', { delay: 30 });
    await expect(a.page.getByText('Ben is typing…')).toBeVisible();
    await b.page.getByRole('button', { name: 'Send' }).click();
    await send(c.page, 'Count me in');
    for (const p of [a, b, c]) {
      await expect(bubbles(p.page, 'Me!')).toHaveCount(1);
      await expect(bubbles(p.page, 'Count me in')).toHaveCount(1);
    }
    await send(a.page, 'Great, see you');
    await expect(a.page.getByText(/Seen by .*Ben/)).toBeVisible();
    await expect(a.page.getByText(/Seen by .*Cy/)).toBeVisible();
    await screenshot(a.page, testInfo, 'group-chat');
    for (const p of [a, b, c]) await p.ctx.close();
  });

  test('search inside a chat finds an older message and shows it in place', async ({ browser, page }, testInfo) => {
    // The searcher uses the project's screen (phone or desktop); the other person only writes.
    const me = await signUpWith(page.request, page, { displayName: 'Searcher' });
    const other = await person(browser, 'Old friend');
    const res = await page.request.post('/api/v1/conversations', { data: { memberIds: [other.user.id] }, headers: { origin: baseURL } });
    const id = (await res.json()).conversation.id as string;
    await page.request.post(`/api/v1/conversations/${id}/messages`, { data: { clientMsgId: 'needle', text: 'Remember the blue kumquat recipe?' }, headers: { origin: baseURL } });
    // Enough later messages that the one searched for is not on the first page of history.
    await call(other, 'POST', `/conversations/${id}/accept`);
    for (let i = 0; i < 80; i++) await call(other, 'POST', `/conversations/${id}/messages`, { clientMsgId: `later-${i}`, text: `Later message ${i}` });
    expect(me.id).toBeTruthy();

    await page.goto(`/inbox/${id}`);
    await expect(bubbles(page, 'Later message 79')).toHaveCount(1);
    await expect(bubbles(page, 'blue kumquat')).toHaveCount(0);
    await page.getByRole('button', { name: 'Search this chat' }).click();
    await page.getByRole('searchbox', { name: 'Search this chat' }).fill('Kumquat');
    const result = page.getByRole('list', { name: 'Messages found' }).getByRole('button');
    await expect(result).toHaveCount(1);
    await expect(result.locator('mark')).toHaveText('kumquat');
    await screenshot(page, testInfo, 'chat-search-results');
    await result.click();
    await expect(page.getByRole('search')).toHaveCount(0);
    await expect(bubbles(page, 'blue kumquat')).toBeInViewport();
    await expect(page.locator('.bubble-row--found')).toHaveCount(1);
    await screenshot(page, testInfo, 'chat-search-found');

    await page.getByRole('button', { name: 'Search this chat' }).click();
    await page.getByRole('searchbox', { name: 'Search this chat' }).fill('durian');
    await expect(page.getByText('No messages match “durian”')).toBeVisible();
    await other.ctx.close();
  });
});
