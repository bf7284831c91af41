import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import { connectToThread } from '../../test/pglite-reuse.js';
import type { Database } from './client.js';
import { isUniqueViolation } from './errors.js';
import { openPglite } from './pglite.js';
import { startPgliteThread, type PgliteThread } from './pglite-thread.js';

/** How many turns the event loop takes until `work` settles. */
async function loopTurnsDuring(work: Promise<unknown>): Promise<number> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  let turns = 0;
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    turns += 1;
  }
  await done;
  return turns;
}

// The same behaviour on PostgreSQL, where several connections make it so by nature.
describe('the database seen from the event loop', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await database.executeSql('create table pairs (id int primary key, note text)');
  });
  afterAll(() => database.close());

  it('keeps answering the event loop while a long statement runs', async () => {
    // PGlite runs a statement synchronously: on the event loop it would allow not one turn.
    const turns = await loopTurnsDuring(
      database.executeSql('select count(*) from generate_series(1, 3000000)'),
    );
    expect(turns).toBeGreaterThan(20);
  });

  it('reports a refused duplicate with its SQLSTATE, through Drizzle', async () => {
    await database.db.execute(sql`insert into pairs values (1, 'first')`);
    const refused = await database.db
      .execute(sql`insert into pairs values (1, 'again')`)
      .catch((error: unknown) => error);
    expect(isUniqueViolation(refused)).toBe(true);
  });

  it('runs a statement sent during a transaction after it, not inside it', async () => {
    let outside: Promise<unknown> | undefined;
    await expect(
      database.db.transaction(async (tx) => {
        await tx.execute(sql`insert into pairs values (10, 'rolled back')`);
        outside = database.executeSql(`insert into pairs values (11, 'kept')`);
        await new Promise((resolve) => setImmediate(resolve));
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await outside;
    const { rows } = await database.executeSql(
      'select id from pairs where id in (10, 11) order by id',
    );
    expect(rows).toEqual([{ id: 11 }]);
  });
});

describe('the embedded database in a directory', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-pglite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('closes cleanly and finds its rows on the next start', async () => {
    const first = await openPglite(dir);
    await first.executeSql('create table kept (note text)');
    await first.executeSql('insert into kept values ($1)', ['survives a restart']);
    await first.close();
    const second = await openPglite(dir);
    try {
      expect((await second.executeSql('select note from kept')).rows).toEqual([
        { note: 'survives a restart' },
      ]);
    } finally {
      await second.close();
    }
  });
});

describe('the embedded database thread', () => {
  // The migrated template (test/global-setup.ts), which spares each thread an initdb.
  const fromTemplate = () => ({
    loadDataDir: new Uint8Array(readFileSync(inject('pgliteTemplate'))),
  });
  let thread: PgliteThread;
  beforeAll(async () => {
    thread = await startPgliteThread(fromTemplate());
  });
  afterAll(() => thread.close());

  const connect = () => connectToThread(thread);

  it('keeps the prepared statements of two connections apart', async () => {
    const [one, two] = await Promise.all([connect(), connect()]);
    try {
      const [first, second] = await Promise.all([
        one.query({ name: 'which', text: 'select 1 as n' }),
        two.query({ name: 'which', text: 'select 2 as n' }),
      ]);
      expect([first.rows, second.rows]).toEqual([[{ n: 1 }], [{ n: 2 }]]);
      expect((await one.query({ name: 'which', text: 'select 1 as n' })).rows).toEqual([{ n: 1 }]);
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
  });

  it('runs another connection’s statements only once a transaction ends', async () => {
    const [owner, other] = await Promise.all([connect(), connect()]);
    try {
      await owner.query('create table turns (n int)');
      await owner.query('begin');
      await owner.query('insert into turns values (1)');
      const counted = other.query('select count(*)::int as n from turns');
      await owner.query('insert into turns values (2)');
      await owner.query('rollback');
      expect((await counted).rows).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all([owner.end(), other.end()]);
    }
  });

  it('rolls back a lost connection’s transaction and frees its statement names', async () => {
    const lost = await connect();
    await lost.query('create table seen (n int)');
    await lost.query({ name: 'count_seen', text: 'select count(*)::int as n from seen' });
    await lost.query('begin');
    await lost.query('insert into seen values (1)');
    lost.on('error', () => undefined);
    lost.connection.stream.destroy();

    const next = await connect();
    try {
      expect((await next.query('select count(*)::int as n from seen')).rows).toEqual([{ n: 0 }]);
      const prepared = await next.query('select count(*)::int as n from pg_prepared_statements');
      expect(prepared.rows).toEqual([{ n: 0 }]);
    } finally {
      await next.end();
    }
  });

  it('refuses connections once closed, rather than leaving them waiting', async () => {
    const closing = await startPgliteThread(fromTemplate());
    await closing.close();
    const client = new pg.Client({
      user: 'postgres',
      database: 'postgres',
      stream: () => closing.connect(),
    });
    await expect(client.connect()).rejects.toThrow(/embedded database/);
  });
});
