import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { screenshot, signUpViaApi, signUpWith } from './helpers.ts';

// Issue 11, acceptance 6 (in the browser): For You never runs dry. With only a few clips on the
// server, Home keeps going past 50 swipes — the clips come round again instead of "Nothing new
// right now". The e2e server has no demo content; this spec posts its own three clips.

function makeClip(hue: number): string {
  const file = path.join(os.tmpdir(), `loop-e2e-endless-${process.pid}-${hue}.mp4`);
  if (!fs.existsSync(file))
    execFileSync('ffmpeg', [
      '-nostdin', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=240x426:rate=15:duration=2,hue=h=${hue}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', file,
    ]);
  return file;
}

test('Home keeps going past 50 swipes when there are only a few clips', { tag: '@phone-only' }, async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000);
  // Three people post a clip each.
  const ids: string[] = [];
  for (const hue of [0, 120, 240]) {
    const context = await browser.newContext();
    const author = await context.newPage();
    await signUpWith(author.request, null);
    const res = await author.request.post('/api/v1/videos', {
      headers: { origin: `http://127.0.0.1:${process.env.LOOP_E2E_PORT}` },
      multipart: { caption: `Round and round ${hue}`, file: { name: 'c.mp4', mimeType: 'video/mp4', buffer: fs.readFileSync(makeClip(hue)) } },
    });
    expect(res.status(), await res.text()).toBe(202);
    ids.push((await res.json()).video.id);
    await context.close();
  }
  await signUpViaApi(page);
  await expect
    .poll(async () => ((await (await page.request.get('/api/v1/feed/for-you?limit=50')).json()).items as Array<{ id: string }>).filter((v) => ids.includes(v.id)).length, {
      timeout: 120_000,
    })
    .toBeGreaterThanOrEqual(3);

  await page.goto('/');
  const active = page.locator('.feed__item:has(article.clip[data-active="true"])');
  await expect(active).toHaveAttribute('data-index', '0');
  const feed = page.getByTestId('feed');
  for (let i = 1; i <= 50; i++) {
    await page.keyboard.press('j');
    await expect(active).toHaveAttribute('data-index', String(i));
    // Swipe again once the clip has settled on screen, as a person does (a swipe mid-scroll snaps back).
    await expect.poll(() => feed.evaluate((el) => el.scrollTop / el.clientHeight)).toBe(i);
  }
  await expect(page.getByText('Nothing new right now')).toHaveCount(0);
  // Clips came round again, each in its own place in the feed.
  const shown = await page.locator('article.clip').evaluateAll((els) => els.map((el) => el.getAttribute('data-video-id')));
  expect(shown.length).toBeGreaterThan(50);
  expect(new Set(shown).size).toBeLessThan(shown.length);
  await screenshot(page, testInfo, 'feed-endless-swipe-50');
});
