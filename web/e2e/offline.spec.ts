import { expect, type Page, test } from '@playwright/test';
import { friendsWithChat, screenshot } from './helpers.ts';

// Issue 11 acceptance 5: offline, the banner leaves the message box above the tab bar; a reload
// shows the app (the service worker's shell and this build's scripts) with the message queued
// there (the outbox is in IndexedDB); back online it is delivered once.

const baseURL = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

/** The message box is wholly above the tab bar (nothing of it hidden behind). */
async function composerClearOfTabBar(page: Page) {
  const box = await page.getByLabel('Message').boundingBox();
  const send = await page.getByRole('button', { name: 'Send' }).boundingBox();
  const tabbar = await page.getByRole('navigation', { name: 'Tabs' }).boundingBox();
  expect(box && send && tabbar).toBeTruthy();
  expect(box!.y + box!.height).toBeLessThanOrEqual(tabbar!.y);
  expect(send!.y + send!.height).toBeLessThanOrEqual(tabbar!.y);
}

test('a message written offline survives a reload offline and is delivered once when back online @phone-only', async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const { a, b, conversation } = await friendsWithChat(browser, baseURL);
  const history = async () => ((await (await b.ctx.request.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`)).json()).items as { text: string }[]).map((m) => m.text);

  // Online first: the service worker installs (it has the shell and the build's scripts once ready).
  await a.page.goto(`/inbox/${conversation.id}`);
  await expect(a.page.getByLabel('Message')).toBeEditable();
  await a.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await composerClearOfTabBar(a.page);

  await a.ctx.setOffline(true);
  await expect(a.page.locator('.offline-banner', { hasText: 'You’re offline' })).toBeVisible();
  await composerClearOfTabBar(a.page);
  await a.page.getByLabel('Message').fill('Written on the train');
  await a.page.getByRole('button', { name: 'Send' }).click();
  await expect(a.page.getByText('Sending…')).toBeVisible();

  // A reload while offline: the app, its banner, the chat and the queued message.
  const reload = await a.page.reload();
  expect(reload?.fromServiceWorker()).toBe(true);
  await expect(a.page.locator('.offline-banner', { hasText: 'You’re offline' })).toBeVisible();
  await expect(a.page.locator('.bubble__text', { hasText: 'Written on the train' })).toHaveCount(1);
  await expect(a.page.getByText('Sending…')).toBeVisible();
  await expect(a.page.getByText('Messages you write now will send when you’re back online.')).toBeVisible();
  await composerClearOfTabBar(a.page);
  await screenshot(a.page, testInfo, 'chat-offline-reloaded');
  expect(await history()).not.toContain('Written on the train');
  // A screen never opened before opens offline too: its code was precached with the build's.
  const settings = await a.page.goto('/settings');
  expect(settings?.fromServiceWorker()).toBe(true);
  await expect(a.page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await a.page.goto(`/inbox/${conversation.id}`);
  await expect(a.page.locator('.bubble__text', { hasText: 'Written on the train' })).toHaveCount(1);

  // Back online: delivered, once; nothing left waiting, even after another reload.
  await b.page.goto(`/inbox/${conversation.id}`);
  await a.ctx.setOffline(false);
  await expect(b.page.locator('.bubble__text', { hasText: 'Written on the train' })).toHaveCount(1);
  await expect(a.page.getByText('Sending…')).toHaveCount(0);
  await a.page.reload();
  await expect(a.page.locator('.bubble__text', { hasText: 'Written on the train' })).toHaveCount(1);
  await expect(a.page.getByText('Sending…')).toHaveCount(0);
  expect((await history()).filter((t) => t === 'Written on the train')).toHaveLength(1);
  await a.ctx.close();
  await b.ctx.close();
});
