import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseUrl } from '../../test/infra.js';
import { requestLogContext, runInLogContext } from '../platform/log-context.js';
import { createLogger } from '../platform/logger.js';
import { openPostgres } from './postgres.js';
import type { Database } from './database.js';

describe.runIf(testDatabaseUrl !== undefined)('a PostgreSQL connection lost', () => {
  let empty: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
  let database: Database;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    empty = await createEmptyPostgresDatabase();
    const logger = createLogger('warn', {
      write: (raw: string) => lines.push(JSON.parse(raw) as Record<string, unknown>),
    });
    database = await openPostgres(empty.url, logger);
  });
  afterAll(async () => {
    await database.close();
    await empty.drop();
  });

  it('is logged without the id of the request that happened to open it', async () => {
    // Two statements at once inside a request: the pool opens a connection for the second there.
    await runInLogContext(requestLogContext('opened-the-connection'), () =>
      Promise.all([
        database.executeSql('select pg_sleep(0.05)'),
        database.executeSql('select pg_sleep(0.05)'),
      ]),
    );
    // The server ends every connection of the pool (a restart, say), long after that request.
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    try {
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [new URL(empty.url).pathname.slice(1)],
      );
    } finally {
      await admin.end();
    }

    await vi.waitFor(() =>
      expect(lines.filter((l) => l.msg === 'PostgreSQL connection lost')).not.toHaveLength(0),
    );
    expect(lines.filter((l) => 'request_id' in l)).toEqual([]);
  });
});

describe.runIf(testDatabaseUrl !== undefined)('the PostgreSQL pool', () => {
  it('opens no more connections than DATABASE_POOL_MAX, however many statements wait', async () => {
    const empty = await createEmptyPostgresDatabase();
    const database = await openPostgres(empty.url, undefined, 2);
    try {
      const pids = await Promise.all(
        Array.from({ length: 6 }, () =>
          database.executeSql('select pg_backend_pid() as pid, pg_sleep(0.05)'),
        ),
      );
      const distinct = new Set(pids.map((result) => result.rows[0]?.pid));
      expect(distinct.size).toBe(2);
    } finally {
      await database.close();
      await empty.drop();
    }
  });
});
