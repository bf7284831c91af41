import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
