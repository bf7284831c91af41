import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Database } from './database.js';
import { prepareCluster } from './cluster-template.js';
import { startPgliteThread, type PgliteThread } from './pglite-thread.js';
import { poolDatabase } from './postgres.js';

/** Connections to the database thread: enough to keep it busy while answers travel back. */
const embeddedConnections = 4;

/** Where {@link openPglite} finds or puts the database. */
export interface PgliteOptions {
  /** A `dumpDataDir()` tarball to start an in-memory database from. */
  loadDataDir?: Blob;
  /** Where new data directories get their migrated cluster from (see `cluster-template.ts`). */
  templateDir?: string;
}

/**
 * Opens embedded PostgreSQL: in `dataDir/pg` (a new one starts from the cluster template), or in
 * memory (optionally from a dump). PGlite runs in a thread of its own (`pglite-thread.ts`), so
 * its statements, run synchronously in WebAssembly, do not stop the event loop; the application
 * reaches it through node-postgres and Drizzle's node-postgres driver, as it reaches a PostgreSQL
 * server. PGlite is one backend: statements run one at a time, and a transaction has it to
 * itself until it ends.
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
  const thread = await startPgliteThread({
    ...(dir ? { dataDir: dir } : {}),
    ...(loadDataDir ? { loadDataDir: new Uint8Array(await loadDataDir.arrayBuffer()) } : {}),
  });
  return pgliteDatabase(thread, () => thread.close());
}

/**
 * The database reached through a running database thread: `close` ends its connections, then
 * calls `release` (which closes the thread; the tests' `test/pglite-reuse.ts` resets it for the
 * next test instead).
 */
export function pgliteDatabase(thread: PgliteThread, release: () => Promise<void>): Database {
  // Several connections, kept open, so statements queue in the database thread (which runs
  // them back to back) rather than here; it keeps their sessions apart (`pglite-session.ts`).
  const pool = new pg.Pool({
    max: embeddedConnections,
    idleTimeoutMillis: 0,
    user: 'postgres',
    database: 'postgres',
    stream: () => thread.connect(),
  });
  const database = poolDatabase(pool, 'pglite');
  return {
    ...database,
    // The lock must not hold the one connection for itself, as on PostgreSQL: `work` may use the
    // database too (pg-boss's start does). With one process on one session it is a formality,
    // but taking it keeps the SQL identical to PostgreSQL's.
    async withAdvisoryLock(key, work) {
      await pool.query('select pg_advisory_lock($1)', [key]);
      try {
        return await work(database.db);
      } finally {
        await pool.query('select pg_advisory_unlock($1)', [key]);
      }
    },
    async close() {
      await database.close();
      await release();
    },
  };
}
