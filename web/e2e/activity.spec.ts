import { expect, test } from '@playwright/test';
import { screenshot, signUpWith, uploadReadyClip } from './helpers.ts';

// Issue 12, acceptance 5: B has Loop open; A follows B and likes B's clip in another browser.
// B's bell shows the count and the Activity rows appear live, without a reload; tapping the like
// row opens the clip. Phone and desktop (the two projects), light and dark.

const BASE = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;

test('B sees the badge and activity rows appear live when A follows and likes; tapping opens the clip', async ({ browser, page: pageB }, testInfo) => {
  test.setTimeout(150_000);
  const pageA = await (await browser.newContext({ baseURL: BASE })).newPage();
  const b = await signUpWith(pageB.request, pageB, { displayName: 'Bea Maker' });
  const a = await signUpWith(pageA.request, pageA, { displayName: 'Ari Fan' });
  const clip = await uploadReadyClip(pageB.request, b, `Morning light ${testInfo.project.name}`);

  // B is in the Inbox, where the bell lives (on desktop also in the side navigation).
  await pageB.goto('/inbox');
  const bell = pageB.getByTestId('activity-bell');
  await expect(bell).toHaveAccessibleName('Activity');

  // A follows B from B's profile, in A's own browser.
  await pageA.goto(`/u/${b.username}`);
  const prompt = pageA.getByRole('dialog', { name: 'Turn on notifications?' });
  await expect(pageA.getByRole('button', { name: `Follow ${b.displayName}` })).toBeVisible();
  // Never on load: the push opt-in waits for a meaningful action (following someone is one).
  await expect(prompt).toHaveCount(0);
  await pageA.getByRole('button', { name: `Follow ${b.displayName}` }).click();
  await expect(prompt).toBeVisible();
  await screenshot(pageA, testInfo, 'activity-push-prompt');
  await prompt.getByRole('button', { name: 'Not now' }).click();
  await expect(prompt).toHaveCount(0);
  await expect(bell).toHaveAccessibleName('Activity, 1 new');
  await expect(pageB.getByRole('link', { name: 'Inbox' }).last()).toContainText('1');
  await screenshot(pageB, testInfo, 'activity-badge');

  await bell.click();
  await expect(pageB).toHaveURL(/\/activity$/);
  const rows = pageB.getByRole('list', { name: 'Activity' });
  await expect(rows.getByText(`${a.displayName} started following you`)).toBeVisible();
  // Seen: the bell's count goes back to nothing.
  await expect.poll(async () => (await (await pageB.request.get('/api/v1/notifications/unread-count')).json()).count).toBe(0);

  // A likes the clip; B, still on Activity, sees the row arrive at the top.
  await pageA.goto(`/video/${clip}`);
  await pageA.locator('article.clip').getByRole('button', { name: 'Like' }).click();
  const likeRow = pageB.getByTestId('activity-like');
  await expect(likeRow).toContainText(`${a.displayName} liked your clip`);
  await expect(rows.locator('li').first()).toHaveAttribute('data-testid', 'activity-like');
  await expect(likeRow.locator('img')).toBeVisible();

  await pageB.emulateMedia({ colorScheme: 'light' });
  await screenshot(pageB, testInfo, 'activity-light');
  await pageB.emulateMedia({ colorScheme: 'dark' });
  await screenshot(pageB, testInfo, 'activity-dark');

  // Tapping the row opens the clip.
  await likeRow.getByRole('link').first().click();
  await expect(pageB).toHaveURL(new RegExp(`/video/${clip}$`));
  await expect(pageB.locator(`article.clip[data-video-id="${clip}"]`)).toBeVisible();
});
