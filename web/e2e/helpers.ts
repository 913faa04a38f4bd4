import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type APIRequestContext, type Page, expect, type TestInfo } from '@playwright/test';

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
 * Every visible control has an accessible name (approximated: aria-label, aria-labelledby,
 * a <label>, or its text), and every button-like control is at least 44×44 px (UI.md).
 * Returns the offenders so the assertion message names them.
 */
export async function controlProblems(page: Page): Promise<string[]> {
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
