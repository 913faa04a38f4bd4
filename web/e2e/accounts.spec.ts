import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { PASSWORD, screenshot, signUpViaApi, uniqueUsername } from './helpers.ts';

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
    // Signed out: the app lands on the welcome screen.
    await expect(page).toHaveURL(/\/welcome$/);
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
    await expect(page.getByRole('heading', { name: 'The video feed isn’t here yet' })).toBeVisible();

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
    const problems = watchForPageErrors(page);
    const prefix = `t${Date.now().toString(36).slice(-5)}`;

    // Signed out.
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Create account' })).toBeVisible();
    await screenshot(page, testInfo, '01-welcome');

    await page.goto('/signup');
    await page.getByLabel('Username').fill('Ab');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');
    await screenshot(page, testInfo, '02-signup-errors');

    await page.goto('/login');
    await page.getByLabel('Username').fill('nobody_here');
    await page.getByLabel('Password', { exact: true }).fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await screenshot(page, testInfo, '03-login-error');

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

    // Signed in.
    const me = await signUpViaApi(page, { username: uniqueUsername(`${prefix}ada`), displayName: 'Ada Lovelace' });
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
    await screenshot(page, testInfo, '04-profile-own');

    await page.getByRole('link', { name: 'Edit profile' }).click();
    await page.getByLabel('Bio').fill('Writing the first program, one loop at a time.');
    await screenshot(page, testInfo, '05-edit-profile');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(page.getByText('Writing the first program')).toBeVisible();
    await screenshot(page, testInfo, '06-profile-own-with-bio');

    await page.goto('/settings');
    await expect(page.getByRole('switch', { name: /Private account/ })).toBeVisible();
    await screenshot(page, testInfo, '07-settings');
    await page.getByRole('button', { name: 'Log out' }).scrollIntoViewIfNeeded();
    await screenshot(page, testInfo, '07b-settings-bottom');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await screenshot(page, testInfo, '08-logout-sheet');
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog')).toBeHidden();

    await page.goto('/search');
    await screenshot(page, testInfo, '09-search-empty');
    await page.getByRole('searchbox', { name: /Search people/ }).fill(prefix);
    await expect(page.getByRole('link', { name: /Mia Okafor/ })).toBeVisible();
    await screenshot(page, testInfo, '10-search-results');

    await page.getByRole('link', { name: /Mia Okafor/ }).click();
    await expect(page.getByRole('region', { name: 'Profile' }).getByText('Climbing, film cameras')).toBeVisible();
    await expect.poll(() => page.getByRole('region', { name: 'Profile' }).locator('img').first().evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, testInfo, '11-profile-other');

    await page.goto(`/@${mia.username}`);
    await expect(page.getByRole('region', { name: 'Profile' }).getByRole('heading', { name: 'Mia Okafor' })).toBeVisible();

    await page.goto('/u/no_such_person_here');
    await expect(page.getByRole('heading', { name: 'This account doesn’t exist' })).toBeVisible();
    await screenshot(page, testInfo, '12-profile-not-found');

    for (const [path, name] of [
      ['/', '13-home-not-built'],
      ['/friends', '14-friends-not-built'],
      ['/create', '15-create-not-built'],
      // The inbox is built (messaging.spec.ts has its screenshots).
    ] as const) {
      await page.goto(path);
      await expect(page.getByText('Not built yet')).toBeVisible();
      await screenshot(page, testInfo, name);
    }

    // Offline: the banner, and a screen that cannot load says so.
    await page.goto('/profile');
    await expect(page.getByRole('region', { name: 'Profile' })).toBeVisible();
    await page.context().setOffline(true);
    await page.getByRole('link', { name: 'Search people' }).first().click();
    await page.getByRole('searchbox', { name: /Search people/ }).fill('someone');
    await expect(page.getByRole('heading', { name: 'You’re offline' })).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'You’re offline' })).toBeVisible();
    await screenshot(page, testInfo, '17-offline');
    await page.context().setOffline(false);

    expect(me.username).toContain(prefix);
    expect(problems).toEqual([]);
  });
});
