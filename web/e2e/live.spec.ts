import { type Browser, expect, type Page, type TestInfo, test } from '@playwright/test';
import { as, screenProblems, screenshot, signUpViaApi, signUpWith, uploadReadyClip } from './helpers.ts';

/**
 * Live from the browser (issue 14, acceptance 2 and 6): Chromium's fake camera and microphone go
 * live through MediaRecorder and the ingest WebSocket; a second person watches (the HLS playlist
 * loads, the video plays), finds the live at the top of Following with a LIVE ring, and chats;
 * the host deletes a message and bans its author, whose chat stops; ending the live tells the
 * viewer. The host's clip in the viewer's feed wears the LIVE ring and opens the live; the host pins
 * one of their shop's products, the viewer sees its card above the chat and opens the product sheet
 * over the live. Screenshots of Go Live, watching with chat, the pinned product and the host's
 * controls, light and dark.
 */
test.use({
  launchOptions: {
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
    ],
  },
  permissions: ['camera', 'microphone'],
});

async function shots(page: Page, testInfo: TestInfo, name: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, testInfo, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function secondPerson(browser: Browser, testInfo: TestInfo, baseURL: string) {
  const ctx = await browser.newContext({ ...testInfo.project.use, baseURL });
  const page = await ctx.newPage();
  const user = await signUpWith(ctx.request, page, { displayName: 'Vera Viewer' });
  return { ctx, page, user };
}

test('goes live from the browser camera; a viewer watches and chats; the host deletes, bans and ends', async ({ page, browser, baseURL }, testInfo) => {
  test.setTimeout(300_000);
  const host = await signUpViaApi(page, { displayName: 'Hana Host' });
  const asHost = as(page.request, host);
  // A clip of the host's (for their avatar in the viewer's feed) and a shop with a product to pin.
  await uploadReadyClip(page.request, host, 'Before the live');
  const shop = (await asHost('POST', '/shops', { handle: `hana${Date.now().toString(36)}`, name: 'Hana Ceramics' })).shop;
  await asHost('POST', `/shops/${shop.id}/products`, { title: 'Speckled Mug', description: 'Stoneware, 300 ml.', priceMinor: 1800, currency: 'EUR', stock: 4 });
  await page.goto('/live/new');
  await expect(page.getByTestId('golive-preview')).toBeVisible();
  await expect.poll(() => page.getByTestId('golive-preview').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await page.getByLabel('Title').fill('Morning coffee chat');
  expect(await screenProblems(page, 'go live')).toEqual([]);
  await shots(page, testInfo, 'live-go-live');

  const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/lives') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Go live', exact: true }).click();
  const liveId = ((await (await created).json()) as { live: { id: string } }).live.id;
  await expect(page.getByTestId('onair-preview')).toBeVisible();
  // On air: ffmpeg made the first playlist from the browser's chunks.
  await expect.poll(async () => (await (await page.request.get(`/api/v1/lives/${liveId}`)).json()).live.status, { timeout: 60_000 }).toBe('live');

  const viewer = await secondPerson(browser, testInfo, baseURL!);
  await as(viewer.page.request, viewer.user)('PUT', `/users/${host.id}/follow`);
  // Lives come first in Following, with a LIVE ring on the host's avatar.
  await viewer.page.goto('/');
  await viewer.page.getByRole('button', { name: 'Following' }).click();
  // (The phone and desktop runs share one server: each looks for its own host's live.)
  const ringOf = (scope: Page | ReturnType<Page['locator']>) => scope.getByRole('link', { name: 'Hana Host is live: watch' }).and(viewer.page.locator(`[href="/live/${liveId}"]`));
  const ring = ringOf(viewer.page.getByRole('navigation', { name: 'Live now' }));
  await expect(ring).toBeVisible();
  // The host's clip below: its author avatar wears the ring too, and opens the live.
  const clipRing = ringOf(viewer.page.getByRole('article', { name: `Video by @${host.username}` }));
  await expect(clipRing).toBeVisible();
  await screenshot(viewer.page, testInfo, 'live-ring-feed');
  await clipRing.click();
  await expect(viewer.page).toHaveURL(new RegExp(`/live/${liveId}$`));
  await viewer.page.goBack();
  await viewer.page.getByRole('button', { name: 'Following' }).click();
  const playlist = viewer.page.waitForResponse((r) => r.url().includes(`/lives/${liveId}/hls/index.m3u8`) && r.status() === 200, { timeout: 60_000 });
  await ring.click();
  await expect(viewer.page).toHaveURL(new RegExp(`/live/${liveId}$`));
  await playlist;
  // The picture plays: frames of the live were decoded and shown (on a loaded machine time may advance slowly).
  const player = viewer.page.getByTestId('live-player');
  await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState >= 2 && !v.paused && v.getVideoPlaybackQuality().totalVideoFrames > 0), { timeout: 60_000 }).toBe(true);
  await expect(viewer.page.getByTestId('live-badge')).toHaveText('LIVE');

  // Chat both ways.
  await viewer.page.getByLabel('Chat message').fill('hello from Vera');
  await viewer.page.getByLabel('Chat message').press('Enter');
  const hostLine = page.getByTestId('live-chat').getByText('hello from Vera');
  await expect(hostLine).toBeVisible();
  await page.getByLabel('Chat message').fill('welcome Vera!');
  await page.getByLabel('Chat message').press('Enter');
  // The server took it (the host's line is no longer pending), then it reaches the viewer.
  await expect(page.locator('.live__line:not(.live__line--pending)', { hasText: 'welcome Vera!' })).toBeVisible();
  await expect(viewer.page.getByTestId('live-chat').getByText('welcome Vera!')).toBeVisible();
  await viewer.page.getByRole('button', { name: 'Send a heart' }).click();
  expect(await screenProblems(viewer.page, 'watching')).toEqual([]);
  await shots(viewer.page, testInfo, 'live-watching');

  // The host pins one of their products: the viewer sees its card above the chat and opens the sheet over the live.
  await page.getByRole('button', { name: 'Live settings' }).click();
  await page.getByRole('button', { name: /Speckled Mug/ }).click();
  const card = viewer.page.getByTestId('live-pinned-product');
  await expect(card).toContainText('Speckled Mug');
  await expect(card).toContainText('18');
  await shots(viewer.page, testInfo, 'live-pinned-product');
  await card.getByRole('button', { name: /Speckled Mug.*see the product/ }).click();
  const sheet = viewer.page.getByTestId('product-sheet');
  await expect(sheet).toBeVisible();
  await expect(viewer.page.getByTestId('live-player')).toBeAttached();
  await shots(viewer.page, testInfo, 'live-product-sheet');
  await viewer.page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);

  // The host pins the message, then deletes it: it leaves the viewer's chat.
  await page.getByRole('button', { name: 'Message from Vera Viewer: actions' }).first().click();
  await shots(page, testInfo, 'live-host-message-menu');
  await page.getByRole('button', { name: 'Pin message' }).click();
  await expect(viewer.page.getByTestId('live-pinned')).toContainText('hello from Vera');
  await page.getByRole('button', { name: 'Live settings' }).click();
  await expect(page.getByRole('switch', { name: /Followers only/ })).toBeVisible();
  await shots(page, testInfo, 'live-host-controls');
  await page.getByRole('button', { name: '10 s' }).click();
  await expect(page.getByRole('button', { name: '10 s' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Escape');
  await expect(viewer.page.getByLabel('Chat message')).toHaveAttribute('placeholder', /Slow mode/);
  await page.getByRole('button', { name: 'Message from Vera Viewer: actions' }).first().click();
  await page.getByRole('button', { name: 'Delete message' }).click();
  await expect(viewer.page.getByTestId('live-chat').getByText('hello from Vera')).toHaveCount(0);

  // Banned: the viewer is told, and their input goes.
  await viewer.page.getByLabel('Chat message').fill('second message');
  await viewer.page.getByLabel('Chat message').press('Enter');
  await expect(page.getByTestId('live-chat').getByText('second message')).toBeVisible();
  await page.getByRole('button', { name: 'Message from Vera Viewer: actions' }).first().click();
  await page.getByRole('button', { name: 'Ban from this live' }).click();
  await expect(viewer.page.getByText('You were removed from this live’s chat.')).toBeVisible();
  await expect(viewer.page.getByLabel('Chat message')).toHaveCount(0);

  // The host ends it. The banned viewer is out of the room (no frames reach them), so they see it ended on their next load.
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.getByText('This live has ended')).toBeVisible({ timeout: 30_000 });
  await viewer.page.reload();
  await expect(viewer.page.getByText('This live has ended')).toBeVisible({ timeout: 30_000 });
  await viewer.ctx.close();
});

test('streaming software: the live shows its RTMP server and stream key to copy', async ({ page }, testInfo) => {
  await signUpViaApi(page);
  await page.goto('/live/new');
  await page.getByLabel('Title').fill('From OBS');
  await page.getByRole('button', { name: 'Use streaming software' }).click();
  await expect(page.getByTestId('ingest-server')).toContainText(/^rtmp:\/\/.+\/live$/);
  await expect(page.getByTestId('ingest-stream-key')).toHaveText(/^•+$/);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByTestId('ingest-stream-key')).not.toHaveText(/•/);
  await shots(page, testInfo, 'live-streaming-software');
});
