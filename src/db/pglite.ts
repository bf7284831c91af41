import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Db } from './database.js';
import { prepareCluster } from './cluster-template.js';
import * as schema from './schema.js';

/** Where {@link openPglite} finds or puts the database. */
export interface PgliteOptions {
  /** A `dumpDataDir()` tarball to start an in-memory database from. */
  loadDataDir?: Blob;
  /** Where new data directories get their migrated cluster from (see `cluster-template.ts`). */
  templateDir?: string;
}

/**
 * Opens embedded PostgreSQL: in `dataDir/pg` (a new one starts from the cluster template), or in
 * memory (optionally from a dump).
 */
export async function openPglite(
  dataDir: string | undefined,
  { loadDataDir, templateDir }: PgliteOptions = {},
): Promise<Database> {
  let dir: string | undefined;
  if (dataDir !== undefined) {
    dir = path.resolve(dataDir, 'pg');
    await prepareCluster(dir, templateDir);
    mkdirSync(dir, { recursive: true });
  }
  const client = await PGlite.create(dir, loadDataDir ? { loadDataDir } : {});
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    async executeSql(text, values = []) {
      // Parameterless SQL may hold several statements (pg-boss sends its DDL that way).
      if (values.length === 0) {
        try {
          const results = await client.exec(text);
          return { rows: results.at(-1)?.rows ?? [] };
        } catch (error) {
          // If the statements opened a transaction, the one connection must not stay in it.
          await client.exec('rollback');
          throw error;
        }
      }
      const result = await client.query<Record<string, unknown>>(text, values);
      return { rows: result.rows };
    },
    // PGlite is a single connection used by one process, so a lock is only a formality,
    // but taking it keeps the code path identical to PostgreSQL's.
    async withAdvisoryLock(key, work) {
      await client.query('select pg_advisory_lock($1)', [key]);
      try {
        return await work(db);
      } finally {
        await client.query('select pg_advisory_unlock($1)', [key]);
      }
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
