import type { Logger } from 'pino';
import { transactionExecutor } from '../db/transaction-executor.js';
import type { Work } from '../events/unit-of-work.js';
import type { JobQueue } from '../platform/queue.js';
import type { NotificationRow } from './schemas.js';

/** The queue of edits and deletions owed to notices already in Telegram (`copy-sync.ts`). */
export const copySyncQueue = 'notification.copy-sync';

/** A copy-sync job: the notice whose Telegram copy follows its message's edit or deletion. */
export interface CopySyncJob {
  notification_id: string;
  action: 'edit' | 'delete';
}

/** As deliveries: retried soon and backing off (network, 5xx); 429s are waited out. */
export const copySyncJobOptions = {
  expireInSeconds: 60,
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
} as const;

/** Queues the copy-sync jobs of a change, in its transaction, and wakes the workers after it. */
export function createCopySyncQueue(deps: { queue: JobQueue; logger: Logger }) {
  const { queue, logger } = deps;
  return {
    async queue(
      work: Work,
      rows: readonly NotificationRow[],
      action: CopySyncJob['action'],
    ): Promise<void> {
      if (rows.length === 0) return;
      if (!queue.isRunning()) {
        logger.warn({ count: rows.length, action }, 'job queue not running: copies not followed');
        return;
      }
      await queue.sendMany<CopySyncJob>(
        copySyncQueue,
        rows.map((row) => ({ notification_id: row.id, action })),
        { ...copySyncJobOptions, executor: transactionExecutor(work.tx) },
      );
      work.afterCommit(() => queue.wake(copySyncQueue), `wake:${copySyncQueue}`);
    },
  };
}
