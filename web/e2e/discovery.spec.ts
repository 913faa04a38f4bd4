import { expect, type Page, test } from '@playwright/test';
import { as, screenProblems, screenshot, signUpViaApi, signUpWith, uploadReadyClip } from './helpers.ts';

// Issue 13, acceptance 6 (the parts built here): search results, a hashtag page, #tags and
// @mentions in captions as links, why-this-video, not-interested, the friends-first dial and the
// caught-up marker. Screenshots at phone and desktop size, light and dark.

async function shots(page: Page, testInfo: Parameters<typeof screenshot>[1], name: string) {
  await page.emulateMedia({ colorScheme: 'light' });
  await screenshot(page, testInfo, `${name}-light`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, testInfo, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

test('discover: search, hashtag page, clip menu, friends-first dial, caught-up marker', async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000);
  const p = testInfo.project.name;
  const tag = `sunset${p}`;
  const authorCtx = await browser.newContext({ baseURL: `http://127.0.0.1:${process.env.LOOP_E2E_PORT}` });
  const author = await signUpWith(authorCtx.request, null, { displayName: 'Ana Lisboa' });
  const asAuthor = as(authorCtx.request, author);
  const me = await signUpViaApi(page);
  const asMe = as(page.request, me);
  await asMe('PUT', `/users/${author.id}/follow`);
  await asAuthor('PUT', `/users/${me.id}/follow`);
  const first = await uploadReadyClip(authorCtx.request, author, `Golden light over Lisbon #${tag} with @${me.username} <b>not bold</b>`);
  const second = await uploadReadyClip(authorCtx.request, author, `Tram 28 at dusk #${tag} #trams`);

  // Search: clips first, then the other tabs.
  await page.goto('/discover');
  await expect(page.getByRole('list', { name: 'Trending hashtags' })).toBeVisible();
  // The top trending hashtag (other specs' clips share this server) comes with a row of its clips.
  const topHref = (await page.getByRole('list', { name: 'Trending hashtags' }).getByRole('link').first().getAttribute('href'))!;
  const topTag = decodeURIComponent(topHref.replace('/tag/', ''));
  const topRow = page.getByRole('region', { name: `#${topTag}`, exact: true });
  await expect(topRow.getByRole('list', { name: `Clips with #${topTag}` }).getByRole('listitem').first()).toBeVisible();
  await expect(topRow.getByRole('list', { name: `Clips with #${topTag}` }).locator('img').first()).toHaveJSProperty('complete', true);
  await shots(page, testInfo, 'discover-start');
  expect(await screenProblems(page, 'discover start')).toEqual([]);
  await topRow.getByRole('link', { name: new RegExp(topTag) }).first().click();
  await expect(page).toHaveURL(topHref);
  await expect(page.getByRole('list', { name: `Clips with #${topTag}` }).getByRole('listitem').first()).toBeVisible();
  await page.goBack();
  await page.getByRole('searchbox', { name: /Search clips/ }).fill(tag);
  // Enter remembers the search at once (otherwise it is remembered after 1.5 s on screen: a race with the steps below).
  await page.getByRole('searchbox', { name: /Search clips/ }).press('Enter');
  const clips = page.getByRole('list', { name: 'Clips' });
  await expect(clips.getByRole('listitem')).toHaveCount(2);
  await shots(page, testInfo, 'discover-clips');
  await page.getByRole('tab', { name: 'Hashtags' }).click();
  await expect(page.getByRole('list', { name: 'Hashtags' }).getByRole('link', { name: new RegExp(`#${tag}`) })).toBeVisible();
  await shots(page, testInfo, 'discover-hashtags');
  await page.getByRole('tab', { name: 'People' }).click();
  await page.getByRole('searchbox', { name: /Search clips/ }).fill('Ana Lisbo');
  await expect(page.getByRole('list', { name: 'People' }).getByText(author.username).first()).toBeVisible();
  // The search is remembered on this device.
  await page.getByRole('button', { name: 'Clear search' }).click();
  await expect(page.getByRole('list', { name: 'Recent searches' }).getByRole('button', { name: tag })).toBeVisible();

  // The hashtag page, reached from a caption's link; the caption's markup stays text.
  await page.goto(`/video/${first}`);
  await expect(page.getByText('<b>not bold</b>', { exact: false })).toBeVisible();
  await expect(page.getByRole('link', { name: `@${me.username}` })).toBeVisible();
  await page.getByRole('link', { name: `#${tag}` }).first().click();
  await expect(page).toHaveURL(new RegExp(`/tag/${tag}$`));
  await expect(page.getByRole('list', { name: `Clips with #${tag}` }).getByRole('listitem')).toHaveCount(2);
  await shots(page, testInfo, 'hashtag-page');

  // The friends-first dial in settings.
  await page.goto('/settings');
  const dial = page.getByRole('slider', { name: /Friends first/ });
  await dial.focus();
  await page.keyboard.press('End');
  await expect.poll(async () => (await asMe('GET', '/me')).settings.friendsFirst).toBe(1);
  await shots(page, testInfo, 'settings-friends-first');

  // For You leans to the friend: their clips come first, then the caught-up marker.
  await page.goto('/');
  const feed = page.getByTestId('feed');
  await expect(feed.locator('[data-video-id]').first()).toBeVisible();
  await asMe('POST', '/events', { events: [first, second].map((videoId) => ({ type: 'impression', videoId })) });
  await page.reload();
  await expect(page.getByRole('status').filter({ hasText: 'You’re caught up with friends' })).toBeVisible();
  await shots(page, testInfo, 'for-you-caught-up');

  // The clip menu: why this video, then not interested (the clip leaves the feed at once).
  const active = feed.locator('[data-active="true"]');
  const shownId = await active.getAttribute('data-video-id');
  await active.getByRole('button', { name: /More: why this video/ }).click();
  await page.getByRole('button', { name: 'Why this video', exact: true }).click();
  await expect(page.getByRole('list', { name: 'Reasons' }).getByRole('listitem').first()).toBeVisible();
  await shots(page, testInfo, 'clip-why');
  await page.keyboard.press('Escape');
  await active.getByRole('button', { name: /More: why this video/ }).click();
  await page.getByRole('button', { name: 'Not interested', exact: true }).click();
  await expect(feed.locator(`[data-video-id="${shownId}"]`)).toHaveCount(0);
  await authorCtx.close();
});

test('the friends-first dial: For You’s next page leans to friends’ clips over strangers’ more popular ones', async ({ page, browser }, testInfo) => {
  test.setTimeout(240_000);
  const p = testInfo.project.name;
  const origin = `http://127.0.0.1:${process.env.LOOP_E2E_PORT}`;
  const me = await signUpViaApi(page);
  const asMe = as(page.request, me);
  const others = await browser.newContext({ baseURL: origin });
  const person = async (displayName: string) => {
    const u = await signUpWith(others.request, null, { displayName });
    return { ...u, call: as(others.request, u) };
  };
  // Two friends (mutual follows) post first; two strangers post later, and their clips are liked.
  const friendClips: string[] = [];
  for (const name of ['Bea', 'Caio']) {
    const friend = await person(`${name} Friend`);
    await asMe('PUT', `/users/${friend.id}/follow`);
    await friend.call('PUT', `/users/${me.id}/follow`);
    friendClips.push(await uploadReadyClip(others.request, friend, `${name} at the beach (${p})`));
  }
  const strangers = [await person('Dora Stranger'), await person('Enzo Stranger')];
  const fans = [await person('Fan One'), await person('Fan Two')];
  const strangerClips: string[] = [];
  for (const s of strangers) strangerClips.push(await uploadReadyClip(others.request, s, `${s.displayName}’s popular clip (${p})`));
  for (const fan of fans) for (const id of strangerClips) await fan.call('PUT', `/videos/${id}/like`);

  const feed = page.getByTestId('feed');
  const shownIds = async (n: number) => {
    await expect(feed.locator('[data-video-id]').nth(n - 1)).toBeAttached();
    return Promise.all(Array.from({ length: n }, (_, i) => feed.locator('[data-video-id]').nth(i).getAttribute('data-video-id')));
  };
  const isFriends = (id: string | null) => friendClips.includes(id ?? '');

  // The dial at 0 (everyone): the newer, more liked clips of strangers come before the friends'.
  await page.goto('/');
  await expect(feed.locator('[data-active="true"]')).toBeVisible();
  expect((await shownIds(2)).filter(isFriends)).toEqual([]);

  // Turn the dial to "Friends" in Settings, reached in the app (Profile → Settings).
  await page.getByRole('link', { name: 'Profile', exact: true }).filter({ visible: true }).first().click();
  await page.getByRole('main').getByRole('link', { name: 'Settings' }).click();
  const dial = page.getByRole('slider', { name: /Friends first/ });
  await dial.focus();
  await page.keyboard.press('End');
  await expect(dial).toHaveValue('100');
  await expect.poll(async () => (await asMe('GET', '/me')).settings.friendsFirst).toBe(1);
  await screenshot(page, testInfo, 'settings-friends-first-dial');

  // Back on Home, For You's next page opens with the friends' clips, one by each, before any stranger's.
  await page.getByRole('link', { name: 'Home', exact: true }).filter({ visible: true }).first().click();
  const active = feed.locator('[data-active="true"]');
  await expect(active).toBeVisible();
  expect(isFriends(await active.getAttribute('data-video-id'))).toBe(true);
  await expect(active.getByText(/at the beach/)).toBeVisible();
  expect(new Set(await shownIds(2))).toEqual(new Set(friendClips));
  await screenshot(page, testInfo, 'for-you-friends-first');
  await others.close();
});
