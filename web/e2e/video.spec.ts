import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { screenshot, signUpViaApi, signUpWith } from './helpers.ts';

// Issue 5, acceptance 6: at phone size — sign in, upload a clip with a caption, watch the
// progress, swipe the feed, like, comment, open the profile grid. Screenshots of each screen.

function makeClip(name: string, hue: number): string {
  const file = path.join(os.tmpdir(), `loop-e2e-${process.pid}-${name}.mp4`);
  if (!fs.existsSync(file))
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=240x426:rate=15:duration=3,hue=h=${hue}`,
      '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', file,
    ]);
  return file;
}

test('upload with progress, then swipe, like, comment and open the profile grid', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  await signUpViaApi(page);

  // Create: pick the file, write a caption, post; the upload bar, then processing progress.
  // Progress must come over the WebSocket (`video.progress` frames), not from polling: every
  // read of the clip (GET /videos/:id) is held back until the screen says it is playable, so a
  // screen that polled would never get there.
  const held: Array<() => Promise<void>> = [];
  let holding = true;
  await page.route(/\/api\/v1\/videos\/\d+$/, async (route) => {
    if (route.request().method() !== 'GET' || !holding) return route.continue();
    held.push(() => route.continue().catch(() => {})); // the page may have given up on it meanwhile
  });
  const progressFrames: Array<{ status: string; progress: number }> = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const f = JSON.parse(String(payload));
      if (f.type === 'video.progress') progressFrames.push(f);
    }),
  );
  await page.goto('/create');
  await page.locator('input[type=file]').setInputFiles(makeClip('a', 0));
  await page.getByLabel('Caption').fill('First light over the river #sunrise');
  await page.getByRole('button', { name: 'Post' }).click();
  const status = page.getByTestId('processing-status');
  await expect(status).toBeVisible({ timeout: 60_000 });
  await screenshot(page, testInfo, 'video-create-processing');
  await expect(status).toHaveText(/Ready|Playable/, { timeout: 90_000 });
  expect(progressFrames.length).toBeGreaterThan(0);
  // The poster and the playlist come with a read of the clip once it is ready: let reads through.
  holding = false;
  for (const release of held.splice(0)) await release();
  await expect(page.locator('.create__poster')).toBeVisible();
  await screenshot(page, testInfo, 'video-create-ready');
  await page.unroute(/\/api\/v1\/videos\/\d+$/);

  // A second clip by someone else, through the API (multipart), so there is something to swipe
  // to (For You never shows two clips of one author in a row).
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await signUpWith(other.request, null);
  const second = await other.request.post('/api/v1/videos', {
    headers: { origin: new URL(page.url()).origin },
    multipart: { caption: 'Second take', file: { name: 'b.mp4', mimeType: 'video/mp4', buffer: fs.readFileSync(makeClip('b', 140)) } },
  });
  expect(second.status(), await second.text()).toBe(202);
  await otherContext.close();

  // Another person opens Home (For You) on their phone.
  const viewerContext = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const viewer = await viewerContext.newPage();
  await signUpWith(viewer.request, null);
  // Wait until both clips are playable. Other specs share this server and may add clips of
  // their own to For You, so count at least ours.
  await expect
    .poll(async () => (await (await viewer.request.get('/api/v1/feed/for-you')).json()).items.length, { timeout: 90_000 })
    .toBeGreaterThanOrEqual(2);
  await viewer.goto('/');
  const clips = viewer.locator('article.clip');
  await expect.poll(() => clips.count()).toBeGreaterThanOrEqual(2);
  const first = viewer.locator('article.clip[data-active="true"]');
  await expect(first).toBeVisible();
  // It plays (muted until the first tap).
  await expect.poll(() => first.locator('video').evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(viewer.getByText('Tap for sound')).toBeVisible();
  await screenshot(viewer, testInfo, 'video-feed');

  // Swipe to the next clip (keyboard j = the same scroll a swipe does) and back.
  const firstId = await first.getAttribute('data-video-id');
  await viewer.keyboard.press('j');
  await expect(viewer.locator('article.clip[data-active="true"]')).not.toHaveAttribute('data-video-id', firstId!);
  await viewer.keyboard.press('k');
  await expect(viewer.locator('article.clip[data-active="true"]')).toHaveAttribute('data-video-id', firstId!);

  // Like.
  const active = viewer.locator('article.clip[data-active="true"]');
  await active.getByRole('button', { name: 'Like' }).click();
  await expect(active.getByRole('button', { name: 'Unlike' })).toHaveAttribute('aria-pressed', 'true');
  await expect(active.getByTestId('like-count')).toHaveText('1');

  // Save, and it stays saved on the server.
  await active.getByRole('button', { name: 'Save' }).click();
  await expect(active.getByRole('button', { name: 'Remove from saved' })).toHaveAttribute('aria-pressed', 'true');
  const savedId = await active.getAttribute('data-video-id');
  await expect.poll(async () => (await (await viewer.request.get(`/api/v1/videos/${savedId}`)).json()).video.viewer.saved).toBe(true);

  // Comment in the sheet.
  await active.getByRole('button', { name: 'Comments' }).click();
  await viewer.getByLabel('Add a comment').fill('This is lovely 🌅');
  await viewer.getByRole('button', { name: 'Post' }).click();
  await expect(viewer.getByText('This is lovely 🌅')).toBeVisible();
  await screenshot(viewer, testInfo, 'video-comments');
  await viewer.keyboard.press('Escape');

  // The server agrees.
  const video = (await (await viewer.request.get(`/api/v1/videos/${firstId}`)).json()).video;
  expect(video.counts).toMatchObject({ likes: 1, comments: 1 });

  // Open the author's profile from the clip: the grid shows their clip.
  const authorName = (await active.locator('.clip__author').textContent())!.slice(1);
  await active.locator('.clip__author').click();
  await expect(viewer).toHaveURL(new RegExp(`/u/${authorName}`));
  await expect(viewer.locator('.grid__cell')).toHaveCount(1);
  await expect(viewer.locator('.grid__cell img')).toBeVisible();
  await screenshot(viewer, testInfo, 'video-profile-grid');
  await viewerContext.close();
});
