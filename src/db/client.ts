import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'pino';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type * as schema from './schema.js';

/** The Drizzle handle the services use; the same type whichever engine is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction handle, as passed to `db.transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Raw SQL access for the few places that need it (job queue, advisory locks, health). */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** An open database: embedded PGlite or a PostgreSQL pool, behind one interface. */
export interface Database extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  /** Runs `work` with the database to itself under a PostgreSQL advisory lock. */
  withAdvisoryLock<T>(key: number, work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where to find the database: a PostgreSQL URL, an embedded data directory, or memory. */
export type DatabaseTarget =
  | { url: string }
  | { dataDir: string; /** where a new one gets its cluster from */ templateDir?: string }
  | { memory: true; /** a `dumpDataDir()` tarball to start from */ loadDataDir?: Blob };

/** The database the configuration names: PostgreSQL when DATABASE_URL is set, else embedded. */
export function configuredTarget(config: {
  DATABASE_URL?: string;
  DATA_DIR: string;
  PGLITE_TEMPLATE_DIR?: string;
}): DatabaseTarget {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL };
  return {
    dataDir: config.DATA_DIR,
    ...(config.PGLITE_TEMPLATE_DIR ? { templateDir: config.PGLITE_TEMPLATE_DIR } : {}),
  };
}

/** Opens the database named by `target`. */
export async function openDatabase(target: DatabaseTarget, logger?: Logger): Promise<Database> {
  if ('url' in target) return openPostgres(target.url, logger);
  if ('dataDir' in target) {
    return openPglite(
      target.dataDir,
      target.templateDir ? { templateDir: target.templateDir } : {},
    );
  }
  return openPglite(undefined, target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
}
