import { defineConfig } from 'vitest/config';

/**
 * Browser tests (playwright-core driving Debian's Chromium) against a real server:
 * `npm run test:e2e`. They build the Mini App first when web/dist is missing or stale, and skip
 * with a message when there is no Chromium.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'e2e/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time: each waits on its own server, browser and fake Bot API much of the time.
    maxWorkers: 2,
  },
});
