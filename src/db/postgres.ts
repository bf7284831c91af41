import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database, Db } from './database.js';
import { outsideLogContext } from '../platform/log-context.js';
import { createOutageLog } from './outage-log.js';
import * as schema from './schema.js';

/**
 * Opens a pool of at most `poolMax` connections on a PostgreSQL server; fails at once, with the
 * driver's message, if it cannot connect.
 */
export async function openPostgres(url: string, logger?: Logger, poolMax = 10): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, connectionTimeoutMillis: 5000 });
  const logOutage = logger ? createOutageLog(logger) : () => undefined;
  const logLost = (error: Error) =>
    outsideLogContext(() => logOutage(error, 'PostgreSQL connection lost'));
  // A connection that dies (a server restart, a network cut) emits 'error' on its client: in the
  // pool through the pool's listener, but while checked out (inside a transaction, between two
  // statements) on the client alone, where no listener would crash the process. Either way the
  // pool drops the client and the next query opens a fresh connection, so it is only logged
  // (outside the log context of whichever request opened the connection).
  pool.on('error', logLost);
  pool.on('connect', (client) => {
    client.on('error', logLost);
  });
  // Fail at start-up, with the driver's message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  return poolDatabase(pool, 'postgres');
}

/**
 * The {@link Database} over a node-postgres pool: a PostgreSQL server's, or the embedded
 * database's in its own thread (`pglite.ts`). `close` ends the pool.
 */
export function poolDatabase(pool: pg.Pool, kind: Database['kind']): Database {
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    kind,
    db,
    async executeSql(text, values = []) {
      if (values.length > 0) {
        return { rows: (await pool.query<Record<string, unknown>>(text, values)).rows };
      }
      // Parameterless SQL may hold several statements and open a transaction (pg-boss's DDL
      // does). If one fails, roll back on that same connection before it returns to the pool.
      const connection = await pool.connect();
      let broken: Error | undefined;
      try {
        const result = (await connection.query(text)) as unknown as
          pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
        return { rows: (Array.isArray(result) ? result.at(-1) : result)?.rows ?? [] };
      } catch (error) {
        // A lost connection has nothing to roll back: the statement's error is the one to tell,
        // and the pool must not keep the connection.
        await connection.query('rollback').catch((rollbackError: unknown) => {
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        connection.release(broken);
      }
    },
    async withAdvisoryLock(key, work) {
      const connection = await pool.connect();
      try {
        await connection.query('select pg_advisory_lock($1)', [key]);
        try {
          return await work(drizzle(connection, { schema }));
        } finally {
          await connection.query('select pg_advisory_unlock($1)', [key]);
        }
      } finally {
        connection.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
