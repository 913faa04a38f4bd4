// `npm test`: the whole suite, as CI runs it.
//   1. typecheck and lint
//   2. unit tests
//   3. integration tests on embedded PGlite
//   4. the same integration tests on PostgreSQL (a fresh database per test server, dropped after)
//   5. system tests: real server processes killed, restarted, several nodes with Redis
//   6. end-to-end tests in Debian's Chromium against a real server
// Set TEST_DATABASE_URL to point at another PostgreSQL; SKIP_E2E=1 skips step 6 locally.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reports = path.join(root, 'test-results');
fs.mkdirSync(reports, { recursive: true });
const pgUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

function run(title, cmd, args, env = {}) {
  console.log(`\n━━ ${title} ━━`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`━━ ${title}: ${res.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (res.status !== 0) failedSteps.push(title);
  return res.status === 0;
}

function countVitest(file) {
  if (!fs.existsSync(file)) return;
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  totals.passed += r.numPassedTests ?? 0;
  totals.failed += r.numFailedTests ?? 0;
  totals.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}

/** Playwright's JSON report: the titles of tests whose outcome was 'flaky'. */
function flakyTests(report) {
  const out = [];
  const walk = (suite, trail) => {
    for (const spec of suite.specs ?? []) for (const t of spec.tests ?? []) if (t.status === 'flaky') out.push(`[${t.projectName}] ${[...trail, spec.title].join(' › ')}`);
    for (const child of suite.suites ?? []) walk(child, [...trail, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, [suite.title]);
  return out;
}

function vitest(title, project, out, env = {}) {
  fs.rmSync(out, { force: true });
  run(title, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], env);
  countVitest(out);
}

run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('lint', 'npx', ['biome', 'lint', '.']);
vitest('unit tests', 'unit', path.join(reports, 'unit.json'));
vitest('integration tests on PGlite', 'integration', path.join(reports, 'integration-pglite.json'), { TEST_DATABASE_URL: '' });
vitest('integration tests on PostgreSQL', 'integration', path.join(reports, 'integration-postgres.json'), { TEST_DATABASE_URL: pgUrl });
vitest('system tests (real processes: kill -9, restarts, several nodes)', 'system', path.join(reports, 'system.json'), { TEST_DATABASE_URL: pgUrl });

if (process.env.SKIP_E2E !== '1') {
  run('build the web app', 'npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']);
  const out = path.join(reports, 'e2e.json');
  fs.rmSync(out, { force: true });
  run('end-to-end tests (Chromium)', 'npx', ['playwright', 'test', '-c', 'web/e2e/playwright.config.ts'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  if (fs.existsSync(out)) {
    const s = JSON.parse(fs.readFileSync(out, 'utf8')).stats ?? {};
    totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
    totals.failed += s.unexpected ?? 0;
    totals.skipped += s.skipped ?? 0;
    const flaky = flakyTests(JSON.parse(fs.readFileSync(out, 'utf8')));
    if (flaky.length) console.log(`\nFlaky end-to-end tests (failed, then passed on their retry):\n${flaky.map((t) => `  - ${t}`).join('\n')}`);
  }
}

console.log('');
if (failedSteps.length) console.log(`Failed steps: ${failedSteps.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
