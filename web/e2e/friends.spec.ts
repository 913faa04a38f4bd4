import { expect, test } from '@playwright/test';
import { PASSWORD, screenshot, signUpViaApi, uniqueUsername } from './helpers.ts';

test.describe('friends', () => {
  test('A and B become friends, A finds C from an imported .vcf, then A blocks B', { tag: '@phone-only' }, async ({ browser, page }, testInfo) => {
    const pageA = page;
    const ctxB = await browser.newContext();
    const pageB = await ctxB.newPage();
    const a = await signUpViaApi(pageA, { displayName: 'Alice Friend' });
    const b = await signUpViaApi(pageB, { displayName: 'Bob Friend' });

    // C signs up with a phone number from a third, separate browser context.
    const ctxC = await browser.newContext();
    const last = String(Math.floor(Math.random() * 100)).padStart(2, '0');
    const c = { username: uniqueUsername('carol'), phone: `+1 201 555 01${last}` };
    const signup = await ctxC.request.post('/api/v1/auth/signup', {
      data: { username: c.username, password: PASSWORD, displayName: 'Carol Contact', phone: c.phone },
      headers: { origin: `http://127.0.0.1:${process.env.LOOP_E2E_PORT}` },
    });
    expect(signup.status(), await signup.text()).toBe(201);
    await ctxC.close();

    // A follows B from B's profile; B follows back from A's.
    await pageA.goto(`/u/${b.username}`);
    await pageA.getByRole('button', { name: 'Follow Bob Friend' }).click();
    await expect(pageA.getByRole('button', { name: 'Unfollow Bob Friend' })).toHaveText('Following');
    await pageB.goto(`/u/${a.username}`);
    await expect(pageB.getByText('Follows you')).toBeVisible();
    await expect(pageB.getByRole('button', { name: 'Follow Alice Friend' })).toHaveText('Follow back');
    await pageB.getByRole('button', { name: 'Follow Alice Friend' }).click();
    await expect(pageB.getByRole('button', { name: 'Unfollow Alice Friend' })).toHaveText('Friends');

    // Each sees the other under Friends.
    await pageA.goto('/friends');
    await expect(pageA.getByRole('list', { name: 'Friends list' }).getByText('Bob Friend')).toBeVisible();
    await pageB.goto('/friends');
    await expect(pageB.getByRole('list', { name: 'Friends list' }).getByText('Alice Friend')).toBeVisible();
    await screenshot(pageB, testInfo, 'friends-01-b-friends', { fullPage: true });

    // A imports an address book with C's number written the local way; C is found and suggested.
    const vcf = [
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Carol',
      `TEL;TYPE=CELL:(201) 555-01${last}`,
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'FN:Nobody Here',
      'EMAIL:nobody.here@example.com',
      'END:VCARD',
    ].join('\r\n');
    await pageA.getByTestId('contacts-file').setInputFiles({ name: 'contacts.vcf', mimeType: 'text/vcard', buffer: Buffer.from(vcf) });
    await expect(pageA.getByRole('status').filter({ hasText: '1 of your contacts is on Loop' })).toBeVisible();
    const suggested = pageA.getByRole('region', { name: 'People you may know' }).getByTestId(`person-${c.username}`);
    await expect(suggested).toBeVisible();
    await expect(suggested).toContainText('In your contacts');
    await screenshot(pageA, testInfo, 'friends-02-a-contacts-suggested', { fullPage: true });

    // A blocks B from B's profile.
    await pageA.goto(`/u/${b.username}`);
    await pageA.getByRole('button', { name: 'More' }).click();
    await screenshot(pageA, testInfo, 'friends-03-a-block-sheet');
    await pageA.getByRole('dialog').getByRole('button', { name: 'Block' }).click();
    await expect(pageA.getByText(`You blocked @${b.username}`)).toBeVisible();

    // B's view of A disappears: the profile is gone and so is the friendship.
    await pageB.goto(`/u/${a.username}`);
    await expect(pageB.getByRole('heading', { name: 'This account doesn’t exist' })).toBeVisible();
    await screenshot(pageB, testInfo, 'friends-04-b-after-block');
    await pageB.goto('/friends');
    await expect(pageB.getByRole('heading', { name: 'No friends yet' })).toBeVisible();
    await expect(pageB.getByText('Alice Friend')).toHaveCount(0);
    await ctxB.close();
  });

  test("a private account's profile says it is private until A's follow request is approved", async ({ browser, page }, testInfo) => {
    const ctxP = await browser.newContext();
    const pageP = await ctxP.newPage();
    const a = await signUpViaApi(page, { displayName: 'Alice Visitor' });
    const p = await signUpViaApi(pageP, { displayName: 'Pia Private' });
    const origin = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
    expect((await pageP.request.patch('/api/v1/me/settings', { data: { privateAccount: true }, headers: { origin } })).status()).toBe(200);

    await page.goto(`/u/${p.username}`);
    await expect(page.getByRole('heading', { name: 'This account is private' })).toBeVisible();
    await expect(page.getByText(`Follow @${p.username} to see their videos.`)).toBeVisible();
    await screenshot(page, testInfo, 'profile-private');
    await page.getByRole('button', { name: 'Follow Pia Private' }).click();
    await expect(page.getByText('Your follow request is waiting for approval.')).toBeVisible();

    // Approved: the lock gives way to the (empty) grid.
    expect((await pageP.request.post(`/api/v1/me/follow-requests/${a.id}/accept`, { headers: { origin } })).ok()).toBe(true);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'No videos yet' })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'This account is private' })).toHaveCount(0);
    await ctxP.close();
  });

  test('Settings lists blocked accounts, and unblocking brings the person back', async ({ browser, page }, testInfo) => {
    const ctxB = await browser.newContext();
    const pageB = await ctxB.newPage();
    await signUpViaApi(page, { displayName: 'Alice Blocker' });
    const b = await signUpViaApi(pageB, { displayName: 'Bob Blocked' });
    const origin = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
    expect((await page.request.put(`/api/v1/users/${b.id}/block`, { headers: { origin } })).ok()).toBe(true);

    await page.goto('/settings');
    await page.getByRole('link', { name: /Blocked accounts/ }).click();
    await expect(page.getByRole('heading', { name: 'Blocked accounts' })).toBeVisible();
    const row = page.getByRole('list', { name: 'Blocked accounts' }).getByTestId(`person-${b.username}`);
    await expect(row).toContainText('Bob Blocked');
    await screenshot(page, testInfo, 'settings-blocked-accounts');
    await row.getByRole('button', { name: 'Unblock Bob Blocked' }).click();
    await expect(page.getByRole('heading', { name: 'You haven’t blocked anyone' })).toBeVisible();
    await screenshot(page, testInfo, 'settings-blocked-empty');

    // Each can see the other again.
    await page.goto(`/u/${b.username}`);
    await expect(page.getByRole('heading', { name: 'Bob Blocked' })).toBeVisible();
    await ctxB.close();
  });
});
