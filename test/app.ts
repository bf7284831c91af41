import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { z } from 'zod';
import type { tokenPairSchema } from '../src/auth/schemas.js';
import { loadConfig } from '../src/config.js';
import { createContainer, type Container } from '../src/container.js';
import type { Database } from '../src/db/database.js';
import { withDirectWrites, type UserDirectWrites } from '../src/users/direct-writes.js';
import { buildApp } from '../src/http/app.js';
import type { Clock } from '../src/platform/clock.js';
import { createLogger } from '../src/platform/logger.js';
import { openTestDatabase, testRedisUrl, uniquePrefix } from './infra.js';
import { signInitData, testBotToken, type TestTelegramUser } from './init-data.js';

/**
 * The application's container, its users service with the test-only writes of a role or block
 * state (`src/users/direct-writes.ts`) that set up people without the staff rules.
 */
export type TestContainer = Container & { users: Container['users'] & UserDirectWrites };

/** `container` with the test-only writes added to its users service. */
export function asTestContainer(container: Container): TestContainer {
  return Object.assign(container, { users: withDirectWrites(container.users, container) });
}

/** A running application on a fresh database, driven with `app.inject()`. */
export interface TestApp {
  app: FastifyInstance;
  container: TestContainer;
  /** The PostgreSQL database of this app, when the suite runs on PostgreSQL. */
  databaseUrl?: string;
  close(): Promise<void>;
}

/** Options for a test application. */
export interface TestAppOptions {
  /** Environment variables on top of the test defaults (bot token set, logging silent). */
  env?: Record<string, string>;
  /** Where log lines go, to read them in a test (set `LOG_LEVEL` in `env` too). */
  logStream?: DestinationStream;
  /** Start the job queue, as `npm start` does (slower; only readiness tests need it). */
  startQueue?: boolean;
  clock?: Clock;
  /**
   * Start as a fresh install does, with its default category. Off by default: most tests set
   * up the categories they need, on an empty table.
   */
  defaultCategory?: boolean;
  /** Adds test-only routes to the app before it is ready (a route that fails on purpose). */
  routes?: (app: FastifyInstance) => void;
  /**
   * Another test app's database, to start on it as a restarted process would. Closing this app
   * leaves it open: the app that opened it closes it.
   */
  database?: Database;
  /**
   * The Redis key and channel prefix (default: one of its own). Two apps given the same one share
   * cache and pub/sub as two processes of one install do.
   */
  redisPrefix?: string;
}

/**
 * Builds the whole application as `npm start` would, on a fresh database (PGlite, or
 * PostgreSQL with TEST_DATABASE_URL) and in-process adapters (Redis with TEST_REDIS_URL).
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-app-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    TELEGRAM_BOT_TOKEN: testBotToken,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    ...options.env,
  });
  const database = options.database
    ? { ...options.database, close: () => Promise.resolve() }
    : await openTestDatabase();
  const created = await createContainer(config, createLogger(config.LOG_LEVEL, options.logStream), {
    database,
    redisPrefix: options.redisPrefix ?? uniquePrefix(),
    defaultCategory: options.defaultCategory ?? false,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const container = asTestContainer(created);
  if (options.startQueue) await container.start();
  const app = await buildApp(container);
  options.routes?.(app);
  await app.ready();
  return {
    app,
    container,
    ...(database.url ? { databaseUrl: database.url } : {}),
    async close() {
      await app.close();
      await container.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The reply body of a sign-in. */
export type TokenPairBody = z.infer<typeof tokenPairSchema>;

/**
 * Signs in through `POST /api/v1/auth/telegram` as a Telegram client would, with launch data
 * dated by the app's own clock (a test app on a fixed clock refuses data dated by the wall clock).
 */
export async function signIn(t: TestApp, user: TestTelegramUser): Promise<TokenPairBody> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/telegram',
    payload: { init_data: signInitData(user, { authDate: t.container.clock.now() }) },
  });
  if (response.statusCode !== 200) {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<TokenPairBody>();
}

/** An Authorization header for this access token. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
