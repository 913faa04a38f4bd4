import fs from 'node:fs';

/** Removes the run's temporary DATA_DIR (the server has stopped by now). */
export default function globalTeardown() {
  const dir = process.env.LOOP_E2E_DATA_DIR;
  if (dir?.includes('loop-e2e-')) fs.rmSync(dir, { recursive: true, force: true });
}
