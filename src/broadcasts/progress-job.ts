import { GrammyError, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { Clock } from '../platform/clock.js';
import type { JobHandler, JobQueue } from '../platform/queue.js';
import type { UserService } from '../users/service.js';
import {
  broadcastProgressQueue,
  type BroadcastProgress,
  type BroadcastProgressJob,
  type BroadcastRow,
  type BroadcastService,
} from './service.js';
import { broadcastTextsFor } from './texts.js';

/**
 * A broadcast still sending after this long is reported as finished, its undelivered messages
 * counted as failed, so a lost delivery job cannot keep the report going forever.
 */
export const broadcastGiveUpMs = 24 * 3_600_000;

/** What the progress job runs on. */
export interface BroadcastProgressDeps {
  broadcasts: BroadcastService;
  users: Pick<UserService, 'getById'>;
  queue: JobQueue;
  api: Api;
  clock: Clock;
  logger: Logger;
  /** Seconds between reports. */
  intervalS: number;
}

/**
 * The `broadcast.progress` job: edits the admin's status message with a progress bar, and
 * queues itself again until every notification of the broadcast is delivered or given up; then
 * writes the final counts on the broadcast and edits the message into the report.
 */
export function createBroadcastProgressHandler(
  deps: BroadcastProgressDeps,
): JobHandler<BroadcastProgressJob> {
  const { broadcasts, users, queue, api, clock, logger } = deps;

  /**
   * Edits the status message. A failure is only logged: the message is cosmetic (the admin may
   * have deleted it, or nothing changed since the last edit), and the report must go on.
   */
  async function show(row: BroadcastRow, text: string): Promise<void> {
    if (row.chatId === null || row.statusMessageId === null) return;
    try {
      await api.editMessageText(row.chatId, row.statusMessageId, text, { parse_mode: 'HTML' });
    } catch (error) {
      const description = error instanceof GrammyError ? error.description : String(error);
      logger.warn({ broadcastId: row.id, description }, 'broadcast status message not edited');
    }
  }

  async function languageOfAuthor(row: BroadcastRow) {
    const author = row.authorId
      ? await users.getById(row.authorId).catch(() => undefined)
      : undefined;
    return broadcastTextsFor(author?.languageCode);
  }

  function isOverdue(row: BroadcastRow): boolean {
    return clock.now().getTime() - row.createdAt.getTime() > broadcastGiveUpMs;
  }

  async function finish(row: BroadcastRow, progress: BroadcastProgress): Promise<void> {
    if (!(await broadcasts.finish(row, progress))) return;
    const texts = await languageOfAuthor(row);
    await show(
      row,
      texts.report({
        total: progress.total,
        sent: progress.sent,
        failed: progress.failed + progress.pending,
        blocked: progress.blocked,
      }),
    );
    logger.info({ broadcastId: row.id, ...progress }, 'broadcast finished');
  }

  return async ({ data }) => {
    const row = await broadcasts.get(data.broadcast_id);
    if (!row || row.status === 'done') return;
    const progress = await broadcasts.progress(row);
    if (progress.pending === 0 || isOverdue(row)) {
      await finish(row, progress);
      return;
    }
    const texts = await languageOfAuthor(row);
    await show(row, texts.progress(progress));
    await queue.send<BroadcastProgressJob>(broadcastProgressQueue, data, {
      startAfter: deps.intervalS,
    });
  };
}
