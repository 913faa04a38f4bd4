import { type APIRequestContext, type Browser, expect, type Page, test } from '@playwright/test';
import { screenshot, signUpWith, uploadReadyClip } from './helpers.ts';

// Issue 6: sharing a clip to a friend from inside Loop, the share card, the public /v/:id page.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

async function befriend(a: APIRequestContext, aId: string, b: APIRequestContext, bId: string) {
  expect((await a.put(`/api/v1/users/${bId}/follow`, { headers: { origin: BASE } })).ok()).toBe(true);
  expect((await b.put(`/api/v1/users/${aId}/follow`, { headers: { origin: BASE } })).ok()).toBe(true);
}

async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ ...PHONE, baseURL: BASE });
  return context.newPage();
}

/**
 * Opens a WebSocket from inside the page (its session cookie, same origin) and keeps every frame
 * on window.__frames: proof that B's browser hears the share live, independent of the screen.
 */
async function listen(page: Page) {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const w = window as unknown as { __frames: unknown[] };
        w.__frames = [];
        const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/api/v1/ws`);
        ws.onmessage = (e) => {
          const f = JSON.parse(String(e.data));
          w.__frames.push(f);
          if (f.type === 'ready') resolve();
        };
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello' }));
      }),
  );
  return async () => (await page.evaluate(() => (window as unknown as { __frames: any[] }).__frames)) as any[];
}

test.describe('sharing', () => {
  test('A shares a clip from the Home feed to B; B gets it live in the chat, plays it, replies quoting it', async ({ browser, page: pageA }, testInfo) => {
    test.setTimeout(150_000);
    // B on the same kind of screen as A (this project's phone or desktop).
    const { viewport, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
    const pageB = await (await browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, baseURL: BASE })).newPage();
    const creator = await (await browser.newContext({ baseURL: BASE })).newPage();
    const a = await signUpWith(pageA.request, pageA, { displayName: 'Ana Sharer' });
    const b = await signUpWith(pageB.request, pageB, { displayName: 'Ben Friend' });
    const c = await signUpWith(creator.request, creator, { displayName: 'Cleo Maker' });
    await befriend(pageA.request, a.id, pageB.request, b.id);
    await befriend(pageA.request, a.id, creator.request, c.id);
    // Someone A is friends with posts a clip: it is what A's Friends feed shows.
    const caption = `Sunset at the pier #loop ${testInfo.project.name}`;
    const videoId = await uploadReadyClip(creator.request, c, caption);
    await expect
      .poll(async () => (await (await pageA.request.get('/api/v1/feed/friends')).json()).items.map((v: { id: string }) => v.id), { timeout: 30_000 })
      .toContain(videoId);

    // A and B already chat; B has the chat open.
    const conversationId = (await (await pageA.request.post('/api/v1/conversations', { headers: { origin: BASE }, data: { memberIds: [b.id] } })).json()).conversation.id as string;
    expect((await pageA.request.post(`/api/v1/conversations/${conversationId}/messages`, { headers: { origin: BASE }, data: { clientMsgId: 'hi-1', text: 'hey Ben' } })).status()).toBe(201);
    await pageB.goto(`/inbox/${conversationId}`);
    // Scoped to the chat itself: on wide screens the conversation list beside it previews messages too.
    await expect(pageB.getByRole('log').getByText('hey Ben')).toBeVisible();

    // A, on Home, taps Share on the clip that is playing.
    await pageA.goto('/');
    await pageA.getByRole('button', { name: 'Friends', exact: true }).click();
    const clip = pageA.locator(`article.clip[data-active="true"][data-video-id="${videoId}"]`);
    await expect(clip).toBeVisible();
    await clip.getByRole('button', { name: /^Share, / }).click();
    const sheet = pageA.getByTestId('share-sheet');
    await expect(sheet).toBeVisible();
    const ben = sheet.getByRole('button', { name: /Ben Friend/ });
    await ben.click();
    await expect(ben).toHaveAttribute('aria-pressed', 'true');
    await sheet.getByLabel('Note').fill('this one is for you');
    await screenshot(pageA, testInfo, 'share-sheet-from-feed');
    await sheet.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(pageA.getByText('Sent to Ben Friend')).toBeVisible();
    await expect(sheet).toHaveCount(0);

    // B's open chat shows the card live (no reload): poster, author, caption, the note.
    const card = pageB.getByTestId('share-card').filter({ hasText: caption });
    await expect(card).toHaveAttribute('data-status', 'available', { timeout: 20_000 });
    await expect(card.getByText('Cleo Maker')).toBeVisible();
    await expect(pageB.getByRole('log').getByText('this one is for you')).toBeVisible();
    await screenshot(pageB, testInfo, 'share-card-live');

    // It plays: inline on a desktop, full screen on a phone (the chat one tap away).
    const play = card.getByRole('button', { name: /^Play Clip by/ });
    await play.click();
    const phone = (viewport?.width ?? 1280) < 768;
    const player = phone ? pageB.getByRole('dialog', { name: /Clip by/ }).locator('video') : card.locator('video');
    await player.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play().catch(() => {});
    });
    await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.2);
    await screenshot(pageB, testInfo, 'share-card-playing');
    if (phone) {
      await pageB.getByRole('button', { name: 'Back to the chat' }).click();
      await expect(pageB.getByRole('dialog', { name: /Clip by/ })).toHaveCount(0);
    }

    // B replies quoting the card.
    await card.getByRole('button', { name: 'Reply' }).click();
    await pageB.getByLabel('Message').fill('so good!');
    await pageB.getByRole('button', { name: 'Send', exact: true }).click();
    const quote = pageB.locator('.bubble__reply').getByTestId('share-card');
    await expect(quote).toBeVisible();
    await expect(quote).toContainText(caption);
    await screenshot(pageB, testInfo, 'share-card-reply');
    if (!phone) {
      // Wide screens: the inbox is two panes, the list beside an invitation to pick a chat.
      await pageB.goto('/inbox');
      await expect(pageB.getByText('Pick a chat on the left, or start a new one.')).toBeVisible();
      await expect(pageB.getByRole('complementary', { name: 'Chats' }).getByText('Ana Sharer')).toBeVisible();
      await screenshot(pageB, testInfo, 'inbox-two-pane');
    }
    const history = (await (await pageB.request.get(`/api/v1/conversations/${conversationId}/messages`)).json()).items as any[];
    const shared = history.find((m) => m.share?.id === videoId);
    expect(shared).toMatchObject({ senderId: a.id, text: 'this one is for you', share: { status: 'available' } });
    await expect
      .poll(async () => ((await (await pageB.request.get(`/api/v1/conversations/${conversationId}/messages`)).json()).items as any[]).find((m) => m.text === 'so good!')?.replyToSeq)
      .toBe(shared.seq);
  });

  test('A shares a clip through the Web Share Target; B hears it live; the link plays without an account', { tag: '@phone-only' }, async ({ browser }, testInfo) => {
    test.setTimeout(150_000);
    const pageA = await phonePage(browser);
    const pageB = await phonePage(browser);
    const a = await signUpWith(pageA.request, pageA, { displayName: 'Ana Sharer' });
    const b = await signUpWith(pageB.request, pageB, { displayName: 'Ben Friend' });
    await befriend(pageA.request, a.id, pageB.request, b.id);
    const videoId = await uploadReadyClip(pageA.request, a, 'Sunset at the pier #loop');

    // B is in the app with its live connection open.
    await pageB.goto('/profile');
    const bFrames = await listen(pageB);

    // A opens the share sheet for the clip through the Web Share Target route, as a phone does
    // when "Loop" is picked in another app's share menu.
    await pageA.goto(`/share?url=${encodeURIComponent(`${BASE}/v/${videoId}`)}`);
    const sheet = pageA.getByTestId('share-sheet');
    await expect(sheet).toBeVisible();
    const ben = sheet.getByRole('button', { name: /Ben Friend/ });
    await expect(ben).toBeVisible();
    await ben.click();
    await expect(ben).toHaveAttribute('aria-pressed', 'true');
    await sheet.getByLabel('Note').fill('this one is for you');
    await screenshot(pageA, testInfo, 'share-sheet');
    await sheet.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(pageA.getByText('Sent to Ben Friend')).toBeVisible();

    // B receives the message live, with the card resolved for B.
    await expect
      .poll(async () => (await bFrames()).find((f) => f.type === 'message' && f.message.share?.id === videoId)?.message.share.status, { timeout: 20_000 })
      .toBe('available');
    const shared = (await bFrames()).find((f) => f.type === 'message' && f.message.share?.id === videoId).message;
    expect(shared.text).toBe('this one is for you');
    expect(shared.share.card.caption).toBe('Sunset at the pier #loop');

    // The public page plays the clip in a browser with no account.
    const anon = await phonePage(browser);
    const problems: string[] = [];
    anon.on('console', (m) => m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()) && problems.push(m.text()));
    await anon.goto(`/v/${videoId}`);
    await expect(anon.locator('meta[property="og:video"]')).toHaveAttribute('content', /master\.m3u8$/);
    const video = anon.locator('video');
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      return v.play().catch(() => {});
    });
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 20_000 }).toBeGreaterThan(0.2);
    await expect(anon.getByRole('link', { name: 'Open in Loop' })).toHaveAttribute('href', `/video/${videoId}`);
    await screenshot(anon, testInfo, 'share-page');
    expect(problems).toEqual([]);
  });

  test('a share into Loop without a Loop link says so plainly', async ({ browser }, testInfo) => {
    const page = await phonePage(browser);
    await signUpWith(page.request, page);
    await page.goto(`/share?text=${encodeURIComponent('look at https://example.com/cat')}`);
    await expect(page.getByRole('heading', { name: 'Only Loop clips can be shared here' })).toBeVisible();
    await screenshot(page, testInfo, 'share-target-no-link');
  });

  test('the app is installable and registers as a share target', async ({ page }) => {
    const manifest = await (await page.request.get('/manifest.webmanifest')).json();
    expect(manifest.share_target).toEqual({ action: '/share', method: 'GET', params: { title: 'title', text: 'text', url: 'url' } });
    const sw = await page.request.get('/sw.js');
    expect(sw.status()).toBe(200);
    expect(sw.headers()['content-type']).toContain('javascript');
    await signUpWith(page.request, page);
    await page.goto('/profile');
    await expect.poll(() => page.evaluate(async () => Boolean(await navigator.serviceWorker.getRegistration('/'))), { timeout: 15_000 }).toBe(true);
  });
});
