import { createRequire } from 'node:module';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import pino, { type Logger } from 'pino';
import type { Database, SqlExecutor } from '../db/client.js';
import { isDatabaseUnavailable } from '../db/errors.js';
import { createOutageLog } from '../db/outage-log.js';
import { reportingOff, type ErrorReporter } from './error-reporter.js';
import {
  currentRequestId,
  jobLogContext,
  jobRequestIdKey,
  outsideLogContext,
  runInLogContext,
} from './log-context.js';
import type { QueueDepth } from './metrics.js';

/** Per-job options of `send`: priority, delay, de-duplication, retry and expiry overrides. */
export type SendOptions = Omit<PgBoss.SendOptions, 'db'>;

/** Options of `schedule`: those of `send`, plus the cron expression's time zone (default UTC). */
export type ScheduleOptions = Omit<PgBoss.ScheduleOptions, 'db'>;

/** A job as a worker receives it; `retryCount` is 0 on the first attempt. */
export interface QueuedJob<T> {
  id: string;
  name: string;
  data: T;
  retryCount: number;
}

/** Processes one job. Throwing fails this job, and pg-boss retries it with backoff. */
export type JobHandler<T> = (job: QueuedJob<T>) => Promise<void>;

/** How a worker fetches: jobs per fetch (run concurrently) and seconds between idle polls. */
export interface WorkOptions {
  batchSize?: number;
  pollingIntervalSeconds?: number;
}

/** A durable job queue (pg-boss) living in the application's own database. */
export interface JobQueue {
  /** Creates or migrates the queue's tables and starts maintenance and scheduling. */
  start(): Promise<void>;
  /** Stops polling and timers; graceful (default) waits up to `timeoutMs` for running jobs. */
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
  /**
   * Queues a job and resolves to its id (null when de-duplicated). With `executor` the insert
   * joins the caller's transaction, so a job is written atomically with the change behind it.
   * Inside a transaction always pass `executor`: on PGlite anything else waits on it forever.
   * Sent while a request, job or update is handled, the data also carries its `request_id`
   * (a key no job's own data may use), which the worker takes off again and logs with.
   */
  send<T extends object>(
    name: string,
    data: T,
    options?: SendOptions & { executor?: SqlExecutor },
  ): Promise<string | null>;
  /**
   * Queues one job of `name` per item of `data` in a single statement (with `executor`, inside
   * the caller's transaction): thousands of jobs (a broadcast's deliveries) would otherwise cost
   * a round trip each and hold the transaction open for minutes.
   */
  sendMany<T extends object>(
    name: string,
    data: readonly T[],
    options?: Omit<PgBoss.JobInsert, 'id' | 'name' | 'data'> & { executor?: SqlExecutor },
  ): Promise<void>;
  /** Polls `name` and hands each job to `handler`, in this process, until `stop`. */
  work<T extends object>(
    name: string,
    handler: JobHandler<T>,
    options?: WorkOptions,
  ): Promise<void>;
  /**
   * Makes this process's workers of `name` fetch at once instead of at their next poll (after a
   * commit that queued jobs, so they start without waiting a polling interval).
   */
  wake(name: string): void;
  /** True between a successful `start()` and `stop()`. */
  isRunning(): boolean;
  /** Sends `data` to `name` on a cron schedule: once per tick across every process. */
  schedule(name: string, cron: string, data?: object, options?: ScheduleOptions): Promise<void>;
  /** True once started and the queue's tables answer. */
  ping(): Promise<boolean>;
  /** Every queue's due jobs (queued or waiting to retry, start time passed) and oldest wait. */
  depths(): Promise<QueueDepth[]>;
}

/** What {@link createJobQueue} needs. */
export interface JobQueueOptions {
  database: Database;
  logger?: Logger;
  /** Where a job's last failed attempt is reported (default: nowhere). */
  errors?: ErrorReporter;
  /** The PostgreSQL schema of the queue's tables (default `pgboss`). */
  schema?: string;
  /** Default seconds between polls of an idle worker (default 1; pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Seconds between checks of cron schedules (default 30, at most 45; tests shorten it). */
  scheduleIntervalSeconds?: number;
}

/** Retries unless a sender says otherwise: 5 more attempts, 10 s apart and doubling, with jitter. */
export const defaultRetryPolicy = { retryLimit: 5, retryDelay: 10, retryBackoff: true } as const;

/** An arbitrary constant naming the queue's start-up lock (the migration lock is 727_274_001). */
const startLockKey = 727_274_002;

/** pg-boss's database port, over our database, counting the calls still under way. */
interface BossDb extends PgBoss.Db {
  readonly inFlight: Set<Promise<unknown>>;
  /**
   * The queue is stopping: job results no longer wait for the database to come back (a running
   * job whose result cannot be written is retried once it expires).
   */
  stopping(): void;
  /** From now on calls never answer, so a straggler can neither reach a closed database nor crash. */
  close(): void;
}

interface Running {
  boss: PgBoss;
  db: BossDb;
}

/** Creates the job queue; nothing touches the database before `start()`. */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { database, schema = 'pgboss' } = options;
  const logger = options.logger ?? pino({ level: 'silent' });
  const errors = options.errors ?? reportingOff;
  /** Queues known to exist, by name; a failed creation is forgotten, so it is tried again. */
  const queues = new Map<string, Promise<void>>();
  const createdQueues = new Set<string>();
  let instance: Promise<Running> | undefined;
  /** The started instance, once `start()` has finished. */
  let live: Running | undefined;
  /** This process's workers, by queue name, for `wake`. */
  const workers = new Map<string, string[]>();
  let stopping: Promise<void> | undefined;

  const config: PgBoss.ConstructorOptions = {
    schema,
    ...defaultRetryPolicy,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
    ...(options.scheduleIntervalSeconds !== undefined && {
      cronMonitorIntervalSeconds: options.scheduleIntervalSeconds,
      cronWorkerIntervalSeconds: options.scheduleIntervalSeconds,
    }),
  };

  async function startBoss(): Promise<Running> {
    const db = createBossDb(database, logger, schema);
    const boss = new PgBoss({ ...config, db });
    // An 'error' event without a listener would crash the process. While the database is away
    // every worker's poll fails each second: one warning per cause, and the polls go on.
    const logOutage = createOutageLog(logger);
    boss.on('error', (error) => {
      if (isDatabaseUnavailable(error)) logOutage(error, 'job queue: database unavailable');
      else logger.error({ err: error }, 'job queue error');
    });
    // Processes starting together race to install pg-boss's tables; on PostgreSQL the loser can
    // fail with a duplicate-key error pg-boss does not expect, so they take turns.
    await database.withAdvisoryLock(startLockKey, () => boss.start());
    live = { boss, db };
    return live;
  }

  /** Jobs still running may send follow-up jobs, so sending works until the end. */
  async function stopInstance({ graceful = true, timeoutMs = 30_000 }): Promise<void> {
    const running = await instance?.catch(() => undefined);
    if (!running) return;
    workers.clear();
    running.db.stopping();
    const deadline = Date.now() + timeoutMs;
    await running.boss.stop({ graceful, timeout: timeoutMs });
    if (graceful) await settle(running.db.inFlight, deadline);
    instance = undefined;
    live = undefined;
    running.db.close();
  }

  function current(): Promise<Running> {
    return (
      instance ?? Promise.reject(new Error('The job queue is not running; call start() first'))
    );
  }

  function ensureQueue(boss: PgBoss, name: string): Promise<void> {
    let created = queues.get(name);
    if (!created) {
      created = boss.createQueue(name).then(
        () => {
          createdQueues.add(name);
        },
        (error: unknown) => {
          queues.delete(name);
          throw error;
        },
      );
      queues.set(name, created);
    }
    return created;
  }

  /**
   * Inside a transaction the queue is created through that transaction: on PGlite, reaching for
   * the database outside it would wait for the transaction, which waits for us. Nothing is
   * remembered, since the transaction may yet roll the queue back.
   */
  async function ensureQueueWithin(executor: SqlExecutor, name: string): Promise<void> {
    if (createdQueues.has(name)) return;
    await new PgBoss({ ...config, db: executor }).createQueue(name);
  }

  async function runJobs<T>(
    boss: PgBoss,
    name: string,
    jobs: PgBoss.JobWithMetadata<T>[],
    handler: JobHandler<T>,
  ): Promise<boolean> {
    // Each job succeeds or fails on its own; pg-boss then completes those still active. Each
    // runs in a log context of its own, never the one its fetch happened to start in (a wake
    // from some request): its lines carry its queue, id and originating request id. Resolves
    // to whether every job succeeded.
    const outcomes = await Promise.all(
      jobs.map(({ id, data: stored, retryCount, retryLimit }) => {
        const { requestId, data } = splitRequestId(stored);
        return runInLogContext(jobLogContext(name, id, requestId), async () => {
          try {
            await handler({ id, name, data, retryCount });
            return true;
          } catch (error) {
            const final = retryCount >= retryLimit;
            const context = { err: error, queue: name, jobId: id, retryCount };
            if (final) logger.error(context, 'job failed and has no retries left');
            else logger.warn(context, 'job failed; it will be retried');
            // Reported once, when retries are spent: a failure a retry cures is not a bug, and an
            // outage is reported by nobody (it is logged once per cause).
            if (final && !isDatabaseUnavailable(error)) {
              errors.report(error, { role: 'worker', job: { name, id, retryCount } });
            }
            await boss.fail(name, id, error instanceof Error ? error : { value: String(error) });
            return false;
          }
        });
      }),
    );
    return outcomes.every(Boolean);
  }

  return {
    async start() {
      await stopping; // a start during a stop gets a fresh instance, not the one going away
      instance ??= startBoss().catch((error: unknown) => {
        instance = undefined;
        throw error;
      });
      await instance;
    },

    stop(stopOptions = {}) {
      stopping ??= stopInstance(stopOptions).finally(() => {
        stopping = undefined;
      });
      return stopping;
    },

    async send(name, given, { executor, ...sendOptions } = {}) {
      const data = withRequestId(given, currentRequestId());
      const { boss } = await current();
      if (!executor) {
        await ensureQueue(boss, name);
        return boss.send(name, data, sendOptions);
      }
      await ensureQueueWithin(executor, name);
      return boss.send(name, data, { ...sendOptions, db: executor });
    },

    async sendMany(name, data, { executor, ...jobOptions } = {}) {
      if (data.length === 0) return;
      const requestId = currentRequestId();
      const { boss } = await current();
      const jobs = data.map((item) => ({
        ...jobOptions,
        name,
        data: withRequestId(item, requestId),
      }));
      if (!executor) {
        await ensureQueue(boss, name);
        await boss.insert(jobs);
        return;
      }
      await ensureQueueWithin(executor, name);
      await boss.insert(jobs, { db: executor });
    },

    async work<T extends object>(
      name: string,
      handler: JobHandler<T>,
      workOptions: WorkOptions = {},
    ) {
      const { boss, db } = await current();
      await ensureQueue(boss, name);
      const worker = { id: '' };
      worker.id = await boss.work<T>(
        name,
        { ...workOptions, includeMetadata: true },
        async (jobs) => {
          const succeeded = await track(db.inFlight, runJobs(boss, name, jobs, handler));
          // pg-boss waits a polling interval after every fetch, even a full one; a full batch
          // means more jobs are probably waiting, so fetch again at once. Not after a failure:
          // pg-boss completes the batch's jobs still active without waiting for it, and a failed
          // job due again at once would be fetched (active) first and completed unrun.
          if (succeeded && jobs.length === (workOptions.batchSize ?? 1)) {
            boss.notifyWorker(worker.id);
          }
        },
      );
      workers.set(name, [...(workers.get(name) ?? []), worker.id]);
    },

    wake(name) {
      // Outside the waker's log context: the worker's fetch and completion that follow are the
      // worker's, not the work of the request that happened to wake it.
      outsideLogContext(() => {
        for (const id of workers.get(name) ?? []) live?.boss.notifyWorker(id);
      });
    },

    isRunning() {
      return live !== undefined;
    },

    async schedule(name, cron, data = {}, scheduleOptions = {}) {
      const { boss } = await current();
      await ensureQueue(boss, name);
      await boss.schedule(name, cron, data, scheduleOptions);
    },

    async ping() {
      try {
        await current();
        await database.executeSql(`select 1 from ${schema}.version`);
        return true;
      } catch {
        return false;
      }
    },

    async depths() {
      // The database's clock, which wrote the jobs' times; queues without due jobs report 0;
      // pg-boss's own (its cron's `__pgboss__send-it`) are left out.
      const { rows } = await database.executeSql(
        `select q.name as queue, count(j.id)::int as waiting,
            coalesce(extract(epoch from now() - min(j.start_after)), 0)::float8 as "oldestAgeSeconds"
          from ${schema}.queue q
          left join ${schema}.job j
            on j.name = q.name and j.state in ('created', 'retry') and j.start_after <= now()
          where not starts_with(q.name, '__pgboss__')
          group by q.name
          order by q.name`,
      );
      return rows as unknown as QueueDepth[];
    },
  };
}

/**
 * A job's data with the id of the request it was queued for (under `request_id`), so the worker
 * logs its lines with that id; unchanged outside any request (and for data that is a list).
 */
function withRequestId<T extends object>(data: T, requestId: string | undefined): T {
  if (requestId === undefined || Array.isArray(data)) return data;
  return { ...data, [jobRequestIdKey]: requestId };
}

/** A fetched job's data as its sender gave it, and the request id `withRequestId` added. */
function splitRequestId<T>(stored: T): { requestId: string | undefined; data: T } {
  // pg-boss hands back the JSON it stored: an object, or null for a job sent without data.
  const record = stored as Record<string, unknown> | null;
  const requestId = record?.[jobRequestIdKey];
  if (typeof requestId !== 'string') return { requestId: undefined, data: stored };
  const data = { ...record };
  delete data[jobRequestIdKey];
  return { requestId, data: data as T };
}

/** The statements pg-boss 10 builds its queries from (`src/plans.js`, not part of its typed API). */
interface BossPlans {
  completeJobs(schema: string): string;
  failJobsById(schema: string): string;
}

/**
 * pg-boss's worker completes or fails the jobs a handler ran without awaiting the statement
 * (node_modules/pg-boss/src/manager.js, `onFetch`): if the database is away at that moment, the
 * rejection is unhandled and ends the process. So these two statements are retried here, with
 * backoff, until the database is back (or the queue stops), and never reject for an outage.
 */
function completionStatements(schema: string): Set<string> {
  const plans = createRequire(import.meta.url)('pg-boss/src/plans.js') as BossPlans;
  return new Set([plans.completeJobs(schema), plans.failJobsById(schema)]);
}

/** Waits before retrying a completion: 0.5 s, doubling, at most 10 s. */
const completionRetryMs = (attempt: number) => Math.min(500 * 2 ** attempt, 10_000);

function createBossDb(database: Database, logger: Logger, schema: string): BossDb {
  const inFlight = new Set<Promise<unknown>>();
  const completions = completionStatements(schema);
  const logOutage = createOutageLog(logger);
  let closed = false;
  let stopping = false;
  const dropped = () => {
    logger.debug('job queue stopped: a late pg-boss query was dropped');
    return new Promise<never>(() => {});
  };

  async function complete(text: string, values?: unknown[]) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await database.executeSql(text, values);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        if (stopping) {
          logOutage(error, 'job queue stopping: database unavailable; unfinished jobs will expire');
          return { rows: [{ count: 0 }] }; // what pg-boss reads: no job was updated
        }
        logOutage(error, 'job queue: database unavailable; job results wait for it');
        await sleep(completionRetryMs(attempt));
        if (closed) return dropped();
      }
    }
  }

  return {
    inFlight,
    stopping() {
      stopping = true;
    },
    close() {
      closed = true;
    },
    executeSql(text, values?: unknown[]) {
      if (closed) return dropped();
      if (completions.has(text)) return track(inFlight, complete(text, values));
      return track(inFlight, database.executeSql(text, values));
    },
  };
}

function track<T>(inFlight: Set<Promise<unknown>>, promise: Promise<T>): Promise<T> {
  inFlight.add(promise);
  const forget = () => {
    inFlight.delete(promise);
  };
  promise.then(forget, forget);
  return promise;
}

/** Waits until nothing is under way across a full turn of the event loop, or the deadline. */
async function settle(inFlight: Set<Promise<unknown>>, deadline: number): Promise<void> {
  for (;;) {
    // pg-boss issues follow-up queries (complete, fail) on later microtasks; a macrotask
    // boundary lets them register before we look.
    await nextTurn();
    const left = deadline - Date.now();
    if (inFlight.size === 0 || left <= 0) return;
    const timer = new AbortController();
    await Promise.race([
      Promise.allSettled([...inFlight]),
      sleep(left, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
  }
}
