// The PostgreSQL database a scale bench keeps its seeded rows in between runs.
import pg from 'pg';

/**
 * Creates the database of `databaseUrl` when it is missing, or drops and creates it again when
 * `reseed` (the benches' `--reseed`). Connects to the server's `postgres` database to do so.
 */
export async function ensureDatabase(databaseUrl: string, reseed: boolean): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (reseed && found.rowCount) {
      await admin.query(`drop database ${pg.escapeIdentifier(name)} with (force)`);
    }
    if (reseed || !found.rowCount) {
      await admin.query(`create database ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await admin.end();
  }
}
