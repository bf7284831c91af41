import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/errors.js';
import { reportingOff, type ErrorReporter } from '../platform/error-reporter.js';
import type { JobHandler, JobQueue, WorkOptions } from '../platform/queue.js';

/**
 * A cron schedule (UTC): fixed, or read as the worker starts (one an admin may change, which
 * whoever changes it moves in the queue too: `settings/service.ts`).
 */
export type JobSchedule = string | (() => Promise<string>);

/**
 * A job the queue runs, in whichever worker process takes it: each job sent to `name`, and one
 * per tick of `schedule` (cron, UTC) when it has one.
 */
export interface QueuedJob {
  kind: 'queued';
  name: string;
  schedule?: JobSchedule;
  /** Hands the queue's jobs of `name` to the job's handler, in this process. */
  work(queue: JobQueue): Promise<void>;
}

/**
 * Work every worker process does on its own timer, outside the queue (a sweep). Runs never
 * overlap; a failed run is logged and the next tick tries again.
 */
export interface PeriodicJob {
  kind: 'periodic';
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

/**
 * Work every worker process does once as it starts (a catch-up sweep, a subscription);
 * resolves to its stop when it keeps running.
 */
export interface StartupJob {
  kind: 'startup';
  name: string;
  start(): Promise<(() => Promise<void>) | void>;
}

/** A job as a feature declares it, in its own folder (`<feature>/jobs.ts`). */
export type JobDefinition = QueuedJob | PeriodicJob | StartupJob;

/** Declares a queued job: its name, its handler, and its cron schedule if it runs on one. */
export function queuedJob<T extends object>(
  name: string,
  handler: JobHandler<T>,
  options: WorkOptions & { schedule?: JobSchedule } = {},
): QueuedJob {
  const { schedule, ...work } = options;
  return {
    kind: 'queued',
    name,
    ...(schedule ? { schedule } : {}),
    work: (queue) => queue.work<T>(name, handler, work),
  };
}

/**
 * Runs `job` every `everyMs`, never two runs at once; returns the stop. The first failure of a
 * streak other than a database outage is reported too; the ticks that fail the same way after
 * it are only logged, until a run succeeds.
 */
function startTimer(job: PeriodicJob, logger: Logger, errors: ErrorReporter): () => void {
  let running = false;
  let failing = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    job
      .run()
      .then(
        () => {
          failing = false;
        },
        (error: unknown) => {
          logger.warn({ err: error, job: job.name }, 'a periodic job failed; it runs again soon');
          if (!failing && !isDatabaseUnavailable(error)) {
            errors.report(error, { role: 'worker', job: { name: job.name } });
          }
          failing = true;
        },
      )
      .finally(() => {
        running = false;
      });
  }, job.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Registers every job with the queue (handlers, then schedules), starts the periodic ones and
 * runs the start-up ones, in the order given. Resolves to a stop function that ends the timers
 * and what start-up jobs left running; the queue's own stop ends its jobs.
 */
export async function startJobs(
  queue: JobQueue,
  logger: Logger,
  jobs: readonly JobDefinition[],
  errors: ErrorReporter = reportingOff,
): Promise<() => Promise<void>> {
  const stops: (() => Promise<void> | void)[] = [];
  for (const job of jobs) {
    if (job.kind === 'queued') {
      await job.work(queue);
      if (job.schedule) {
        const cron = typeof job.schedule === 'string' ? job.schedule : await job.schedule();
        await queue.schedule(job.name, cron);
      }
    } else if (job.kind === 'periodic') {
      stops.push(startTimer(job, logger, errors));
    } else {
      const stop = await job.start();
      if (stop) stops.push(stop);
    }
  }
  return async () => {
    for (const stop of stops.toReversed()) await stop();
  };
}
