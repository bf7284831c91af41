// The PostgreSQL database a scale bench keeps its seeded rows in between runs.
import pg from 'pg';
import type { SqlExecutor } from '../src/db/client.js';
import { seedTickets } from './seed-tickets.js';

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

/** How a scale bench loads its rows: tickets first, then its own rows in batches of tickets. */
export interface BatchedSeed {
  executor: SqlExecutor;
  databaseUrl: string;
  ticketCount: number;
  /** Tickets per batch of the follow-up statements. */
  batch: number;
  /** What the follow-up statements load, for the progress lines ("messages", "facts"). */
  what: string;
  /** The statements and their parameters for tickets numbered `from`..`to`. */
  statements: (from: number, to: number) => [string, unknown[]][];
  /** The `analyze` statement run once everything is loaded. */
  analyze: string;
}

/**
 * Loads `ticketCount` tickets (bench/seed-tickets.ts) and then, batch by batch, the bench's own
 * rows, unless the database already holds that many tickets. Resolves to the time spent, as
 * text for the summary line, or undefined when nothing was loaded.
 */
export async function seedInBatches(seed: BatchedSeed): Promise<string | undefined> {
  const { executor, ticketCount, batch } = seed;
  const have = Number((await executor.executeSql('select count(*) as n from tickets')).rows[0]?.n);
  if (have >= ticketCount) {
    console.log(`bench database has ${have.toLocaleString('en')} tickets: not loaded again`);
    return undefined;
  }
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  await seedTickets(executor, ticketCount - have);
  console.log(`  ${ticketCount.toLocaleString('en')} tickets loaded (${elapsed()})`);
  const client = new pg.Client({ connectionString: seed.databaseUrl });
  await client.connect();
  try {
    // The rows are made consistent by construction: skip the foreign-key triggers while loading.
    await client.query('set session_replication_role = replica');
    const { rows } = await client.query<{ max: number }>('select max(number) as max from tickets');
    const last = Number(rows[0]?.max);
    for (let from = 1; from <= last; from += batch) {
      const to = from + batch - 1;
      for (const [statement, values] of seed.statements(from, to)) {
        await client.query(statement, values);
      }
      if ((to / batch) % 4 === 0) {
        console.log(`  ${seed.what} of ${to.toLocaleString('en')} tickets (${elapsed()})`);
      }
    }
    await client.query(seed.analyze);
  } finally {
    await client.end();
  }
  return elapsed();
}
