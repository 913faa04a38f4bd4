import { expect, test } from '@playwright/test';
import { PASSWORD, screenshot, signUpViaApi, uniqueUsername } from './helpers.ts';

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
});
