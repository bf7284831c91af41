import { GrammyError, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Clock } from '../platform/clock.js';
import type { JobHandler, JobQueue } from '../platform/queue.js';
import { isGoneOrFrozen, isNotModified, telegramEditWindowMs } from '../telegram/edit-refusals.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import { copySyncJobOptions, copySyncQueue, type CopySyncJob } from './copy-sync-queue.js';
import { notificationMessageOptions, renderNotification } from './deliver-notification.js';
import type { NotificationService } from './service.js';
import type { SendLimiter } from './send-limiter.js';

/** Seconds before a copy still being sent is looked at again. */
const sendingRetryS = 5;

/** What following the copies runs on. */
export interface CopySyncDeps {
  db: Db;
  notifications: Pick<NotificationService, 'byIds'>;
  users: Pick<UserService, 'deliveryProfiles'>;
  tickets: Pick<TicketService, 'numberOf'>;
  queue: JobQueue;
  api: Pick<Api, 'editMessageText' | 'deleteMessage'>;
  limiter: SendLimiter;
  clock: Clock;
  logger: Logger;
  miniAppUrl: string | undefined;
}

/**
 * Carries a message's edit or deletion to the Telegram copy of one notice telling of it: the
 * copy is edited to the notice's words now (`editMessageText`, same button) or deleted
 * (`deleteMessage`), within 48 hours of when it was sent, as Telegram allows. A notice not sent
 * yet needs nothing (its delivery sends the new words; a deleted message's notice was given up);
 * one being sent right now is looked at again shortly. Past the window, or when Telegram refuses
 * (the user deleted the copy, "message is not modified"), nothing more is done and it is logged.
 * A 429 pauses every sender and queues the job again after `retry_after`; network failures and
 * 5xx are retried by the queue.
 */
export function createCopySyncHandler(deps: CopySyncDeps): JobHandler<CopySyncJob> {
  const { api, clock, logger, limiter, queue } = deps;

  /** A failed edit or deletion: waited out (429), retried (network, 5xx), or logged and left. */
  async function settle(
    error: unknown,
    data: CopySyncJob,
    context: Record<string, unknown>,
  ): Promise<void> {
    if (isNotModified(error)) return;
    if (!(error instanceof GrammyError) || error.error_code >= 500) throw error;
    if (error.error_code === 429) {
      const retryAfter = error.parameters.retry_after ?? 1;
      await limiter.pause(retryAfter);
      await queue.send<CopySyncJob>(copySyncQueue, data, {
        ...copySyncJobOptions,
        startAfter: retryAfter,
      });
      logger.warn({ ...context, retryAfter }, 'Telegram flood limit: copy followed later');
      return;
    }
    logger.info(
      { ...context, description: error.description, gone: isGoneOrFrozen(error) },
      'Telegram refused to follow the message in its copy: left as it is',
    );
  }

  return async ({ data }) => {
    const [row] = await deps.notifications.byIds([data.notification_id]);
    if (!row || row.givenUpAt !== null) return;
    if (row.deliveredAt === null || row.telegramMessageId === null) {
      if (row.claimedAt === null) return;
      await queue.send<CopySyncJob>(copySyncQueue, data, {
        ...copySyncJobOptions,
        startAfter: sendingRetryS,
      });
      return;
    }
    const context = { notificationId: row.id, action: data.action };
    const age = clock.now().getTime() - row.deliveredAt.getTime();
    if (age > telegramEditWindowMs) {
      logger.info(context, 'the Telegram copy is past the 48-hour window: left as it is');
      return;
    }
    const [profile] = await deps.users.deliveryProfiles(deps.db, [row.userId]);
    if (!profile || profile.botBlockedAt !== null) return;
    const ticketNumber = row.ticketId ? await deps.tickets.numberOf(row.ticketId) : null;
    await limiter.acquire();
    try {
      if (data.action === 'delete') {
        await api.deleteMessage(profile.telegramId, row.telegramMessageId);
      } else {
        await api.editMessageText(
          profile.telegramId,
          row.telegramMessageId,
          renderNotification(row),
          notificationMessageOptions(row, profile, ticketNumber, deps.miniAppUrl),
        );
      }
    } catch (error) {
      await settle(error, data, context);
    }
  };
}
