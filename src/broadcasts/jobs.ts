import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { UserService } from '../users/service.js';
import { createBroadcastProgressHandler } from './progress-job.js';
import { broadcastProgressQueue, type BroadcastService } from './service.js';

/**
 * The broadcasts' job: the progress report edited into the admin's status message
 * (`progress-job.ts`). None without a Bot API client, which it needs to edit the message.
 */
export function broadcastJobs(deps: {
  broadcasts: BroadcastService;
  users: Pick<UserService, 'getById'>;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  api: Api | undefined;
  /** Seconds between reports (`BROADCAST_PROGRESS_S`). */
  intervalS: number;
}): JobDefinition[] {
  if (!deps.api) return [];
  const handler = createBroadcastProgressHandler({ ...deps, api: deps.api });
  return [queuedJob(broadcastProgressQueue, handler)];
}
