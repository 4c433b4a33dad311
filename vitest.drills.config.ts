import { defineConfig } from 'vitest/config';

/**
 * Failure drills (`npm run test:drills`, also run by CI): real processes killed, Redis wiped,
 * fault storms and concurrent workers against the sandboxes. Kept out of `npm test` for time.
 */
export default defineConfig({
  test: {
    include: ['test/drills/**/*.drill.test.ts'],
    globalSetup: ['test/support/redis-global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
