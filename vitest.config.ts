import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    coverage: {
      enabled: true,
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The decision core is pure and cheap to cover; it is held to the highest bar.
      thresholds: {
        'src/domain/**/*.ts': { lines: 95, branches: 95, functions: 95, statements: 95 },
      },
    },
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        test: { name: 'contract', include: ['test/contract/**/*.test.ts'] },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/redis-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // A real headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) against a demo
        // tenant on the sandboxes and Redis; screenshots go to test-artifacts/.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.browser.test.ts'],
          globalSetup: ['test/support/redis-global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
