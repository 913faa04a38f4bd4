import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, expect, type Page, type TestInfo, test } from '@playwright/test';
import { screenProblems, screenshot, signUpWith } from './helpers.ts';

// Watch together in a chat (issue 14, acceptance 5 and 6): two people in a direct chat start
// watching a shared clip; after play, pause and seek both <video> elements show the same moment
// (a correctness check with a tolerance, not a timing threshold). Screenshots at phone and desktop
// size, light and dark.

/** A 20-second clip (long enough to seek in), made once per process. */
let longClip: string | null = null;
function clip20s(): string {
  if (longClip) return longClip;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loop-e2e-watch-')), 'clip.mp4');
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=288x512:rate=15:duration=20', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out]);
  longClip = out;
  return out;
}

async function person(browser: Browser, testInfo: TestInfo, name: string) {
  const use = testInfo.project.use;
  const origin = String(use.baseURL);
  const ctx = await browser.newContext({ baseURL: origin, viewport: use.viewport, deviceScaleFactor: use.deviceScaleFactor, isMobile: use.isMobile, hasTouch: use.hasTouch });
  const page = await ctx.newPage();
  // Signed up with the context's own requests: the session cookie is the page's; the token sets the scene up.
  const user = await signUpWith(ctx.request, null, { displayName: name });
  return { ctx, page, user, origin };
}

/** Where a page's video is, extrapolated to one shared instant (both pages run on this machine's clock). */
async function videoAt(page: Page) {
  return page.getByTestId('watch-video').evaluate((v: HTMLVideoElement) => ({
    t: performance.timeOrigin + performance.now(),
    pos: v.currentTime,
    paused: v.paused,
    rate: v.playbackRate,
    ready: v.readyState,
  }));
}

/** The difference in seconds between the two videos at the same instant (NaN until both have data). */
async function gap(a: Page, b: Page): Promise<number> {
  const [x, y] = await Promise.all([videoAt(a), videoAt(b)]);
  if (x.ready < 2 || y.ready < 2) return Number.NaN;
  const T = Math.max(x.t, y.t);
  const at = (v: typeof x) => v.pos + (v.paused ? 0 : ((T - v.t) / 1000) * v.rate);
  return Math.abs(at(x) - at(y));
}

test('two people watch a shared clip together: same moment after play, pause and seek', async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const a = await person(browser, testInfo, 'Ana');
  const b = await person(browser, testInfo, 'Ben');
  const asA = { authorization: `Bearer ${a.user.token}` };
  const asB = { authorization: `Bearer ${b.user.token}` };
  await a.ctx.request.put(`/api/v1/users/${b.user.id}/follow`, { headers: asA });
  await b.ctx.request.put(`/api/v1/users/${a.user.id}/follow`, { headers: asB });
  const conversation = (await (await a.ctx.request.post('/api/v1/conversations', { data: { memberIds: [b.user.id] }, headers: asA })).json()).conversation as { id: string };
  const up = await a.ctx.request.post('/api/v1/videos', {
    headers: asA,
    multipart: { caption: 'Sunset run', visibility: 'public', file: { name: 'clip.mp4', mimeType: 'video/mp4', buffer: fs.readFileSync(clip20s()) } },
  });
  expect(up.status(), await up.text()).toBe(202);
  const videoId = (await up.json()).video.id as string;
  await expect.poll(async () => (await (await a.ctx.request.get(`/api/v1/videos/${videoId}`, { headers: asA })).json()).video.progress, { timeout: 120_000, intervals: [500] }).toBe(100);
  const shared = await a.ctx.request.post(`/api/v1/videos/${videoId}/shares`, { data: { conversationIds: [conversation.id], clientShareId: `watch-${Date.now()}` }, headers: asA });
  expect(shared.status(), await shared.text()).toBe(200);

  await a.page.goto(`/inbox/${conversation.id}`);
  await b.page.goto(`/inbox/${conversation.id}`);

  // Ana starts from the clip card; Ben is invited to join.
  await a.page.getByRole('button', { name: 'Watch together' }).click();
  await expect(a.page.getByRole('region', { name: 'Watching together' })).toBeVisible();
  await expect(b.page.getByRole('button', { name: 'Join' })).toBeVisible();
  await screenshot(b.page, testInfo, 'watch-invite');
  await b.page.getByRole('button', { name: 'Join' }).click();
  await expect(b.page.getByRole('list', { name: 'Watching now' }).getByRole('listitem')).toHaveCount(2);
  await expect(a.page.getByRole('list', { name: 'Watching now' }).getByRole('listitem')).toHaveCount(2);

  // Play (Ana): both move, at the same moment.
  await a.page.getByRole('button', { name: 'Play for everyone' }).click();
  await expect.poll(async () => (await videoAt(b.page)).pos, { timeout: 30_000 }).toBeGreaterThan(1.5);
  await expect.poll(() => gap(a.page, b.page), { timeout: 20_000 }).toBeLessThan(0.25);
  expect((await videoAt(a.page)).paused).toBe(false);
  expect((await videoAt(b.page)).paused).toBe(false);

  // Pause (Ben): both stop on the same frame.
  await b.page.getByRole('button', { name: 'Pause for everyone' }).click();
  await expect.poll(async () => (await videoAt(a.page)).paused && (await videoAt(b.page)).paused, { timeout: 20_000 }).toBe(true);
  await expect.poll(() => gap(a.page, b.page), { timeout: 20_000 }).toBeLessThan(0.1);

  // Seek (Ana) to 12 s while paused: both there.
  await a.page.getByRole('slider', { name: 'Seek for everyone' }).evaluate((el: HTMLInputElement) => {
    const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    set.call(el, '12000');
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new PointerEvent('pointerup', { bubbles: true }));
  });
  for (const p of [a.page, b.page]) await expect.poll(async () => (await videoAt(p)).pos, { timeout: 20_000 }).toBeCloseTo(12, 0);
  await expect.poll(() => gap(a.page, b.page), { timeout: 20_000 }).toBeLessThan(0.1);

  // Play again (Ben), a reaction floats; then the screenshots.
  await b.page.getByRole('button', { name: 'Play for everyone' }).click();
  await expect.poll(async () => (await videoAt(a.page)).pos, { timeout: 20_000 }).toBeGreaterThan(12.5);
  await expect.poll(() => gap(a.page, b.page), { timeout: 20_000 }).toBeLessThan(0.25);
  // A float lives 2.6 s: counted as it appears (a loaded machine may deliver it between two looks).
  await a.page.evaluate(() => {
    const w = window as unknown as { floatsSeen: number };
    w.floatsSeen = 0;
    new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) if (n instanceof HTMLElement && n.matches('.watch-float')) w.floatsSeen++;
    }).observe(document.body, { childList: true, subtree: true });
  });
  await b.page.getByRole('button', { name: 'Send ❤️' }).click();
  await expect.poll(() => a.page.evaluate(() => (window as unknown as { floatsSeen: number }).floatsSeen), { timeout: 20_000 }).toBe(1);
  await a.page.getByRole('button', { name: 'Pause for everyone' }).click();
  await expect.poll(async () => (await videoAt(b.page)).paused, { timeout: 20_000 }).toBe(true);

  for (const scheme of ['light', 'dark'] as const) {
    await a.page.emulateMedia({ colorScheme: scheme });
    await b.page.emulateMedia({ colorScheme: scheme });
    await screenshot(a.page, testInfo, `watch-together-${scheme}`);
    await screenshot(b.page, testInfo, `watch-together-joined-${scheme}`);
    expect(await screenProblems(a.page, `watch together (${scheme})`)).toEqual([]);
  }

  // Ending it closes it for both.
  await a.page.getByRole('button', { name: 'End for all' }).click();
  await expect(b.page.getByText('Nobody is watching right now')).toBeVisible();
  await a.ctx.close();
  await b.ctx.close();
});
