import { expect, type Page, test, type TestInfo } from '@playwright/test';
import { PASSWORD, controlProblems, screenshot, signUpViaApi } from './helpers.ts';

// Settings → Change password, Email and Phone number (issue 11), at phone and desktop size,
// each screen photographed in light and dark.

const NEW_PASSWORD = 'amber-lighthouse-73';

/** Photographs the screen in light, then dark, and checks its controls (labelled, ≥ 44 px). */
async function shootBoth(page: Page, testInfo: TestInfo, name: string, problems: string[]) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await screenshot(page, testInfo, `${name}-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  problems.push(...(await controlProblems(page)).map((p) => `${name}: ${p}`));
}

test.describe('account settings', () => {
  test('change the password: a wrong current one is refused, then other devices are signed out and this one stays', async ({ browser, page }, testInfo) => {
    const problems: string[] = [];
    const me = await signUpViaApi(page, { displayName: 'Grace Hopper' });
    // Another device, signed in with the same account.
    const laptop = await browser.newContext();
    const origin = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
    const login = await laptop.request.post('/api/v1/auth/login', { data: { username: me.username, password: PASSWORD }, headers: { origin } });
    expect(login.status()).toBe(200);
    expect((await laptop.request.get('/api/v1/me')).status()).toBe(200);

    await page.goto('/settings');
    await expect(page.getByRole('link', { name: /Change password/ })).toBeVisible();
    await shootBoth(page, testInfo, 'settings-account', problems);

    await page.getByRole('link', { name: /Change password/ }).click();
    await expect(page).toHaveURL(/\/settings\/password$/);
    await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
    await shootBoth(page, testInfo, 'settings-password', problems);

    await page.getByLabel('Current password').fill('not-my-password-9');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('That isn’t your current password.')).toBeVisible();
    await shootBoth(page, testInfo, 'settings-password-wrong', problems);

    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password').fill('password123');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('That password is too common')).toBeVisible();

    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByText('Password changed. Your other devices were signed out.')).toBeVisible();
    expect((await laptop.request.get('/api/v1/me')).status()).toBe(401);
    expect((await page.request.get('/api/v1/me')).status()).toBe(200);
    const relogin = await laptop.request.post('/api/v1/auth/login', { data: { username: me.username, password: NEW_PASSWORD }, headers: { origin } });
    expect(relogin.status()).toBe(200);
    await laptop.close();
    expect(problems).toEqual([]);
  });

  test('add an email and a phone number, see them in settings, and remove one', async ({ page }, testInfo) => {
    const problems: string[] = [];
    const me = await signUpViaApi(page, { displayName: 'Ada Lovelace' });
    const email = `${me.username}@example.com`;
    // One number per project: both run against the same server, and a number belongs to one account.
    const line = testInfo.project.name === 'phone' ? '0147' : '0148';
    await page.goto('/settings');
    await page.getByRole('link', { name: /^Email/ }).click();
    await expect(page).toHaveURL(/\/settings\/email$/);
    await shootBoth(page, testInfo, 'settings-email', problems);

    await page.getByLabel('Email address').fill('not an email');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
    await shootBoth(page, testInfo, 'settings-email-invalid', problems);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole('link', { name: new RegExp(`Email\\s*${email}`) })).toBeVisible();

    await page.getByRole('link', { name: /^Phone number/ }).click();
    await page.getByLabel('Phone number').fill(`+1 202 555 ${line}`);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole('link', { name: new RegExp(`Phone number\\s*\\+1202555${line}`) })).toBeVisible();
    await shootBoth(page, testInfo, 'settings-with-contacts', problems);
    expect(await (await page.request.get('/api/v1/me')).json()).toMatchObject({ email, phone: `+1202555${line}` });

    await page.getByRole('link', { name: /^Email/ }).click();
    await expect(page.getByLabel('Email address')).toHaveValue(email);
    await page.getByRole('button', { name: 'Remove email' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByRole('link', { name: /Email\s*Add one so friends can find you/ })).toBeVisible();
    expect((await (await page.request.get('/api/v1/me')).json()).email).toBeNull();
    expect(problems).toEqual([]);
  });
});
