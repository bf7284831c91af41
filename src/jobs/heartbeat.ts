import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { JobQueue } from '../platform/queue.js';
import type { StartupJob } from './registry.js';

/** How often the worker beats; the alert allows several missed beats (deploy/prometheus). */
export const heartbeatEveryMs = 15_000;

/**
 * The worker's heartbeat: `ttb_worker_heartbeat_timestamp_seconds` set to the current unix time
 * at start and every `everyMs` while the job queue answers, so an alert on its age catches a
 * worker that is gone, stuck or cut off from its queue.
 */
export function heartbeatJob(deps: {
  queue: Pick<JobQueue, 'ping'>;
  clock: Clock;
  metrics: Pick<Metrics, 'workerHeartbeat'>;
  everyMs?: number;
}): StartupJob {
  const beat = async () => {
    if (await deps.queue.ping())
      deps.metrics.workerHeartbeat.set(deps.clock.now().getTime() / 1000);
  };
  return {
    kind: 'startup',
    name: 'worker.heartbeat',
    async start() {
      await beat();
      const timer = setInterval(() => void beat(), deps.everyMs ?? heartbeatEveryMs);
      timer.unref();
      return () => {
        clearInterval(timer);
        return Promise.resolve();
      };
    },
  };
}
