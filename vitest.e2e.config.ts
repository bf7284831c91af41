import { defineConfig } from 'vitest/config';

/** Browser tests (playwright-core driving Debian's Chromium) against a real server: `npm run test:e2e`. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The Mini App and its browser tests come with the Mini App; until then there are none.
    passWithNoTests: true,
  },
});
