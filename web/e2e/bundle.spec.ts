import zlib from 'node:zlib';
import { expect, test } from '@playwright/test';

// Issue 11 acceptance 7, on the production build the e2e server serves: split by route, hls.js only
// where a clip plays, no source maps, everything sent compressed, the largest initial chunk under
// 300 KB gzipped.

const INITIAL_BUDGET_GZIP = 300 * 1024;

test.describe('the production bundle @phone-only', () => {
  test('initial chunks are small and compressed; no source map is built or served', async ({ request }) => {
    const html = await (await request.get('/', { headers: { 'accept-encoding': 'identity' } })).text();
    const initial = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(initial.some((f) => f.endsWith('.js'))).toBe(true);
    // The screens and the video library are not among them.
    expect(initial.filter((f) => /hls|Screen/.test(f))).toEqual([]);

    const sizes: string[] = [];
    for (const file of initial) {
      const br = await request.get(file, { headers: { 'accept-encoding': 'br' } });
      expect(br.status(), file).toBe(200);
      expect(br.headers()['content-encoding'], file).toBe('br');
      expect(br.headers()['cache-control'], file).toBe('public, max-age=31536000, immutable');
      const gz = await request.get(file, { headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers()['content-encoding'], file).toBe('gzip');
      // Playwright decodes the body; the size as sent is the gzip of those bytes at the build's level.
      const body = await gz.body();
      expect(body.toString(), file).not.toContain('sourceMappingURL');
      const gzipped = zlib.gzipSync(body, { level: 9 }).length;
      sizes.push(`${file}: ${(body.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
      expect(gzipped, file).toBeLessThan(INITIAL_BUDGET_GZIP);

      const map = await request.get(`${file}.map`);
      expect(map.status(), `${file}.map`).toBe(404);
      expect(map.headers()['content-type']).toMatch(/^application\/problem\+json/);
    }
    console.log(`initial chunks:\n  ${sizes.join('\n  ')}`);
  });

  test('the signed-out home page is static HTML: no script runs; hls.js comes only where a clip plays', async ({ page }) => {
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
    });
    await page.goto('/');
    await expect(page.getByRole('link', { name: 'Create account' })).toBeVisible();
    // The welcome screen painted from the HTML alone: no script element, nothing run.
    expect(await page.evaluate(() => document.scripts.length)).toBe(0);
    // Its links load the app (prefetched meanwhile), which takes over from there.
    await page.getByRole('link', { name: 'Create account' }).click();
    await expect(page.getByLabel('Username')).toBeVisible();
    expect(scripts.some((s) => s.includes('Signup'))).toBe(true);
    expect(scripts.filter((s) => /hls|Chat/.test(s))).toEqual([]);
  });
});
