import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Code that only runs against a real PostgreSQL or Redis. `npm test` (no services) measures
 * coverage of everything else; `npm run test:infra` (TEST_DATABASE_URL and TEST_REDIS_URL set)
 * measures these, so every file is held to the thresholds in one of the two runs.
 */
const serviceAdapters = ['src/db/postgres.ts', 'src/platform/redis*.ts'];
const againstServices = Boolean(process.env.TEST_DATABASE_URL && process.env.TEST_REDIS_URL);

/**
 * Tests of outages, of PostgreSQL's own identity and of several processes on one PostgreSQL and Redis: they start servers of
 * their own (test/own-services.ts) or share the real ones, so they run in the pass against real
 * services only, and are left out of the embedded passes rather than reported as skipped there.
 */
const servicesOnly = [
  'src/auth/across-processes.test.ts',
  'src/categories/across-processes.test.ts',
  'src/db/postgres.test.ts',
  'src/platform/queue-outage.test.ts',
  'src/platform/redis-prefix-postgres.test.ts',
  'src/settings/across-processes.test.ts',
  'src/users/across-processes.test.ts',
  'test/delivery-reclaim.test.ts',
  'test/own-services.test.ts',
  'test/pg-outage.test.ts',
  'test/redis-outage.test.ts',
  'test/scale-out.test.ts',
  'test/two-installs.test.ts',
];

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(againstServices ? [] : servicesOnly)],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A poll ends as soon as it holds; waiting up to 10 s (not vitest's 1 s) keeps work that
    // waits on a job, a socket or Telegram from failing on a busy CI machine.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    pool: 'forks',
    // A worker process runs file after file with the modules it has already imported: importing
    // them anew for each of ~140 files took about 4 minutes of CPU per pass (measured: 237 s
    // summed, 48 s without isolation). The suite keeps no module state between files (no
    // vi.mock; each file builds its own container, database and clock), so nothing leaks.
    isolate: false,
    // Two test files at a time: most tests wait on I/O (a database, a socket, a timer), so even
    // a two-CPU CI machine runs two files in about the time of one and a half.
    maxWorkers: 2,
    coverage: {
      provider: 'v8',
      include: againstServices ? serviceAdapters : ['src/**/*.ts'],
      exclude: [
        'src/**/*.test.ts',
        'src/db/migrations/**',
        'src/main.ts',
        'src/db/migrate-cli.ts',
        ...(againstServices ? [] : serviceAdapters),
      ],
      reporter: ['text-summary', 'text', 'json-summary'],
      thresholds: { lines: 85, branches: 85 },
    },
  },
});
