import type { Config } from '../config.js';
import { broadcastJobs } from '../broadcasts/jobs.js';
import type { BroadcastService } from '../broadcasts/service.js';
import { fileJobs } from '../files/jobs.js';
import type { FileService } from '../files/service.js';
import type { ErrorReporter } from '../platform/error-reporter.js';
import { notificationJobs, type NotificationJobDeps } from '../notifications/jobs.js';
import type { Metrics } from '../platform/metrics.js';
import type { AvatarService } from '../users/avatars.js';
import { userJobs } from '../users/jobs.js';
import { slaJob } from '../sla/jobs.js';
import { ticketJobs } from '../tickets/jobs.js';
import type { TicketService } from '../tickets/service.js';
import { staffGroupJobs } from '../threads/jobs.js';
import type { StaffSender } from '../threads/sender.js';
import { reportJobs } from '../reports/jobs.js';
import type { ReportService } from '../reports/service.js';
import { heartbeatJob } from './heartbeat.js';
import { startJobs, type JobDefinition } from './registry.js';

/** What the worker role runs on. */
export interface WorkerDeps extends Omit<NotificationJobDeps, 'config' | 'tickets'> {
  config: NotificationJobDeps['config'] & Pick<Config, 'BROADCAST_PROGRESS_S'>;
  tickets: NotificationJobDeps['tickets'] & Pick<TicketService, 'closeIdleResolved' | 'recheckSla'>;
  /** Broadcasts, whose progress job edits the admin's status message (none: no such job). */
  broadcasts?: BroadcastService;
  /** Files, whose jobs scan late and remove unattached uploads (none: no such jobs). */
  files?: Pick<FileService, 'rescan' | 'purgeOrphans'>;
  /** Avatars, whose job fetches one from Telegram (none: no such job). */
  avatars?: Pick<AvatarService, 'refresh'>;
  /** The staff group's sender and how often it looks for posts (none: no bot, no sender). */
  staffGroup?: { sender: StaffSender; pollMs: number };
  /** Reports, whose jobs send a report to a chat, asked for or on the schedule (none: no such jobs). */
  reports?: ReportService;
  /** Where periodic jobs' failures are reported (queued jobs': the queue's own reporter). */
  errors?: ErrorReporter;
  /** The worker's metrics: delivery lag and failures, and its heartbeat (none: no heartbeat). */
  metrics?: Pick<Metrics, 'deliveryLag' | 'deliveryFailures' | 'workerHeartbeat'>;
}

/** Every feature's jobs (each declared in its own folder, `<feature>/jobs.ts`). */
export function workerJobs(deps: WorkerDeps): JobDefinition[] {
  return [
    ...notificationJobs(deps),
    ...ticketJobs(deps),
    slaJob(deps),
    ...(deps.broadcasts
      ? broadcastJobs({
          ...deps,
          broadcasts: deps.broadcasts,
          intervalS: deps.config.BROADCAST_PROGRESS_S,
        })
      : []),
    ...(deps.files ? fileJobs(deps.files) : []),
    ...(deps.reports ? reportJobs({ ...deps, reports: deps.reports }) : []),
    ...(deps.avatars ? userJobs(deps.avatars) : []),
    ...(deps.staffGroup ? staffGroupJobs({ ...deps.staffGroup, logger: deps.logger }) : []),
    ...(deps.metrics ? [heartbeatJob({ ...deps, metrics: deps.metrics })] : []),
  ];
}

/**
 * Starts the worker role: registers every feature's jobs with the queue and starts their
 * timers and start-up work. Resolves to a stop function for what runs outside the queue (the
 * queue's own stop ends the jobs).
 */
export function startWorkers(deps: WorkerDeps): Promise<() => Promise<void>> {
  return startJobs(deps.queue, deps.logger, workerJobs(deps), deps.errors);
}
