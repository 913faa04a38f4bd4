import path from 'node:path';
import { defineConfig } from 'vitest/config';

const alias = { '@loop/contracts': path.resolve('packages/contracts/src/index.ts') };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['server/src/**/*.test.ts', 'packages/**/*.test.ts', 'web/src/**/*.test.ts', 'bench/**/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['server/test/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
      {
        // Real server processes (kill -9, restarts, several nodes): run once, not per engine.
        resolve: { alias },
        test: {
          name: 'system',
          include: ['server/test/system/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});
