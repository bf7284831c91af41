import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database, Db } from './client.js';
import * as schema from './schema.js';

/** Opens a pool on a PostgreSQL server; fails at once, with the driver's message, if it cannot connect. */
export async function openPostgres(url: string, logger?: Logger): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
  pool.on('error', (error) => logger?.error({ err: error }, 'idle PostgreSQL client failed'));
  // Fail at start-up, with the driver's message, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    async executeSql(text, values = []) {
      if (values.length > 0) {
        return { rows: (await pool.query<Record<string, unknown>>(text, values)).rows };
      }
      // Parameterless SQL may hold several statements and open a transaction (pg-boss's DDL
      // does). If one fails, roll back on that same connection before it returns to the pool.
      const connection = await pool.connect();
      try {
        const result = (await connection.query(text)) as unknown as
          pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
        return { rows: (Array.isArray(result) ? result.at(-1) : result)?.rows ?? [] };
      } catch (error) {
        await connection.query('rollback');
        throw error;
      } finally {
        connection.release();
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
