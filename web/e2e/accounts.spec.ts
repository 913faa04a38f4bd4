import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { PASSWORD, controlProblems, screenshot, signUpViaApi, uniqueUsername } from './helpers.ts';

const REAL_PNG = path.resolve(import.meta.dirname, '../public/icons/icon-512.png');

/** Fails the test on any CSP violation or uncaught error in the page (the server's CSP is strict). */
function watchForPageErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`csp: ${msg.text()}`);
  });
  return problems;
}

test.describe('accounts', () => {
  test('sign up, log out, log in, change the display name and see it on the profile', { tag: '@phone-only' }, async ({ page }) => {
    const username = uniqueUsername('flow');
    await page.goto('/');
    // Signed out: `/` is the welcome screen (the server sends it as static HTML: web/build-output.ts).
    await expect(page.getByRole('heading', { name: 'Loop', level: 1 })).toBeVisible();
    await page.getByRole('link', { name: 'Create account' }).click();

    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();

    // A new account lands on its own profile.
    await expect(page).toHaveURL(/\/profile$/);
    const profile = page.getByRole('region', { name: 'Profile' });
    await expect(profile.getByRole('heading', { name: username, exact: true })).toBeVisible();
    await expect(profile.getByText(`@${username}`, { exact: true })).toBeVisible();

    // Log out from settings.
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/welcome$/);
    // The session is really gone on the server.
    expect((await page.request.get('/api/v1/me')).status()).toBe(401);

    // Log back in.
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole('navigation', { name: 'Feeds' })).toBeVisible();

    // Change the display name.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('link', { name: 'Edit profile' }).click();
    const name = page.getByLabel('Display name');
    await name.fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(profile.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();

    // It was saved, not only shown: a reload asks the server again.
    await page.reload();
    await expect(profile.getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
    const stored = await (await page.request.get(`/api/v1/users/${username}`)).json();
    expect(stored.user.displayName).toBe('Ada Lovelace');
  });

  test('a wrong password is refused with a message, and nobody is signed in', { tag: '@phone-only' }, async ({ browser, page }) => {
    // The account exists (created in another context so this page stays signed out).
    const other = await browser.newContext();
    const owner = await signUpViaApi(await other.newPage());
    await other.close();

    await page.goto('/login');
    await page.getByLabel('Username').fill(owner.username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toContainText('Wrong username or password');
    await expect(page).toHaveURL(/\/login$/);
    expect((await page.request.get('/api/v1/me')).status()).toBe(401);
  });

  test('sign-up errors from the server land on the right field', { tag: '@phone-only' }, async ({ browser, page }) => {
    const other = await browser.newContext();
    const taken = await signUpViaApi(await other.newPage());
    await other.close();

    await page.goto('/signup');
    // Usernames are case-insensitive: the server answers 409 for the upper-case form too.
    await page.getByLabel('Username').fill(taken.username.toUpperCase());
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    const usernameField = page.getByLabel('Username');
    await expect(usernameField).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('That username is already taken.')).toBeVisible();

    // A common password is refused on the password field.
    await usernameField.fill(uniqueUsername('pw'));
    await page.getByLabel('Password', { exact: true }).fill('password123');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/signup$/);

    // Under 13: the server refuses, and says so on the birthday field.
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByText('Add your name and birthday (optional)').click();
    const lastYear = new Date().getFullYear() - 1;
    await page.getByLabel(/Birthday/).fill(`${lastYear}-01-15`);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel(/Birthday/)).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(/at least 13/)).toBeVisible();
    await expect(page).toHaveURL(/\/signup$/);
  });

  test('settings changes persist after a reload', { tag: '@phone-only' }, async ({ page }) => {
    await signUpViaApi(page);
    await page.goto('/settings');
    const privateAccount = page.getByRole('switch', { name: /Private account/ });
    const contacts = page.getByRole('switch', { name: /Let contacts find me/ });
    await expect(privateAccount).not.toBeChecked();
    const discoverableBefore = await contacts.isChecked();

    // Wait for each PATCH so the reload sees what the server stored.
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/me/settings') && r.ok()), privateAccount.click()]);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/me/settings') && r.ok()), contacts.click()]);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/me/settings') && r.ok()), page.getByRole('radio', { name: /No one/ }).click()]);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/me/settings') && r.ok()), page.getByLabel(/^Region/).selectOption('FR')]);

    await page.reload();
    await expect(page.getByRole('switch', { name: /Private account/ })).toBeChecked();
    await expect(page.getByRole('switch', { name: /Let contacts find me/ })).toBeChecked({ checked: !discoverableBefore });
    await expect(page.getByRole('radio', { name: /No one/ })).toBeChecked();
    await expect(page.getByLabel(/^Region/)).toHaveValue('FR');

    const me = await (await page.request.get('/api/v1/me')).json();
    expect(me.settings).toMatchObject({ privateAccount: true, dmPolicy: 'nobody', discoverableByContacts: !discoverableBefore, region: 'FR' });
  });

  test('avatar upload: a real image shows, a fake one is refused with a message', { tag: '@phone-only' }, async ({ page }) => {
    const problems = watchForPageErrors(page);
    await signUpViaApi(page);
    await page.goto('/profile/edit');
    await expect(page.getByRole('button', { name: 'Add photo' })).toBeVisible();

    // A .png that is really text: the server reads the bytes and answers 422.
    await page.getByTestId('avatar-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('this is not an image at all') });
    await expect(page.getByRole('alert')).toContainText('isn’t an image');

    // Over 5 MB: refused before uploading, with the same words the server's 413 gets.
    await page.getByTestId('avatar-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(6 * 1024 * 1024, 1) });
    await expect(page.getByRole('alert')).toContainText('larger than 5 MB');

    await page.getByTestId('avatar-input').setInputFiles(REAL_PNG);
    await expect(page.getByRole('status').filter({ hasText: 'Profile photo updated' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Change photo' })).toBeVisible();
    // The avatar is the server's re-encoded copy, served from /media and loaded under the CSP.
    const img = page.getByRole('img', { name: /avatar/ }).locator('img');
    await expect(img).toHaveAttribute('src', /\/media\//);
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  test('search finds people by prefix as you type and opens their profile', { tag: '@phone-only' }, async ({ browser, page }) => {
    const prefix = `s${Date.now().toString(36).slice(-5)}`;
    const other = await browser.newContext();
    const bob = await signUpViaApi(await other.newPage(), { username: uniqueUsername(`${prefix}b`), displayName: 'Bob Builder' });
    await other.close();
    await signUpViaApi(page);
    await page.goto('/search');
    await expect(page.getByRole('heading', { name: 'Find people on Loop' })).toBeVisible();
    await page.getByRole('searchbox', { name: /Search people/ }).fill(prefix);
    const row = page.getByRole('link', { name: /Bob Builder/ });
    await expect(row).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`q=${prefix}`));
    await page.getByRole('searchbox', { name: /Search people/ }).fill(`${prefix}zzzz`);
    await expect(page.getByRole('heading', { name: 'No one found' })).toBeVisible();
    await page.getByRole('searchbox', { name: /Search people/ }).fill(prefix);
    await row.click();
    await expect(page).toHaveURL(`/u/${bob.username}`);
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Bob Builder' })).toBeVisible();
  });

  test('screenshot tour of every accounts screen', async ({ browser, page }, testInfo) => {
    // Twenty-odd screens in one test: allow for a loaded machine.
    test.setTimeout(300_000);
    const problems = watchForPageErrors(page);
    // Each screen is photographed, and its controls checked: labelled, and at least 44 px.
    const shoot = async (name: string) => {
      await screenshot(page, testInfo, name);
      problems.push(...(await controlProblems(page)).map((p) => `${name}: ${p}`));
    };
    const prefix = `t${Date.now().toString(36).slice(-5)}`;

    // Signed out.
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Create account' })).toBeVisible();
    await shoot('01-welcome');

    await page.goto('/signup');
    await page.getByLabel('Username').fill('Ab');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
    await shoot('02-signup-errors');

    await page.goto('/login');
    await page.getByLabel('Username').fill('nobody_here');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await shoot('03-login-error');

    // Someone else, with a photo and a bio.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const mia = await signUpViaApi(otherPage, { username: uniqueUsername(`${prefix}mia`), displayName: 'Mia Okafor' });
    const origin = new URL(page.url()).origin;
    await otherPage.request.patch('/api/v1/me', { data: { bio: 'Climbing, film cameras and very strong coffee ☕️\nLisbon → Berlin' }, headers: { origin } });
    const upload = await otherPage.request.put('/api/v1/me/avatar', {
      multipart: { file: { name: 'mia.png', mimeType: 'image/png', buffer: fs.readFileSync(REAL_PNG) } },
      headers: { origin },
    });
    expect(upload.status()).toBe(200);
    await other.close();

    // A shared profile link, opened signed out: the profile, and an invitation in.
    await page.goto(`/@${mia.username}`);
    await expect(page.getByRole('complementary', { name: 'Join Loop' })).toBeVisible();
    await shoot('03b-profile-signed-out');
    await page.getByRole('complementary', { name: 'Join Loop' }).getByRole('link', { name: 'Log in' }).click();
    await expect(page).toHaveURL(new RegExp(`/login\\?next=%2F%40${mia.username}$`));

    // Signed in.
    const me = await signUpViaApi(page, { username: uniqueUsername(`${prefix}ada`), displayName: 'Ada Lovelace' });
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
    await shoot('04-profile-own');

    await page.getByRole('link', { name: 'Edit profile' }).click();
    await page.getByLabel('Bio').fill('Writing the first program, one loop at a time.');
    await shoot('05-edit-profile');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Writing the first program')).toBeVisible();
    await shoot('06-profile-own-with-bio');

    await page.goto('/settings');
    await expect(page.getByRole('switch', { name: /Private account/ })).toBeVisible();
    await shoot('07-settings');
    await page.getByRole('button', { name: 'Log out' }).scrollIntoViewIfNeeded();
    await shoot('07b-settings-bottom');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await shoot('08-logout-sheet');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();

    await page.goto('/search');
    await shoot('09-search-empty');
    await page.getByRole('searchbox', { name: /Search people/ }).fill(prefix);
    await expect(page.getByRole('link', { name: /Mia Okafor/ })).toBeVisible();
    await shoot('10-search-results');

    await page.getByRole('link', { name: /Mia Okafor/ }).click();
    await expect(page.getByRole('region', { name: 'Profile' }).getByText('Climbing, film cameras')).toBeVisible();
    await expect.poll(() => page.getByRole('region', { name: 'Profile' }).locator('img').first().evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    await shoot('11-profile-other');

    await page.goto(`/@${mia.username}`);
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Mia Okafor' })).toBeVisible();

    await page.goto('/u/no_such_person_here');
    await expect(page.getByRole('heading', { name: 'This account doesn’t exist' })).toBeVisible();
    await shoot('12-profile-not-found');

    // The other tabs, as a newcomer with nothing yet sees them.
    await page.goto('/');
    await expect(page.getByRole('navigation', { name: 'Feeds' })).toBeVisible();
    await shoot('13-home');
    await page.goto('/create');
    await expect(page.getByRole('heading', { name: 'New clip' }).first()).toBeVisible();
    await shoot('15-create');
    await page.goto('/inbox');
    await expect(page.getByRole('heading', { name: 'No chats yet' })).toBeVisible();
    await shoot('16-inbox');

    // The Friends tab is built (web/e2e/friends.spec.ts covers it).
    await page.goto('/friends');
    await expect(page.getByRole('heading', { name: 'People you may know' })).toBeVisible();
    await screenshot(page, testInfo, '14-friends');

    // Offline: the banner, and a screen that cannot load says so.
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' })).toBeVisible();
    await page.context().setOffline(true);
    await page.getByRole('link', { name: /^Search/ }).first().click();
    await page.getByRole('searchbox', { name: /Search people/ }).fill('someone');
    await expect(page.getByRole('heading', { name: 'You’re offline' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'You’re offline' })).toBeVisible();
    await shoot('17-offline');
    await page.context().setOffline(false);

    // Dark theme follows the system.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' })).toBeVisible();
    await shoot('18-dark-profile');
    await page.goto('/settings');
    await expect(page.getByRole('switch', { name: /Private account/ })).toBeVisible();
    await shoot('19-dark-settings');
    await page.goto(`/u/${mia.username}`);
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Mia Okafor' })).toBeVisible();
    await shoot('20-dark-profile-other');

    expect(me.username).toContain(prefix);
    expect(problems).toEqual([]);
  });

  test('a profile shows a skeleton while loading, an error with retry when the server fails, then the profile', async ({ browser, page }, testInfo) => {
    const other = await browser.newContext();
    const sam = await signUpViaApi(await other.newPage(), { displayName: 'Sam Rivera' });
    await other.close();
    await signUpViaApi(page);
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' })).toBeVisible();

    // Hold the profile answer: the skeleton is on screen meanwhile.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route(`**/api/v1/users/${sam.username}`, async (route) => {
      await held;
      await route.fulfill({ status: 500, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Something went wrong on our side', code: 'internal_error' }) });
    });
    await page.goto(`/u/${sam.username}`);
    await expect(page.getByRole('status', { name: 'Loading profile' })).toBeVisible();
    await screenshot(page, testInfo, '21-profile-loading');
    release();

    // The app retries server errors twice before showing the error state.
    await expect(page.getByRole('heading', { name: 'Couldn’t load this profile' })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByText('Loop is having trouble right now. Try again in a moment.')).toBeVisible();
    await screenshot(page, testInfo, '22-profile-error');

    // The server recovers; "Try again" loads the real profile.
    await page.unroute(`**/api/v1/users/${sam.username}`);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Sam Rivera' })).toBeVisible();
  });

  test('a failed profile or settings change rolls back with a quiet message', { tag: '@phone-only' }, async ({ page }, testInfo) => {
    await signUpViaApi(page, { displayName: 'Grace Hopper' });
    const failWrites = async (route: import('@playwright/test').Route) => {
      if (route.request().method() !== 'PATCH') return route.continue();
      return route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'down', code: 'database_unavailable' }) });
    };
    await page.route('**/api/v1/me', failWrites);
    await page.route('**/api/v1/me/settings', failWrites);

    await page.goto('/profile/edit');
    await page.getByLabel('Display name').fill('Grace B. Hopper');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(page.getByRole('status').filter({ hasText: 'Couldn’t save your profile' })).toBeVisible();
    const name = page.getByRole('region', { name: 'Profile' }).getByRole('heading', { level: 2 });
    await expect(name).toHaveText('Grace Hopper');
    await screenshot(page, testInfo, '23-rollback-toast');

    await page.goto('/settings');
    const privateAccount = page.getByRole('switch', { name: /Private account/ });
    await expect(privateAccount).not.toBeChecked();
    await privateAccount.click();
    await expect(page.getByRole('status').filter({ hasText: 'Couldn’t save that setting' })).toBeVisible();
    await expect(privateAccount).not.toBeChecked();
    const me = await (await page.request.get('/api/v1/me')).json();
    expect(me.user.displayName).toBe('Grace Hopper');
    expect(me.settings.privateAccount).toBe(false);
  });

  test('the app is installable: manifest, icons and favicon are served', { tag: '@phone-only' }, async ({ page }) => {
    await page.goto('/welcome');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    const manifest = await res.json();
    expect(manifest).toMatchObject({ name: 'Loop', display: 'standalone', start_url: '/' });
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons as Array<{ src: string; type: string }>) {
      const r = await page.request.get(icon.src);
      expect(r.status(), icon.src).toBe(200);
      expect(r.headers()['content-type']).toContain(icon.type);
    }
    expect((await page.request.get('/favicon.svg')).status()).toBe(200);
  });
});
