import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DatabaseTarget, SqlExecutor } from '../db/client.js';

/**
 * The default Redis key and channel prefix: `ttb:` and a short hash of the database's identity,
 * so that two installs sharing one Redis (even on different database numbers: pub/sub ignores
 * them) never see each other's cache, counters or events, while every process of one install
 * computes the same prefix, at every start.
 *
 * PostgreSQL: the cluster's `system_identifier` (fixed when the cluster was created, the same
 * whichever host name, port or pooler a process reaches it by) and the database name. Where
 * `pg_control_system()` is not allowed (some managed services), the host, port and database
 * name from the URL. PGlite: the absolute data directory (one process uses it at a time; the
 * embedded cluster's identifier would be the same for every install made from one template).
 */
export async function defaultRedisPrefix(
  database: SqlExecutor,
  target: DatabaseTarget,
): Promise<string> {
  return `ttb:${shortHash(await databaseIdentity(database, target))}:`;
}

async function databaseIdentity(database: SqlExecutor, target: DatabaseTarget): Promise<string> {
  if ('dataDir' in target) return `pglite:${path.resolve(target.dataDir)}`;
  if (!('url' in target)) return `memory:${crypto.randomUUID()}`;
  try {
    const { rows } = await database.executeSql(
      'select system_identifier::text as id, current_database() as name from pg_control_system()',
    );
    const row = rows[0];
    if (row) return `postgres:${String(row.id)}/${String(row.name)}`;
  } catch {
    // Not allowed to read the control data: the URL names the database well enough.
  }
  const url = new URL(target.url);
  return `postgres:${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
