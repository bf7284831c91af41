import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { migrationsFolder } from '../src/db/migrate.js';
import { createMigratedPostgresTemplate } from './infra.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A tarball of an embedded database with every migration applied. */
    pgliteTemplate: string;
    /**
     * With TEST_DATABASE_URL: the name of a PostgreSQL database with every migration applied,
     * for `create database … template` (test/infra.ts).
     */
    postgresTemplate: string | null;
  }
}

/**
 * Starting PGlite runs initdb, which takes seconds. We do it once, migrate, and hand every test
 * file a dump to load (about a second) instead. On PostgreSQL, likewise: creating a database and
 * migrating it took about 0.6 s, copying a migrated template about 0.12 s, and the suite makes
 * one for most tests.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-pglite-'));
  const file = path.join(dir, 'template.tar');
  const client = new PGlite();
  await migrate(drizzle(client), { migrationsFolder });
  const dump = await client.dumpDataDir('none');
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
  project.provide('pgliteTemplate', file);
  const postgres = await createMigratedPostgresTemplate();
  project.provide('postgresTemplate', postgres?.name ?? null);
  return async () => {
    rmSync(dir, { recursive: true, force: true });
    await postgres?.drop();
  };
}
