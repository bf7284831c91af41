import { sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from './database.js';

/**
 * A placeholder for an instant, passed as ISO text or null (as the statistics' queries pass
 * times): a timestamp column's encoder would refuse a null, and Drizzle's `set` takes no
 * encoded placeholder.
 */
export function instantPlaceholder(name: string): SQL {
  return sql`${sql.placeholder(name)}::timestamptz`;
}

/** The value of an {@link instantPlaceholder}: the instant as ISO text, or null. */
export function instantValue(at: Date | null): string | null {
  return at?.toISOString() ?? null;
}

/** A query Drizzle has prepared, as it runs: with the placeholders' values. */
interface Prepared<Result> {
  execute(values?: Record<string, unknown>): Promise<Result>;
}

/** What a query builder offers once its placeholders are in place. */
interface Preparable<Result> {
  prepare(name: string): Prepared<Result>;
}

/**
 * The connection a transaction runs on. Both engines reach Drizzle through node-postgres
 * (`postgres.ts`; PGlite behind its protocol bridge, `pglite.ts`), whose session keeps it as
 * `client`, the checked-out connection inside a transaction.
 */
function connectionOf(tx: Tx): unknown {
  const { session } = tx._ as unknown as { session: { client?: unknown } };
  if (!session.client) throw new Error('a transaction without a connection');
  return session.client;
}

/**
 * A statement Drizzle builds once, with `sql.placeholder()` where values vary, and PostgreSQL
 * parses once per connection (a named prepared statement), run on the pool or inside a
 * transaction. Drizzle's own prepared statements run on the pool only: in a transaction, every
 * query was built anew, which cost more of the server's time than running it (`POST …/messages`:
 * a quarter of a millisecond for its insert alone; bench/load.ts). Written here because Drizzle
 * has no way to run a prepared statement on a transaction's connection: this runs the one
 * prepared on the pool with the transaction's connection in its place (the prepared query reads
 * the connection it runs on from itself, and nothing else of it differs).
 *
 * `name` must be unique in the process: PostgreSQL knows a prepared statement by it. What Drizzle
 * computes in JavaScript is computed once, when the statement is built: a new row's `id` (every
 * table's default, `schema.ts`) must be a placeholder too. A JSON column's placeholder goes
 * through the column's encoder, which makes a null JSON's `null`: pass JSON text to
 * `sql\`${placeholder}::jsonb\`` where the value may be missing (`audit/service.ts`).
 */
export function reusableStatement<Result>(
  db: Db,
  name: string,
  build: (db: Db) => Preparable<Result>,
): (executor: Db | Tx, values?: Record<string, unknown>) => Promise<Result> {
  let prepared: Prepared<Result> | undefined;
  return (executor, values) => {
    prepared ??= build(db).prepare(name);
    if (executor === db) return prepared.execute(values);
    const onTransaction = Object.create(prepared, {
      client: { value: connectionOf(executor as Tx) },
    }) as Prepared<Result>;
    return onTransaction.execute(values);
  };
}
