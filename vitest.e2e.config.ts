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
    // A page answers within 10 s, not vitest's 1 s: two files run at once, each with its own
    // server and browser, and a busy two-CPU machine drew a list later than 1 s (a CI run).
    expect: { poll: { timeout: 10_000, interval: 50 } },
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at a time: each waits on its own server, browser and fake Bot API much of the time.
    maxWorkers: 2,
  },
});
