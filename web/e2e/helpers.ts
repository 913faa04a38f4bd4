import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type APIRequestContext, type Browser, type Page, expect, type TestInfo } from '@playwright/test';

/**
 * Helpers shared by every e2e spec. Sign-up through the API is fast and sets the session
 * cookie on the page's context, so a spec can start signed in on the screen it tests.
 */

/** A username no other test (or earlier run) has: 3–24 of [a-z0-9_.]. */
export function uniqueUsername(prefix = 'u'): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9_.]/g, '').slice(0, 10)}_${randomBytes(5).toString('hex')}`;
}

/** A password the server's common-password check accepts. */
export const PASSWORD = 'violet-harbour-41';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  displayName: string;
  token: string;
}

/**
 * Signs up through the API with the page's request context: the session cookie lands in the
 * page's browser context, so the next `page.goto` is signed in. Same-origin Origin header,
 * as a browser would send.
 */
export async function signUpViaApi(
  page: Page,
  opts: { username?: string; displayName?: string; password?: string; birthdate?: string } = {},
): Promise<TestUser> {
  return signUpWith(page.request, page, opts);
}

/** As signUpViaApi, with any request context (a second browser context for a second user). */
export async function signUpWith(
  request: APIRequestContext,
  page: Page | null,
  opts: { username?: string; displayName?: string; password?: string; birthdate?: string } = {},
): Promise<TestUser> {
  const username = opts.username ?? uniqueUsername();
  const password = opts.password ?? PASSWORD;
  const displayName = opts.displayName ?? `Test ${username.slice(-4)}`;
  const origin = baseUrlOf(page);
  const res = await request.post('/api/v1/auth/signup', {
    data: { username, password, displayName, ...(opts.birthdate ? { birthdate: opts.birthdate } : {}) },
    headers: origin ? { origin } : {},
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { user: { id: string }; token: string };
  return { id: body.user.id, username, password, displayName, token: body.token };
}

/** A new person on a phone-sized page of the server at `origin` (signed up through the API there). */
export async function phonePerson(browser: Browser, origin: string, name: string) {
  const ctx = await browser.newContext({ baseURL: origin, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const res = await ctx.request.post('/api/v1/auth/signup', { data: { username: uniqueUsername(), password: PASSWORD, displayName: name }, headers: { origin } });
  expect(res.status(), await res.text()).toBe(201);
  const user = (await res.json()).user as { id: string };
  return { ctx, page, user };
}

/** Two people on phones who follow each other (friends), and the direct conversation between them. */
export async function friendsWithChat(browser: Browser, origin: string) {
  const a = await phonePerson(browser, origin, 'Ana');
  const b = await phonePerson(browser, origin, 'Ben');
  for (const [from, to] of [
    [a, b],
    [b, a],
  ] as const) {
    expect((await from.ctx.request.put(`/api/v1/users/${to.user.id}/follow`, { headers: { origin } })).status()).toBeLessThan(300);
  }
  const created = await a.ctx.request.post('/api/v1/conversations', { data: { memberIds: [b.user.id] }, headers: { origin } });
  expect(created.status(), await created.text()).toBeLessThan(300);
  const { conversation } = (await created.json()) as { conversation: { id: string } };
  return { a, b, conversation };
}

/** Logs in through the API with the page's context: the session cookie lands in its browser. */
export async function logIn(page: Page, user: Pick<TestUser, 'username' | 'password'>) {
  const res = await page.request.post('/api/v1/auth/login', { data: { username: user.username, password: user.password }, headers: { origin: baseUrlOf(page) ?? '' } });
  expect(res.status(), await res.text()).toBe(200);
}

/**
 * API calls as `user` (their bearer token: no cookie, so no Origin rules), for setting a scene
 * up: `const ana = as(request, user); await ana('PUT', '/users/1/follow')`. Fails on any error.
 */
export function as(request: APIRequestContext, user: Pick<TestUser, 'token'>) {
  return async (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, data?: unknown): Promise<any> => {
    const res = await request.fetch(`/api/v1${path}`, { method, data, headers: { authorization: `Bearer ${user.token}` } });
    expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
    return res.status() === 204 ? undefined : res.json();
  };
}

let clipPath: string | null = null;
/** A 2-second test clip made with ffmpeg (once per process). */
export function clipFile(): string {
  if (clipPath) return clipPath;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'loop-e2e-clip-')), 'clip.mp4');
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=288x512:rate=15:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', out]);
  clipPath = out;
  return out;
}

/** Posts a clip as `user` (the 2-second test clip unless `file` says another) and waits until every rendition is ready; returns its id. */
export async function uploadReadyClip(
  request: APIRequestContext,
  user: Pick<TestUser, 'token'>,
  caption: string,
  visibility: 'public' | 'friends' | 'private' = 'public',
  file = clipFile(),
): Promise<string> {
  const headers = { authorization: `Bearer ${user.token}` };
  const res = await request.post('/api/v1/videos', {
    headers,
    multipart: { caption, visibility, file: { name: 'clip.mp4', mimeType: 'video/mp4', buffer: fs.readFileSync(file) } },
  });
  expect(res.status(), await res.text()).toBe(202);
  const id = (await res.json()).video.id as string;
  await expect.poll(async () => (await (await request.get(`/api/v1/videos/${id}`, { headers })).json()).video.progress, { timeout: 90_000, intervals: [300] }).toBe(100);
  return id;
}

function baseUrlOf(page: Page | null): string | null {
  const env = process.env.LOOP_E2E_PORT;
  if (env) return `http://127.0.0.1:${env}`;
  const url = page?.url();
  return url?.startsWith('http') ? new URL(url).origin : null;
}

const SHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

/**
 * Saves a screenshot of what the person sees (the viewport; `fullPage` for long screens) as test-results/screenshots/<project>-<name>.png (CI keeps
 * test-results). Waits for fonts and animations to settle so shots are comparable.
 */
export async function screenshot(page: Page, testInfo: TestInfo, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  fs.mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${testInfo.project.name}-${name}.png`);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? false, animations: 'disabled', caret: 'hide' });
  return file;
}

/**
 * Waits (at most 2 s) for the finite CSS animations on the page to end: a sheet that is still
 * rising is scaled, and its buttons would measure a fraction of a pixel under their real size.
 */
async function animationsSettled(page: Page): Promise<void> {
  // Polled from here, not with timers in the page: tests may have paused the page's clock.
  for (let i = 0; i < 20; i++) {
    const running = await page.evaluate(() => document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity).length);
    if (running === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Every visible control has an accessible name (approximated: aria-label, aria-labelledby,
 * a <label>, or its text), and every button-like control is at least 44×44 px (UI.md).
 * Returns the offenders so the assertion message names them.
 */
export async function controlProblems(page: Page): Promise<string[]> {
  await animationsSettled(page);
  return page.evaluate(() => {
    const problems: string[] = [];
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('[aria-hidden="true"], [hidden]');
    };
    const nameOf = (el: Element) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    for (const el of Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]), select, textarea'))) {
      if (!visible(el) || (el as HTMLElement).hidden) continue;
      const labelledBy = el.getAttribute('aria-labelledby');
      const id = el.getAttribute('id');
      const named =
        Boolean(el.getAttribute('aria-label')?.trim()) ||
        Boolean(labelledBy && document.getElementById(labelledBy)?.textContent?.trim()) ||
        Boolean(id && document.querySelector(`label[for="${CSS.escape(id)}"]`)?.textContent?.trim()) ||
        Boolean(el.closest('label')?.textContent?.trim()) ||
        Boolean(el.textContent?.trim()) ||
        Boolean(el.getAttribute('title')?.trim());
      if (!named) problems.push(`unlabelled ${nameOf(el)}`);
    }
    for (const el of Array.from(document.querySelectorAll('button, .btn, .tab, .sidenav__link'))) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 44 || r.height < 44) problems.push(`small target ${Math.round(r.width)}×${Math.round(r.height)} ${nameOf(el)}`);
    }
    return problems;
  });
}

/** U+202E RIGHT-TO-LEFT OVERRIDE: put it in names and captions to prove they are bidi-isolated. */
export const RLO = '\u202E';

/** A word of `n` letters with no break opportunity, to prove long people's text wraps. */
export const longWord = (n: number, letter = 'W') => letter.repeat(n);

/**
 * Every `var(--x)` that applies to something on the page must resolve. Walks the stylesheets'
 * rules (inside @media blocks that match now), finds the elements each rule with a `var()`
 * applies to (ignoring states like :hover, and pseudo-elements, which belong to their element),
 * and checks that the element has a value for the property; inline styles too. A custom property
 * that resolves to nothing makes the browser fall back silently (issue 11: white-on-grey bubbles
 * in dark mode), so each one is a failure: `selector → --name`.
 */
export async function undefinedCustomProperties(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems = new Set<string>();
    const uses = (text: string) => [...text.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]!);
    const check = (el: Element, names: string[], where: string) => {
      const style = getComputedStyle(el);
      for (const name of names) if (style.getPropertyValue(name).trim() === '') problems.add(`${where} → ${name}`);
    };
    // States and pseudo-elements do not change which custom properties an element inherits.
    const reachable = (selector: string) =>
      selector
        .replace(/::?(before|after|backdrop|placeholder|marker|selection|-webkit-[\w-]+)\b/g, '')
        .replace(/:(hover|active|focus-visible|focus-within|focus|visited|checked|disabled|invalid|empty)\b/g, '')
        .trim() || '*';
    const walk = (rules: CSSRuleList) => {
      for (const rule of Array.from(rules)) {
        if (rule instanceof CSSMediaRule) {
          if (matchMedia(rule.conditionText).matches) walk(rule.cssRules);
        } else if (rule instanceof CSSSupportsRule) {
          walk(rule.cssRules);
        } else if (rule instanceof CSSStyleRule) {
          const names = uses(rule.style.cssText);
          if (!names.length) continue;
          for (const part of rule.selectorText.split(',')) {
            let elements: Element[] = [];
            try {
              elements = Array.from(document.querySelectorAll(reachable(part)));
            } catch {
              continue; // a selector this engine cannot query (vendor pseudo-classes)
            }
            for (const el of elements) check(el, names, part.trim());
          }
        }
      }
    };
    for (const sheet of Array.from(document.styleSheets)) {
      try {
        walk(sheet.cssRules);
      } catch {
        // a cross-origin sheet (none in Loop)
      }
    }
    for (const el of Array.from(document.querySelectorAll('[style*="var("]'))) check(el, uses(el.getAttribute('style') ?? ''), `${el.tagName.toLowerCase()}[style]`);
    return [...problems];
  });
}

/**
 * The page is no wider than the window, and no inner scroller has to scroll sideways (long
 * unbroken words wrap). Returns what overflows, by how much.
 */
export async function horizontalOverflow(page: Page): Promise<string[]> {
  // The window's real width: a phone browser zooms out to fit a page that is too wide, and then
  // innerWidth grows with the page, hiding the very overflow looked for.
  const width = page.viewportSize()?.width ?? 0;
  return page.evaluate((width) => {
    const problems: string[] = [];
    const doc = document.scrollingElement!;
    if (doc.scrollWidth > width) problems.push(`page is ${doc.scrollWidth}px wide in a ${width}px window`);
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const style = getComputedStyle(el);
      if (!['auto', 'scroll'].includes(style.overflowX) || el.clientWidth === 0) continue;
      // A row built to scroll sideways (it snaps along x: the stories tray, Discover's clip rows) is meant to.
      if (style.scrollSnapType.startsWith('x')) continue;
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`${el.tagName.toLowerCase()}.${String(el.className).split(' ').join('.')} scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`);
    }
    return problems;
  }, width);
}

/**
 * People's text with a direction override (U+202E) in it renders inside an isolating element —
 * `<bdi>` or `unicode-bidi: isolate | plaintext` — that holds only that person's text (a leading
 * "@" allowed), so the override cannot reorder anything around it. `values` are the texts the
 * test planted. Returns each text shown without isolation.
 */
export async function bidiProblems(page: Page, values: string[]): Promise<string[]> {
  return page.evaluate(
    ({ values, rlo }) => {
      const problems: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.nodeValue?.includes(rlo)) continue;
        const parent = node.parentElement;
        if (!parent || parent.closest('textarea, input, script, style, option')) continue;
        let isolate: Element | null = parent;
        while (isolate && isolate.tagName !== 'BDI' && !['isolate', 'plaintext', 'isolate-override'].includes(getComputedStyle(isolate).unicodeBidi)) isolate = isolate.parentElement;
        const shown = node.nodeValue.slice(0, 40);
        if (!isolate) {
          problems.push(`not isolated: "${shown}" in <${parent.tagName.toLowerCase()} class="${parent.className}">`);
          continue;
        }
        const inside = (isolate.textContent ?? '').replace(/^@/, '');
        // Whether the isolate holds only one person's text can be judged against the texts the test
        // planted; a spec that planted none (another spec's text may show on a shared server) checks isolation only.
        if (values.length > 0 && !values.some((v) => v.includes(inside))) problems.push(`isolated with other text: "${(isolate.textContent ?? '').slice(0, 60)}"`);
      }
      return problems;
    },
    { values, rlo: '\u202E' },
  );
}

/**
 * The checks every screen of the app passes (issue 11, acceptance 4), for the screen on the page
 * now: no undefined custom property, no sideways overflow, people's text isolated (`spoofs`: the
 * texts with U+202E the test planted). Returns the problems, each named after the screen.
 */
export async function screenProblems(page: Page, name: string, spoofs: string[] = []): Promise<string[]> {
  const found = [...(await undefinedCustomProperties(page)), ...(await horizontalOverflow(page)), ...(await bidiProblems(page, spoofs))];
  return found.map((p) => `${name}: ${p}`);
}
