import type { SQLWrapper } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Tx } from '../db/client.js';
import { notifications, type NotificationType } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import type { NotificationEvent } from '../events/domain-events.js';
import type { Work } from '../events/unit-of-work.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { DeliveryProfile, UserService } from '../users/service.js';
import {
  deliveryJobOptions,
  deliveryQueue,
  wantsTelegram,
  type DeliveryJob,
} from './delivery-state.js';
import { toNotificationDto, type NotificationRow } from './schemas.js';
import { textsFor, type NotificationTexts } from './texts.js';

/** One notification to write, in its recipient's language. */
export interface Draft {
  recipient: DeliveryProfile;
  type: NotificationType;
  ticketId: string | null;
  title: string;
  content: string;
  /** For a notice that counts follow-ups (`follow-ups.ts`): how many so far. */
  messageCount?: number;
  /** Staff-only: a reply to it in Telegram is an internal note (`NotificationRow.internal`). */
  internal?: boolean;
  /** The ticket message it tells of, whose edits and deletion its copy follows. */
  messageId?: string;
}

/** What a notice says, given the recipient's language; `internal` when it is staff-only. */
export type Wording = (t: NotificationTexts) => {
  title: string;
  content: string;
  internal?: boolean;
};

/** Rows per insert: a broadcast's audience runs into thousands, and so may a reminder run's. */
export const rowsPerInsert = 500;

/** The after-commit step that wakes this process's delivery workers, once per unit of work. */
const wakeDeliveryStep = 'wake:notification.deliver';

/**
 * The event that tells a notification's recipient of it, new or changed (its words or count):
 * for their sockets (`realtime/fan-out.ts`), and to wake the delivery workers of every process.
 */
export function notificationEvent(
  type: NotificationEvent['type'],
  row: NotificationRow,
): NotificationEvent {
  return {
    type,
    ticket_id: row.ticketId,
    ticket_user_id: null,
    user_id: row.userId,
    actor_id: null,
    is_internal: false,
    occurred_at: row.createdAt.toISOString(),
    data: toNotificationDto(row),
  };
}

/**
 * How the notifications service writes the notices of one call as one batch: the recipients'
 * delivery profiles read once, their rows in one insert (per `rowsPerInsert`), their delivery
 * jobs in one statement in the change's transaction, and the workers woken once after commit.
 * Part of the notifications service, which owns the table.
 */
export function createNoticeWriter(deps: {
  queue: JobQueue;
  clock: Clock;
  users: Pick<UserService, 'deliveryProfiles'>;
  logger: Logger;
}) {
  const { queue, clock, users, logger } = deps;

  /**
   * Writes the drafts (one insert per `rowsPerInsert`); the rows, and those of them whose
   * recipient wants them in Telegram.
   */
  async function insert(
    tx: Tx,
    drafts: readonly Draft[],
  ): Promise<{ rows: NotificationRow[]; toSend: NotificationRow[] }> {
    const now = clock.now();
    const rows: NotificationRow[] = [];
    for (let start = 0; start < drafts.length; start += rowsPerInsert) {
      const batch = drafts.slice(start, start + rowsPerInsert);
      rows.push(
        ...(await tx
          .insert(notifications)
          .values(
            batch.map((draft) => ({
              userId: draft.recipient.id,
              ticketId: draft.ticketId,
              type: draft.type,
              title: draft.title,
              content: draft.content,
              messageCount: draft.messageCount ?? null,
              internal: draft.internal ?? false,
              messageId: draft.messageId ?? null,
              createdAt: now,
            })),
          )
          .returning()),
      );
    }
    const wanted = new Set(
      drafts
        .filter((d) => wantsTelegram(d.recipient, d.type, d.ticketId))
        .map((d) => d.recipient.id),
    );
    return { rows, toSend: rows.filter((row) => wanted.has(row.userId)) };
  }

  /**
   * Queues one delivery job per row, all in one statement in the change's transaction, and
   * wakes this process's delivery workers once the change has committed (once per unit of work,
   * however many calls queued).
   */
  async function queueDeliveries(work: Work, rows: readonly NotificationRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (!queue.isRunning()) {
      // Only a process that never started its queue (some tests) gets here; the worker's
      // start-up sweep (`queueUndelivered`) picks such rows up.
      logger.warn({ count: rows.length }, 'job queue not running: deliveries left for the sweep');
      return;
    }
    await queue.sendMany<DeliveryJob>(
      deliveryQueue,
      rows.map((row) => ({ notification_id: row.id })),
      { ...deliveryJobOptions, executor: transactionExecutor(work.tx) },
    );
    work.afterCommit(() => queue.wake(deliveryQueue), wakeDeliveryStep);
  }

  /** Writes the drafts, raises their `notification.created`, queues their deliveries. */
  async function write(work: Work, drafts: readonly Draft[]): Promise<void> {
    if (drafts.length === 0) return;
    const { rows, toSend } = await insert(work.tx, drafts);
    work.raise(...rows.map((row) => notificationEvent('notification.created', row)));
    await queueDeliveries(work, toSend);
  }

  /**
   * Reads the delivery profiles of these people and of those `alsoIn` names (a subquery of user
   * ids), once: the active ones, never `except`.
   */
  async function activeRecipients(
    tx: Tx,
    recipientIds: readonly (string | null)[],
    except: string | null = null,
    alsoIn?: SQLWrapper,
  ): Promise<DeliveryProfile[]> {
    const ids = recipientIds.filter((id): id is string => id !== null && id !== except);
    return (await users.deliveryProfiles(tx, ids, alsoIn)).filter(
      (profile) => profile.isActive && profile.id !== except,
    );
  }

  /** One notice per recipient, in their language. */
  function draftsFor(
    recipients: readonly DeliveryProfile[],
    type: NotificationType,
    ticketId: string | null,
    wording: Wording,
  ): Draft[] {
    return recipients.map((recipient) => ({
      recipient,
      type,
      ticketId,
      ...wording(textsFor(recipient.languageCode)),
    }));
  }

  return { insert, queueDeliveries, write, activeRecipients, draftsFor };
}
