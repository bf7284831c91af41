import type { Logger } from 'pino';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export type { Database, Db, SqlExecutor, Tx } from './database.js';
import type { Database } from './database.js';

/** Where to find the database: a PostgreSQL URL, an embedded data directory, or memory. */
export type DatabaseTarget =
  | { url: string; /** connections the pool may open (DATABASE_POOL_MAX) */ poolMax?: number }
  | { dataDir: string; /** where a new one gets its cluster from */ templateDir?: string }
  | { memory: true; /** a `dumpDataDir()` tarball to start from */ loadDataDir?: Blob };

/** The database the configuration names: PostgreSQL when DATABASE_URL is set, else embedded. */
export function configuredTarget(config: {
  DATABASE_URL?: string;
  DATABASE_POOL_MAX?: number;
  DATA_DIR: string;
  PGLITE_TEMPLATE_DIR?: string;
}): DatabaseTarget {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX };
  }
  return {
    dataDir: config.DATA_DIR,
    ...(config.PGLITE_TEMPLATE_DIR ? { templateDir: config.PGLITE_TEMPLATE_DIR } : {}),
  };
}

/** Opens the database named by `target`. */
export async function openDatabase(target: DatabaseTarget, logger?: Logger): Promise<Database> {
  if ('url' in target) return openPostgres(target.url, logger, target.poolMax);
  if ('dataDir' in target) {
    return openPglite(
      target.dataDir,
      target.templateDir ? { templateDir: target.templateDir } : {},
    );
  }
  return openPglite(undefined, target.loadDataDir ? { loadDataDir: target.loadDataDir } : {});
}
