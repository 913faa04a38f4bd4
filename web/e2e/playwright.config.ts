import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the real server (embedded PGlite in a fresh temporary DATA_DIR) serving
 * the built web app, driven by Debian's Chromium. Several people run this on one machine at
 * once, so the port is picked free once per run (this file is evaluated again in every
 * worker; the environment carries the first choice to them).
 */
const root = path.resolve(import.meta.dirname, '../..');

// Below Linux's ephemeral range (32768+), so outgoing connections of other processes on this busy
// machine cannot take the port between this check and the server's listen.
const PORT_PROBE = `
const net = require('net');
function attempt(left) {
  const port = 20000 + Math.floor(Math.random() * 12000);
  const s = net.createServer();
  s.once('error', () => (left > 0 ? attempt(left - 1) : process.exit(1)));
  s.listen(port, '127.0.0.1', () => s.close(() => console.log(port)));
}
attempt(50);
`;

function freePort(): number {
  // A tiny child process finds a port that binds (synchronously, as config loading is).
  const r = spawnSync(process.execPath, ['-e', PORT_PROBE], { encoding: 'utf8' });
  const port = Number(r.stdout.trim());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`could not find a free port: ${r.stderr}`);
  return port;
}

if (!process.env.LOOP_E2E_PORT) {
  process.env.LOOP_E2E_PORT = String(freePort());
  process.env.LOOP_E2E_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-e2e-'));
  // scripts/test-all.mjs builds first; a direct `npx playwright test` builds when there is no build.
  if (!fs.existsSync(path.join(root, 'web/dist/index.html'))) {
    const built = spawnSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('building the web app failed');
  }
}
const port = Number(process.env.LOOP_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: path.join(root, 'test-results/e2e-artifacts'),
  globalTeardown: './global-teardown.ts',
  fullyParallel: false,
  workers: 2,
  // One retry: this machine is shared, and a load spike can stall a browser or ffmpeg far past any
  // timeout. A test that passes only on its retry is still reported, by name, as flaky
  // (scripts/test-all.mjs prints them), so a real race is seen, not hidden.
  retries: 1,
  forbidOnly: Boolean(process.env.CI),
  // Generous: the machine is shared and often loaded; these only stop a stuck run.
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? path.join(root, 'test-results/e2e.json') }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    {
      name: 'phone',
      use: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    {
      name: 'desktop',
      // Flows tagged @phone-only prove behaviour once; the desktop run covers layout and screenshots.
      grepInvert: /@phone-only/,
      use: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
    },
  ],
  webServer: {
    command: 'node --import tsx server/src/main.ts',
    cwd: root,
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseURL,
      DATA_DIR: process.env.LOOP_E2E_DATA_DIR!,
      WEB_DIST_DIR: path.join(root, 'web/dist'),
      LOG_LEVEL: 'warn',
      DEMO_CONTENT: 'false',
      // Lives from the browser need no RTMP listener, and a fixed port would clash between parallel runs on one machine.
      RTMP_PORT: '0',
      // The machine running e2e is shared and often loaded: ffmpeg may pause for seconds; a live ending on a stall is not what these specs check.
      LIVE_STALL_SEC: '30',
      RATE_LIMIT_API_PER_IP: '100000',
      RATE_LIMIT_API_PER_USER: '100000',
      RATE_LIMIT_SIGNUP_PER_IP: '100000',
      RATE_LIMIT_LOGIN_PER_IP: '100000',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '1000',
    },
  },
});
