import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { NotFound } from '../errors.js';
import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import type { Clock } from '../platform/clock.js';
import type { UserService } from '../users/service.js';
import { deliverReport } from './deliver.js';
import { queryOfJob, reportSendQueue, type ReportSendJob, type ReportService } from './service.js';

/** What the reports' jobs run on. */
export interface ReportJobDeps {
  reports: Pick<ReportService, 'file'>;
  users: Pick<UserService, 'getById' | 'markBotBlocked'>;
  clock: Clock;
  logger: Logger;
  /** The Bot API client; without one (no bot token) nothing can be sent, so there are no jobs. */
  api: Api | undefined;
}

/**
 * The reports' jobs: a report asked for with `POST /reports/send` made and sent to its
 * requester's chat as a document.
 */
export function reportJobs(deps: ReportJobDeps): JobDefinition[] {
  const { api } = deps;
  if (!api) return [];
  const logger = deps.logger.child({ module: 'reports' });
  return [
    queuedJob<ReportSendJob>(reportSendQueue, async ({ data }) => {
      const user = await deps.users.getById(data.userId).catch((error: unknown) => {
        if (error instanceof NotFound) return undefined;
        throw error;
      });
      if (!user) {
        logger.info({ userId: data.userId }, 'report not sent: its requester is gone');
        return;
      }
      const file = await deps.reports.file(queryOfJob(data), data.format, data.language);
      await deliverReport(
        { ...deps, api, logger },
        { userId: user.id, chatId: user.telegramId },
        file,
      );
    }),
  ];
}
