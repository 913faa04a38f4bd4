import { type Browser, expect, type Page, type TestInfo, test } from '@playwright/test';
import sharp from 'sharp';
import { as, controlProblems, screenProblems, screenshot, signUpWith } from './helpers.ts';

// Issue 15, acceptance 3: A posts a photo story to friends; B sees the ring, opens it, taps
// through, replies; A sees the reply in the chat and B in the viewers list. Screenshots of the
// tray, the viewer, the composer and the viewers list, light and dark, phone and desktop.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

/** A 720×1280 picture with something to look at (and to tell two stories apart). */
async function picture(label: string, colour: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="1280"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour}"/><stop offset="1" stop-color="#1b1b3a"/></linearGradient></defs><rect width="720" height="1280" fill="url(#g)"/><circle cx="360" cy="520" r="180" fill="#ffd166" opacity="0.9"/><text x="360" y="1000" font-size="64" text-anchor="middle" fill="#fff" font-family="sans-serif">${label}</text></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function newPerson(browser: Browser, testInfo: TestInfo, displayName: string) {
  const { viewport, deviceScaleFactor, isMobile, hasTouch } = testInfo.project.use;
  const page = await (await browser.newContext({ viewport, deviceScaleFactor, isMobile, hasTouch, baseURL: BASE })).newPage();
  const user = await signUpWith(page.request, page, { displayName });
  return { page, user };
}

/** Light and dark screenshots of what is on screen, after checking the screen's basics. */
async function shots(page: Page, testInfo: TestInfo, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    expect([...(await screenProblems(page, name)), ...(await controlProblems(page))]).toEqual([]);
    await screenshot(page, testInfo, `stories-${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

test.describe('stories', () => {
  test('A posts a photo story to friends; B sees the ring, taps through, replies; A sees the reply and B among the viewers', async ({ browser }, testInfo) => {
    test.setTimeout(300_000);
    const a = await newPerson(browser, testInfo, 'Ana Story');
    const b = await newPerson(browser, testInfo, 'Ben Viewer');
    await as(a.page.request, a.user)('PUT', `/users/${b.user.id}/follow`);
    await as(b.page.request, b.user)('PUT', `/users/${a.user.id}/follow`);
    // A's first story goes up through the API; the second through the composer.
    const first = await a.page.request.post('/api/v1/stories', {
      headers: { authorization: `Bearer ${a.user.token}` },
      multipart: { audience: 'friends', file: { name: 'first.jpg', mimeType: 'image/jpeg', buffer: await picture('Morning', '#ff6b6b') } },
    });
    expect(first.status(), await first.text()).toBe(201);

    // ---- A: the composer ----
    // The viewer's clock (5 s a picture) is the page's: paused below, so a loaded machine cannot
    // move a story on between two steps of the test.
    await a.page.clock.install();
    await b.page.clock.install();
    await a.page.goto('/stories/new');
    await expect(a.page.getByRole('button', { name: 'Camera' })).toBeVisible();
    await shots(a.page, testInfo, 'composer-empty');
    await a.page.getByTestId('story-file').setInputFiles({ name: 'sunset.jpg', mimeType: 'image/jpeg', buffer: await picture('Sunset', '#4361ee') });
    await a.page.getByLabel('Text over the picture').fill('Golden hour at the pier');
    await expect(a.page.getByRole('radio', { name: 'Friends', exact: true })).toHaveAttribute('aria-checked', 'true');
    await a.page.getByRole('radio', { name: 'Close friends' }).click();
    await expect(a.page.getByRole('radio', { name: 'Close friends' })).toHaveAttribute('aria-checked', 'true');
    await shots(a.page, testInfo, 'composer');
    await a.page.getByRole('radio', { name: 'Friends', exact: true }).click();
    await a.page.getByRole('button', { name: 'Share to story' }).click();
    await expect(a.page).toHaveURL(/\/friends$/);
    const mine = await as(a.page.request, a.user)('GET', `/users/${a.user.id}/stories`);
    expect(mine.items.map((s: any) => s.caption)).toEqual(['', 'Golden hour at the pier']);

    // ---- B: the ring in the tray ----
    await b.page.goto('/friends');
    const bubble = b.page.getByRole('button', { name: /Ana Story’s story, new/ });
    await expect(bubble).toBeVisible();
    await expect(bubble).toHaveAttribute('data-seen', 'false');
    await shots(b.page, testInfo, 'tray');

    // ---- B: the viewer ----
    await bubble.click();
    const viewer = b.page.getByTestId('story-viewer');
    await expect(viewer).toHaveAttribute('data-story-id', mine.items[0].id);
    await b.page.clock.pauseAt(new Date(Date.now() + 1000));
    await expect(viewer.locator('.story-viewer__media img')).toBeVisible();
    // Hold to pause.
    const stage = viewer.locator('.story-viewer__stage');
    const box = (await stage.boundingBox())!;
    await b.page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
    await b.page.mouse.down();
    await b.page.clock.runFor(300);
    await expect(viewer).toHaveAttribute('data-paused', 'true');
    await shots(b.page, testInfo, 'viewer');
    await b.page.mouse.up();
    await expect(viewer).toHaveAttribute('data-paused', 'false');
    await expect(viewer).toHaveAttribute('data-story-id', mine.items[0].id);
    // Tap right: the next story (the caption over the picture).
    await stage.click({ position: { x: box.width * 0.85, y: box.height * 0.5 } });
    await expect(viewer).toHaveAttribute('data-story-id', mine.items[1].id);
    await expect(viewer.getByText('Golden hour at the pier')).toBeVisible();
    // Reply (typing pauses the story).
    await viewer.getByLabel('Reply to Ana Story').fill('Love this light!');
    await expect(viewer).toHaveAttribute('data-paused', 'true');
    await viewer.getByRole('button', { name: 'Send' }).click();
    await expect(b.page.getByText('Reply sent to Ana Story')).toBeVisible();
    // Time passes (less than a picture's 5 s): the toast over the reactions goes.
    await b.page.clock.runFor(4500);
    await expect(b.page.getByText('Reply sent to Ana Story')).toBeHidden();
    await expect(viewer).toHaveAttribute('data-story-id', mine.items[1].id);
    await viewer.getByRole('button', { name: 'React 🔥' }).click();
    await expect(b.page.getByText('🔥 sent to Ana Story')).toBeVisible();
    await viewer.getByRole('button', { name: 'Close stories' }).click();
    await b.page.clock.resume();
    // Everything seen: the ring turns grey.
    await b.page.goto('/friends');
    await expect(b.page.getByRole('button', { name: 'Ana Story’s story' })).toHaveAttribute('data-seen', 'true');
    await shots(b.page, testInfo, 'tray-seen');

    // ---- A: the reply in the chat, with the story card ----
    const inbox = await as(a.page.request, a.user)('GET', '/conversations?folder=inbox');
    const chat = inbox.items.find((c: any) => c.kind === 'direct' && c.members.some((m: any) => m.id === b.user.id));
    expect(chat).toBeTruthy();
    await a.page.goto(`/inbox/${chat.id}`);
    await expect(a.page.getByText('Love this light!')).toBeVisible();
    await expect(a.page.locator('[data-testid="share-card"][data-status="available"]').first()).toBeVisible();
    await shots(a.page, testInfo, 'reply-in-chat');

    // ---- A: the viewers list ----
    await a.page.goto(`/stories/${a.user.id}`);
    await expect(a.page.getByTestId('story-viewer')).toHaveAttribute('data-story-id', mine.items[0].id);
    // Paused while the button is found; the open sheet pauses the story itself, so time may run then.
    await a.page.clock.pauseAt(new Date(Date.now() + 1000));
    await a.page.getByTestId('story-viewers-button').click();
    await a.page.clock.resume();
    const sheet = a.page.getByTestId('story-viewers');
    await expect(sheet.getByText('Ben Viewer')).toBeVisible();
    await shots(a.page, testInfo, 'viewers');
    await a.page.clock.pauseAt(new Date(Date.now() + 1000));
    await a.page.keyboard.press('Escape');
    // The second story has B's reaction beside their name.
    await a.page.keyboard.press('ArrowRight');
    await expect(a.page.getByTestId('story-viewer')).toHaveAttribute('data-story-id', mine.items[1].id);
    await a.page.getByTestId('story-viewers-button').click();
    await a.page.clock.resume();
    await expect(a.page.getByTestId('story-viewers').getByRole('img', { name: 'Reacted 🔥' })).toBeVisible();

    // ---- desktop Home: the tray beside the feed ----
    if (testInfo.project.name === 'desktop') {
      await b.page.setViewportSize({ width: 1440, height: 900 });
      await b.page.goto('/');
      await expect(b.page.locator('.story-side').getByRole('button', { name: 'Ana Story’s story' })).toBeVisible();
      await shots(b.page, testInfo, 'home-tray');
    }
  });
});
