import { expect, test } from '@playwright/test';
import { PASSWORD, screenshot, signUpViaApi, signUpWith, uploadReadyClip } from './helpers.ts';

// Issue 11 acceptance 7 (Lighthouse on Home signed in): a signed-in `/` arrives with its first
// screen (server/src/app/first-screen.ts): `/me` and For You's first page in a JSON data block,
// the first clip's poster drawn before the app boots. The app takes those answers once instead
// of asking, runs no inline script (CSP), and asks the server again after that.

test('signed-in Home paints the first poster from the HTML and takes /me and the feed from the page, once', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const authorContext = await browser.newContext();
  const author = await signUpWith(authorContext.request, null);
  const caption = `first screen ${author.username}`;
  await uploadReadyClip(authorContext.request, author, caption);
  await authorContext.close();

  const viewer = await signUpViaApi(page);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  const asked: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    // A page after a cursor is not the first page: For You re-ranks what lies ahead as the clip plays
    // to its end (web/src/features/video/feed-paging.ts), and these clips are short.
    if (url.pathname.startsWith('/api/v1/') && !url.pathname.startsWith('/api/v1/media/') && !url.searchParams.has('cursor')) asked.push(url.pathname);
  });

  // The HTML alone: the poster is drawn where the player will be, the data is a block that is not run.
  // (This very document's: other specs post clips on the same server, so another request's first clip may differ.)
  const html = await (await page.goto('/'))!.text();
  const poster = html.match(/<div class="first-poster"><img src="([^"]+)"/)?.[1];
  expect(poster).toMatch(/\/poster\.jpg$/);
  expect(html).toContain('<script type="application/json" id="loop-first-screen">');

  const card = page.locator('article.clip').first();
  await expect(card).toBeVisible();
  await expect(card.locator('video')).toHaveAttribute('poster', poster!);
  await expect(page.getByRole('navigation', { name: 'Feeds' })).toBeVisible();
  await screenshot(page, testInfo, 'first-screen-home');
  // Taken from the page: neither /me nor For You was asked for (lives on air, for the LIVE rings, are), and the block is gone from the DOM.
  expect(asked.filter((p) => p === '/api/v1/me' || p === '/api/v1/feed/for-you')).toEqual([]);
  expect(await page.evaluate(() => document.getElementById('loop-first-screen'))).toBeNull();
  expect(problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);

  // Once: after logging out and back in (no new page), the feed is asked of the server.
  await page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name: 'Profile' }).click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/welcome$/);
  asked.length = 0;
  await page.getByRole('link', { name: 'Log in' }).click();
  await page.getByLabel('Username').fill(viewer.username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('article.clip').first()).toBeVisible();
  expect(asked).toContain('/api/v1/feed/for-you');
});
