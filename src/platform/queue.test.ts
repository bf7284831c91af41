import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { PgDialect } from 'drizzle-orm/pg-core';
import { bindParameters, transactionExecutor } from '../db/transaction-executor.js';
import {
  createEmptyPostgresDatabase,
  openTestDatabase,
  testDatabaseKind,
} from '../../test/infra.js';
import { requestLogContext, runInLogContext } from './log-context.js';
import { createLogger } from './logger.js';
import {
  createJobQueue,
  defaultRetryPolicy,
  type JobQueue,
  type JobQueueOptions,
  type QueuedJob,
} from './queue.js';

/** What the queue logged, as parsed pino lines. */
const logged: LogLine[] = [];
const logger = pino(
  { level: 'debug' },
  { write: (line: string) => logged.push(JSON.parse(line) as LogLine) },
);

interface LogLine {
  level: number;
  msg: string;
  queue?: string;
}

let database: Database;
const started: JobQueue[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((queue) => queue.stop({ graceful: false })));
});

afterAll(async () => {
  await database.close();
});

/** A queue in a schema of its own, so every test starts from an empty pg-boss install. */
function newQueue(overrides: Partial<JobQueueOptions> = {}): JobQueue {
  const queue = createJobQueue({
    database,
    logger,
    schema: `q_${randomUUID().slice(0, 8)}`,
    pollingIntervalSeconds: 0.5,
    ...overrides,
  });
  started.push(queue);
  return queue;
}

/** Records every job handed to a handler. */
function recorder<T>() {
  const jobs: QueuedJob<T>[] = [];
  const handler = (job: QueuedJob<T>) => {
    jobs.push(job);
    return Promise.resolve();
  };
  return { jobs, handler };
}

async function jobState(schema: string, id: string | null): Promise<unknown> {
  const { rows } = await database.executeSql(`select state from ${schema}.job where id = $1`, [id]);
  return rows[0]?.state;
}

const wait = { timeout: 15_000, interval: 50 };
const defaultRetryPolicyRow = {
  retry_limit: defaultRetryPolicy.retryLimit,
  retry_delay: defaultRetryPolicy.retryDelay,
  retry_backoff: defaultRetryPolicy.retryBackoff,
};

describe('JobQueue', () => {
  it('hands a sent job to a worker with its data', async () => {
    const queue = newQueue();
    await queue.start();
    const { jobs, handler } = recorder<{ ticketId: number }>();
    await queue.work('deliver', handler);

    const id = await queue.send('deliver', { ticketId: 42 });

    await vi.waitFor(() => expect(jobs).toHaveLength(1), wait);
    expect(jobs[0]).toEqual({ id, name: 'deliver', data: { ticketId: 42 }, retryCount: 0 });
  });

  it('works through a backlog without waiting a polling interval between jobs', async () => {
    const queue = newQueue({ pollingIntervalSeconds: 5 });
    await queue.start();
    await Promise.all(Array.from({ length: 10 }, (_, n) => queue.send('backlog', { n })));
    const { jobs, handler } = recorder<{ n: number }>();

    await queue.work('backlog', handler);

    await vi.waitFor(() => expect(jobs).toHaveLength(10), { timeout: 3000, interval: 50 });
  });

  it('reports each queue’s due jobs and the oldest one’s wait, leaving out delayed and taken jobs', async () => {
    const queue = newQueue();
    await queue.start();
    await queue.send('waiting', { n: 1 });
    await queue.send('waiting', { n: 2 });
    await queue.send('waiting', { n: 3 }, { startAfter: 3600 });
    const { jobs, handler } = recorder<{ n: number }>();
    await queue.work('taken', handler);
    await queue.send('taken', { n: 4 });
    await vi.waitFor(() => expect(jobs).toHaveLength(1), wait);
    await sleep(20);

    const depths = await queue.depths();
    expect(depths.map(({ queue: name, waiting }) => ({ name, waiting }))).toEqual([
      { name: 'taken', waiting: 0 },
      { name: 'waiting', waiting: 2 },
    ]);
    const waited = depths.find((depth) => depth.queue === 'waiting')?.oldestAgeSeconds ?? 0;
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(60);
    expect(depths.find((depth) => depth.queue === 'taken')?.oldestAgeSeconds).toBe(0);
  });

  it('gives a job the default retry policy unless its sender overrides it', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    const plain = await queue.send('policy', {});
    const custom = await queue.send('policy', {}, { retryLimit: 1, retryBackoff: false });

    const { rows } = await database.executeSql(
      `select id, retry_limit, retry_delay, retry_backoff from ${schema}.job order by retry_limit`,
    );

    expect(rows).toEqual([
      { id: custom, retry_limit: 1, retry_delay: 10, retry_backoff: false },
      { id: plain, ...defaultRetryPolicyRow },
    ]);
  });

  it('retries a job whose handler throws, then completes it', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    const attempts: number[] = [];
    await queue.work('flaky', (job) => {
      attempts.push(job.retryCount);
      if (attempts.length < 3) throw new Error(`attempt ${attempts.length} failed`);
      return Promise.resolve();
    });

    const id = await queue.send('flaky', {}, { retryDelay: 0, retryBackoff: false });

    await vi.waitFor(async () => expect(await jobState(schema, id)).toBe('completed'), wait);
    expect(attempts).toEqual([0, 1, 2]);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'job failed; it will be retried', queue: 'flaky' }),
    );
  });

  it('fails a job for good once its retries are spent', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    let attempts = 0;
    await queue.work('doomed', () => {
      attempts += 1;
      return Promise.reject(new Error('always fails'));
    });

    const id = await queue.send('doomed', {}, { retryLimit: 1, retryDelay: 0 });

    await vi.waitFor(async () => expect(await jobState(schema, id)).toBe('failed'), wait);
    expect(attempts).toBe(2);
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'job failed and has no retries left', queue: 'doomed' }),
    );
  });

  it('carries the id of the request a job was sent for to every line its worker logs', async () => {
    const lines: Record<string, unknown>[] = [];
    const appLogger = createLogger('info', {
      write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const queue = newQueue({ logger: appLogger });
    await queue.start();
    const { jobs, handler } = recorder<{ n: number }>();
    await queue.work<{ n: number }>('traced', async (job) => {
      await handler(job);
      appLogger.info({ n: job.data.n }, 'handled');
      if (job.data.n === 3) throw new Error('refused');
    });

    const traced = await runInLogContext(requestLogContext('req-traced'), () =>
      queue.send('traced', { n: 1 }),
    );
    const plain = await queue.send('traced', { n: 2 });
    await runInLogContext(requestLogContext('req-failing'), () =>
      queue.send('traced', { n: 3 }, { retryLimit: 0 }),
    );

    await vi.waitFor(() => expect(lines.filter((l) => l.msg === 'handled')).toHaveLength(3), wait);
    // The handler gets the data as it was sent; the id travels beside it.
    expect(jobs.map((job) => job.data).toSorted((a, b) => a.n - b.n)).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    const handled = (n: number) => lines.find((l) => l.msg === 'handled' && l.n === n);
    expect(handled(1)).toMatchObject({ request_id: 'req-traced', queue: 'traced', jobId: traced });
    expect(handled(2)).toMatchObject({ queue: 'traced', jobId: plain });
    expect(handled(2)).not.toHaveProperty('request_id');
    await vi.waitFor(() =>
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: 'job failed and has no retries left',
          request_id: 'req-failing',
          queue: 'traced',
        }),
      ),
    );
  });

  it('in a batch, retries only the job whose handler threw', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    const ids = await Promise.all(
      [1, 2, 3].map((n) => queue.send('batch', { n }, { retryDelay: 0 })),
    );
    const seen: number[] = [];
    await queue.work<{ n: number }>(
      'batch',
      (job) => {
        seen.push(job.data.n);
        // A thrown string is failed, and kept, as well as an Error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return job.data.n === 2 && job.retryCount === 0 ? Promise.reject('no') : Promise.resolve();
      },
      { batchSize: 3 },
    );

    await vi.waitFor(async () => {
      const states = await Promise.all(ids.map((id) => jobState(schema, id)));
      expect(states).toEqual(['completed', 'completed', 'completed']);
    }, wait);
    expect(seen.toSorted((a, b) => a - b)).toEqual([1, 2, 2, 3]);
  });

  it('keeps queued jobs across a restart', async () => {
    const store = await restartableDatabase();
    try {
      const first = await store.open();
      await migrateDatabase(first);
      const before = createJobQueue({ database: first, logger, pollingIntervalSeconds: 0.5 });
      await before.start();
      const id = await before.send('survive', { note: 'written before the restart' });
      await before.stop();
      await first.close();

      const second = await store.open();
      const after = createJobQueue({ database: second, logger, pollingIntervalSeconds: 0.5 });
      try {
        await after.start();
        const { jobs, handler } = recorder<{ note: string }>();
        await after.work('survive', handler);
        await vi.waitFor(() => expect(jobs.map((job) => job.id)).toEqual([id]), wait);
        expect(jobs[0]?.data).toEqual({ note: 'written before the restart' });
      } finally {
        await after.stop();
        await second.close();
      }
    } finally {
      await store.cleanup();
    }
  });

  it('writes a job sent through a transaction only if the transaction commits', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();

    // First use of the queue name inside a transaction that rolls back: the queue goes too.
    const rolledBack = new Error('roll back');
    await expect(
      database.db.transaction(async (tx) => {
        await queue.send('audit', { n: 1 }, { executor: transactionExecutor(tx) });
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    const count = `select count(*)::int as n from ${schema}.job where name = 'audit'`;
    expect((await database.executeSql(count)).rows).toEqual([{ n: 0 }]);

    const committed = await database.db.transaction((tx) =>
      queue.send('audit', { n: 2 }, { executor: transactionExecutor(tx) }),
    );
    const { jobs, handler } = recorder<{ n: number }>();
    await queue.work('audit', handler);
    await vi.waitFor(() => expect(jobs.map((job) => job.id)).toEqual([committed]), wait);

    // Once the queue is known to exist, a transaction only inserts the job.
    const again = await database.db.transaction((tx) =>
      queue.send('audit', { n: 3 }, { executor: transactionExecutor(tx) }),
    );
    await vi.waitFor(() => expect(jobs.map((job) => job.id)).toEqual([committed, again]), wait);
    expect(jobs.map((job) => job.data.n)).toEqual([2, 3]);
  });

  it('processes each job exactly once with two instances working the same queue', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const one = newQueue({ schema });
    const two = newQueue({ schema });
    // Both race to install pg-boss's tables; the loser must leave the database usable.
    await Promise.all([one.start(), two.start()]);
    const deliveries = new Map<string, number>();
    const count = (job: QueuedJob<object>) => {
      deliveries.set(job.id, (deliveries.get(job.id) ?? 0) + 1);
      return Promise.resolve();
    };
    await one.work('fanout', count, { batchSize: 5 });
    await two.work('fanout', count, { batchSize: 5 });

    const ids = await Promise.all(Array.from({ length: 20 }, (_, n) => one.send('fanout', { n })));

    await vi.waitFor(() => expect(deliveries.size).toBe(20), wait);
    await sleep(1000); // another round of polls by both instances
    expect(new Set(deliveries.keys())).toEqual(new Set(ids));
    expect([...deliveries.values()].every((times) => times === 1)).toBe(true);
  });

  it('sends a scheduled job on its cron tick', async () => {
    const queue = newQueue({ scheduleIntervalSeconds: 1 });
    await queue.start();
    const { jobs, handler } = recorder<{ kind: string }>();
    await queue.work('reminders', handler);

    await queue.schedule('reminders', '* * * * *', { kind: 'sweep' });

    await vi.waitFor(() => expect(jobs.length).toBeGreaterThan(0), wait);
    expect(jobs[0]?.data).toEqual({ kind: 'sweep' });
  });

  it('answers ping only while started, and stop() leaves no timers behind', async () => {
    const timers = watchQueueTimers();
    try {
      const queue = newQueue({ scheduleIntervalSeconds: 1 });
      expect(await queue.ping()).toBe(false);

      await queue.start();
      await queue.work('idle', () => Promise.resolve());
      expect(await queue.ping()).toBe(true);
      expect(timers.alive()).toBeGreaterThan(0);

      await queue.stop();
      expect(await queue.ping()).toBe(false);
      await vi.waitFor(() => expect(timers.alive()).toBe(0), { timeout: 2000 });
    } finally {
      timers.stop();
    }
  });

  it('waits for a running job when stopping gracefully', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    let began = false;
    let followUp: string | null = null;
    await queue.work('slow', async () => {
      began = true;
      await sleep(700);
      followUp = await queue.send('follow-up', {});
    });
    const id = await queue.send('slow', {});
    await vi.waitFor(() => expect(began).toBe(true), wait);

    await queue.stop({ timeoutMs: 5000 });

    expect(await jobState(schema, id)).toBe('completed');
    // The running job could still queue its follow-up while the queue was stopping.
    expect(await jobState(schema, followUp)).toBe('created');
  });

  it('gives a running job back for a retry when stopping at once', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    let finish = () => {};
    const running = new Promise<void>((resolve) => (finish = resolve));
    let began = false;
    await queue.work('stuck', async () => {
      began = true;
      await running;
    });
    const id = await queue.send('stuck', {});
    await vi.waitFor(() => expect(began).toBe(true), wait);

    await queue.stop({ graceful: false });
    finish(); // the handler ends after the stop: its completion must not reach the database
    await sleep(100);

    expect(await jobState(schema, id)).toBe('retry');
    expect(logged).toContainEqual(
      expect.objectContaining({ msg: 'job queue stopped: a late pg-boss query was dropped' }),
    );
  });

  it('finishes a job fetched while stopping before it stops', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    const id = await queue.send('mid-fetch', {});
    const { jobs, handler } = recorder();
    let stopped = false;
    let stopping: Promise<void> | undefined;
    // Hold the job table so the worker's first fetch is still under way when stop() is called.
    await database.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`lock table ${schema}.job in access exclusive mode`));
      await queue.work('mid-fetch', handler);
      await sleep(100);
      stopping = queue.stop().then(() => {
        stopped = true;
      });
      await sleep(300);
      expect(stopped).toBe(false);
    });

    await stopping;
    expect(jobs.map((job) => job.id)).toEqual([id]);
    expect(await jobState(schema, id)).toBe('completed');
  });

  it('stops after timeoutMs while a job still runs, giving the job back for a retry', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    let began = false;
    await queue.work('endless', async () => {
      began = true;
      await new Promise(() => {});
    });
    const id = await queue.send('endless', {});
    await vi.waitFor(() => expect(began).toBe(true), wait);

    const before = Date.now();
    await queue.stop({ timeoutMs: 1000 });

    expect(Date.now() - before).toBeLessThan(3000);
    expect(await jobState(schema, id)).toBe('retry');
  });

  it('rejects a job pg-boss cannot store and leaves the database usable', async () => {
    const queue = newQueue();
    await queue.start();
    await expect(queue.send('typed', {}, { id: 'not-a-uuid' })).rejects.toThrow(/uuid/);
    await expect(queue.send('', {})).rejects.toThrow('Name is required');
    expect((await database.executeSql('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('refuses work until started and after stopping', async () => {
    const queue = newQueue();
    await expect(queue.send('early', {})).rejects.toThrow('not running');
    await queue.start();
    await queue.start(); // idempotent
    await queue.stop();
    await queue.stop(); // idempotent
    await expect(queue.work('late', () => Promise.resolve())).rejects.toThrow('not running');
    await expect(queue.schedule('late', '* * * * *')).rejects.toThrow('not running');
  });

  it('starts again after a stop, even one still under way', async () => {
    const queue = newQueue();
    await queue.start();
    const stopped = queue.stop();
    await queue.start();
    await stopped;
    expect(await queue.ping()).toBe(true);
    const { jobs, handler } = recorder();
    await queue.work('again', handler);
    await queue.send('again', {});
    await vi.waitFor(() => expect(jobs).toHaveLength(1), wait);
  });

  it('reports a failed start and may be started again', async () => {
    // Without a logger or a polling interval: the defaults apply.
    const queue = createJobQueue({ database, schema: 'not-a-valid-schema' });
    await expect(queue.start()).rejects.toThrow('alphanumeric');
    await expect(queue.start()).rejects.toThrow('alphanumeric');
    expect(await queue.ping()).toBe(false);
  });
});

describe('transactionExecutor', () => {
  it('binds $n placeholders but not look-alikes in quotes, comments or dollar quotes', async () => {
    const text = `select $1::int as a, '$2' as b, 'x' as "x$2", $$ $2 $$ as d, $t$ $2 $t$ as e,
      $2::text as f -- $3
      /* $3 */`;
    const rows = await database.db.transaction(
      async (tx) => (await transactionExecutor(tx).executeSql(text, [7, 'two'])).rows,
    );
    expect(rows).toEqual([{ a: 7, b: '$2', x$2: 'x', d: ' $2 ', e: ' $2 ', f: 'two' }]);
  });

  it('binds a placeholder used twice as one parameter, as PostgreSQL does', () => {
    const query = new PgDialect().sqlToQuery(
      bindParameters("select $2::int, $1::text, $2 || ' s', '$1'", ['a', 7]),
    );
    expect(query).toMatchObject({
      sql: "select $1::int, $2::text, $1 || ' s', '$1'",
      params: [7, 'a'],
    });
  });

  it('queues a job due in some seconds from inside a transaction', async () => {
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = newQueue({ schema });
    await queue.start();
    await queue.send('audit', { n: 0 });
    await database.db.transaction((tx) =>
      queue.send('audit', { n: 4 }, { startAfter: 3, executor: transactionExecutor(tx) }),
    );
    const { rows } = await database.executeSql(
      `select extract(epoch from start_after - created_on)::float as delay
         from ${schema}.job where name = 'audit' and data->>'n' = '4'`,
    );
    expect(Number(rows[0]?.delay)).toBeCloseTo(3, 0);
  });

  it('runs parameterless SQL as is', async () => {
    const rows = await database.db.transaction(
      async (tx) => (await transactionExecutor(tx).executeSql('select 1 as one')).rows,
    );
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('refuses a placeholder without a value', () => {
    expect(() => bindParameters('select $2', [1])).toThrow('$2 has no value: 1 given');
  });
});

/** A database that can be closed and opened again: a PGlite directory or a PostgreSQL database. */
async function restartableDatabase(): Promise<{
  open(): Promise<Database>;
  cleanup(): Promise<void>;
}> {
  if (testDatabaseKind === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-queue-'));
    return {
      open: () => openDatabase({ dataDir: dir }),
      cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const created = await createEmptyPostgresDatabase();
  return { open: () => openDatabase({ url: created.url }), cleanup: () => created.drop() };
}

/** Counts the live timers that pg-boss or the queue created while watching. */
function watchQueueTimers(): { alive(): number; stop(): void } {
  const alive = new Set<number>();
  const hook = createHook({
    init(id, type) {
      if (type !== 'Timeout') return;
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 50;
      const stack = new Error('timer created').stack ?? '';
      Error.stackTraceLimit = limit;
      // The pool's idle-connection timers belong to the database, closed with it, not the queue.
      if (/pg-boss|platform[/\\]queue\.ts/.test(stack) && !/pg-pool/.test(stack)) alive.add(id);
    },
    destroy(id) {
      alive.delete(id);
    },
  }).enable();
  return { alive: () => alive.size, stop: () => hook.disable() };
}
