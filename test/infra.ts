import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { openReusedPglite } from './pglite-reuse.js';

/**
 * Which real services the suite runs against. Unset: embedded PGlite and in-process adapters
 * (what `npm test` uses on a bare machine). CI sets both to run the same suite on PostgreSQL
 * and Redis.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL || undefined;
export const testRedisUrl = process.env.TEST_REDIS_URL || undefined;

/** The engine the database-touching tests run on in this run. */
export const testDatabaseKind: Database['kind'] = testDatabaseUrl ? 'postgres' : 'pglite';

/** A prefix that keeps one test's Redis keys and channels apart from every other test's. */
export function uniquePrefix(): string {
  return `test:${randomUUID().slice(0, 8)}:`;
}

/**
 * Opens a migrated database as a fresh install has it, for one test app: a PGlite in the state
 * of the migrated template (loaded from it, or one a finished test used, put back:
 * test/pglite-reuse.ts), or a new PostgreSQL database copied from the migrated one
 * (test/global-setup.ts) that is dropped again on close.
 */
export async function openTestDatabase(): Promise<Database & { url?: string }> {
  if (!testDatabaseUrl) return openReusedPglite(inject('pgliteTemplate'));
  const template = inject('postgresTemplate');
  const target = await createPostgresDatabase(template);
  const database = await openDatabase({ url: target.url });
  if (!template) await migrateDatabase(database);
  const close = database.close.bind(database);
  return {
    ...database,
    url: target.url,
    async close() {
      await close();
      await target.drop();
    },
  };
}

/** A PostgreSQL database made for the tests, and how to drop it. */
interface TestPostgresDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** The URL of a fresh, empty PostgreSQL database (for tests that open it themselves). */
export function createEmptyPostgresDatabase(): Promise<TestPostgresDatabase> {
  return createPostgresDatabase(null);
}

/**
 * With TEST_DATABASE_URL, a database with every migration applied, made once per run
 * (test/global-setup.ts) for {@link openTestDatabase} to copy; nothing without it.
 */
export async function createMigratedPostgresTemplate(): Promise<TestPostgresDatabase | null> {
  if (!testDatabaseUrl) return null;
  const template = await createPostgresDatabase(null);
  const database = await openDatabase({ url: template.url });
  try {
    await migrateDatabase(database);
  } finally {
    // No connection may stay open to it: PostgreSQL copies a template only when none is.
    await database.close();
  }
  return template;
}

async function createPostgresDatabase(template: string | null): Promise<TestPostgresDatabase> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ttb_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const copied = template ? ` template ${template}` : '';
  await adminQuery(`create database ${name}${copied}`);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`drop database if exists ${name} with (force)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
