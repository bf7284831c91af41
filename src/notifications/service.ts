import { and, count, eq, gt } from 'drizzle-orm';
import type { Logger } from 'pino';
import { isStaff } from '../auth/permissions.js';
import type { Db, Tx } from '../db/client.js';
import { keyset, type Page } from '../db/keyset.js';
import { notifications, type NotificationType, type TicketStatus } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import { NotFound } from '../errors.js';
import type { DomainEvent } from '../events/domain-events.js';
import type { QuarantinedUpload } from '../files/service.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { DeliveryProfile, UserService } from '../users/service.js';
import {
  notificationEvent,
  toNotificationDto,
  type NotificationDto,
  type NotificationListQuery,
  type NotificationRow,
} from './schemas.js';
import { createFollowUpNotices, followUpWording } from './follow-ups.js';
import {
  createDeliveryState,
  deliveryJobOptions,
  deliveryQueue,
  wantsTelegram,
  type DeliveryJob,
} from './delivery-state.js';
import { excerpt, textsFor, type NotificationTexts } from './texts.js';

export { deliveryJobOptions, deliveryQueue, wantsTelegram, type DeliveryJob };

/** What notifications need to know of a ticket. */
export interface TicketFacts {
  id: string;
  number: number;
  title: string;
  description: string;
  userId: string;
  assignedTo: string | null;
  status: TicketStatus;
}

/** One notification to write, in its recipient's language. */
interface Draft {
  recipient: DeliveryProfile;
  type: NotificationType;
  ticketId: string | null;
  title: string;
  content: string;
  /** For a notice that counts follow-ups (`follow-ups.ts`): how many so far. */
  messageCount?: number;
  /** Staff-only: a reply to it in Telegram is an internal note (`NotificationRow.internal`). */
  internal?: boolean;
}

/** What a notice says, given the recipient's language; `internal` when it is staff-only. */
type Wording = (t: NotificationTexts) => { title: string; content: string; internal?: boolean };

/** A notice for all active staff that is not about one person. */
export interface StaffNotice {
  type: NotificationType;
  title: string;
  content: string;
  ticket_id?: string | null;
  /** Someone not to tell (the person who caused it). */
  except?: string;
}

/** Rows per insert when a broadcast writes its notifications. */
const broadcastBatchSize = 500;

const newestFirst = keyset({
  name: 'notifications:-created_at',
  descending: true,
  columns: { createdAt: notifications.createdAt, id: notifications.id },
});

/**
 * Creates the notifications service: the only writer of `notifications`. Changes call it inside
 * their transaction, so the rows and their delivery jobs commit (or vanish) with the change; the
 * `notification.created` events it returns are published by the caller after commit.
 */
export function createNotificationService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  users: UserService;
  logger: Logger;
  /** How long a customer's follow-ups count into one notice (`NOTIFY_FOLLOW_UP_WINDOW_S`). */
  followUpWindowMs: number;
}) {
  const { db, queue, clock, users, logger } = deps;

  /** Writes the drafts with one insert, queues Telegram deliveries, returns their events. */
  async function write(tx: Tx, drafts: Draft[]): Promise<DomainEvent[]> {
    if (drafts.length === 0) return [];
    const now = clock.now();
    const rows = await tx
      .insert(notifications)
      .values(
        drafts.map((draft) => ({
          userId: draft.recipient.id,
          ticketId: draft.ticketId,
          type: draft.type,
          title: draft.title,
          content: draft.content,
          messageCount: draft.messageCount ?? null,
          internal: draft.internal ?? false,
          createdAt: now,
        })),
      )
      .returning();
    const wanted = new Set(
      drafts.filter((d) => wantsTelegram(d.recipient, d.type)).map((d) => d.recipient.id),
    );
    const toSend = rows.filter((row) => wanted.has(row.userId));
    if (toSend.length > 0) await queueDeliveries(tx, toSend);
    return rows.map((row) => notificationEvent('notification.created', row));
  }

  async function queueDeliveries(tx: Tx, rows: NotificationRow[]): Promise<void> {
    if (!queue.isRunning()) {
      // Only a process that never started its queue (some tests) gets here; the worker's
      // start-up sweep (`queueUndelivered`) picks such rows up.
      logger.warn({ count: rows.length }, 'job queue not running: deliveries left for the sweep');
      return;
    }
    const executor = transactionExecutor(tx);
    for (const row of rows) {
      await queue.send<DeliveryJob>(
        deliveryQueue,
        { notification_id: row.id },
        { ...deliveryJobOptions, executor },
      );
    }
  }

  const followUps = createFollowUpNotices({
    clock,
    windowMs: deps.followUpWindowMs,
    queueDeliveries,
  });

  /**
   * Who hears of a new ticket: every active staff member but `except` (its author). The same
   * people hear of the follow-ups on a ticket nobody has taken.
   */
  async function newTicketAudience(tx: Tx, except: string): Promise<string[]> {
    return (await users.activeStaffIds(tx)).filter((id) => id !== except);
  }

  /**
   * A follow-up by the ticket's author while nobody has it: told to the new-ticket audience,
   * counted into each one's open notice, or a new notice for those without one.
   */
  async function followUp(
    tx: Tx,
    ticket: TicketFacts,
    message: { userId: string; content: string },
  ): Promise<DomainEvent[]> {
    const profiles = await users.deliveryProfiles(tx, await newTicketAudience(tx, message.userId));
    const recipients = profiles.filter((profile) => profile.isActive);
    const { events, fresh } = await followUps.countIn(tx, ticket, message.content, recipients);
    const written = await write(
      tx,
      fresh.map((recipient) => ({
        recipient,
        type: 'new_message',
        ticketId: ticket.id,
        messageCount: 1,
        ...followUpWording(ticket, message.content, 1, recipient.languageCode),
      })),
    );
    return [...events, ...written];
  }

  /** Drafts one notice per recipient (each active, never `except`), in their language. */
  async function notify(
    tx: Tx,
    recipientIds: readonly (string | null)[],
    type: NotificationType,
    ticketId: string | null,
    wording: Wording,
    except: string | null = null,
  ): Promise<DomainEvent[]> {
    const ids = recipientIds.filter((id): id is string => id !== null && id !== except);
    const profiles = await users.deliveryProfiles(tx, ids);
    return write(
      tx,
      profiles
        .filter((profile) => profile.isActive)
        .map((recipient) => ({
          recipient,
          type,
          ticketId,
          ...wording(textsFor(recipient.languageCode)),
        })),
    );
  }

  return {
    ...createDeliveryState({ db, queue, clock, users }),

    /** A new ticket: every active staff member but its author hears of it. */
    async ticketCreated(tx: Tx, ticket: TicketFacts, actorId: string): Promise<DomainEvent[]> {
      return notify(tx, await newTicketAudience(tx, actorId), 'ticket_created', ticket.id, (t) => ({
        title: t.ticket_created(ticket.number),
        content: `${ticket.title}\n\n${excerpt(ticket.description)}`,
      }));
    },

    /** An assignment: the new assignee hears of it, unless they took it themself. */
    ticketAssigned(tx: Tx, ticket: TicketFacts, actorId: string): Promise<DomainEvent[]> {
      return notify(
        tx,
        [ticket.assignedTo],
        'ticket_assigned',
        ticket.id,
        (t) => ({
          title: t.ticket_assigned(ticket.number),
          content: ticket.title,
        }),
        actorId,
      );
    },

    /** A status change: the ticket's author hears of it, unless they made it. */
    statusChanged(tx: Tx, ticket: TicketFacts, actorId: string): Promise<DomainEvent[]> {
      return notify(
        tx,
        [ticket.userId],
        'status_changed',
        ticket.id,
        (t) => ({
          title: t.status_changed(ticket.number),
          content: t.status_content(ticket.title, ticket.status),
        }),
        actorId,
      );
    },

    /**
     * A new message: the other participants hear of it (the author, the assignee, and staff among
     * `writerIds`, who wrote in the ticket); an internal note only staff among them; never its
     * writer. The author's follow-up while nobody has the ticket goes to the staff who hear of
     * new tickets instead, counted into one notice per window (`followUp`).
     */
    async messageCreated(
      tx: Tx,
      ticket: TicketFacts,
      message: { userId: string; content: string; isInternal: boolean },
      writerIds: readonly string[],
    ): Promise<DomainEvent[]> {
      const followsUp =
        !message.isInternal && ticket.assignedTo === null && message.userId === ticket.userId;
      if (followsUp) return followUp(tx, ticket, message);
      const candidates = await users.deliveryProfiles(tx, [
        ticket.userId,
        ...(ticket.assignedTo ? [ticket.assignedTo] : []),
        ...writerIds,
      ]);
      const recipients = candidates.filter(
        (p) =>
          p.id !== message.userId &&
          (p.id === ticket.userId || p.id === ticket.assignedTo || isStaff(p.role)) &&
          (!message.isInternal || isStaff(p.role)),
      );
      return notify(
        tx,
        recipients.map((p) => p.id),
        'new_message',
        ticket.id,
        (t) => ({
          title: message.isInternal ? t.internal_note(ticket.number) : t.new_message(ticket.number),
          content: excerpt(message.content),
          internal: message.isInternal,
        }),
      );
    },

    /** A reminder about a ticket, for these people (`reminders.ts`). */
    remind(
      tx: Tx,
      ticket: TicketFacts,
      recipientIds: readonly string[],
      afterHours: number,
    ): Promise<DomainEvent[]> {
      return notify(tx, recipientIds, 'reminder', ticket.id, (t) => ({
        title: t.reminder(ticket.number),
        content: t.reminder_content(ticket.title, afterHours),
      }));
    },

    /** Ids of the tickets someone was reminded about after `since` (`reminders.ts`). */
    async remindedSince(tx: Tx, since: Date): Promise<string[]> {
      const rows = await tx
        .selectDistinct({ ticketId: notifications.ticketId })
        .from(notifications)
        .where(and(eq(notifications.type, 'reminder'), gt(notifications.createdAt, since)));
      return rows.flatMap((row) => (row.ticketId ? [row.ticketId] : []));
    },

    /**
     * Tells every active staff member something (for the system), in the caller's
     * transaction. Title and content are plain text. Staff-only: a reply to it in Telegram is
     * an internal note, so nobody answers the customer by mistake.
     */
    async notifyStaff(tx: Tx, notice: StaffNotice): Promise<DomainEvent[]> {
      const staff = await users.activeStaffIds(tx);
      return notify(
        tx,
        staff,
        notice.type,
        notice.ticket_id ?? null,
        () => ({ title: notice.title, content: notice.content, internal: true }),
        notice.except ?? null,
      );
    },

    /**
     * An upload found infected and quarantined (`malware-alert.ts`): every active staff member
     * is told, in their language, in the caller's transaction. Staff-only, like `notifyStaff`.
     */
    async uploadQuarantined(tx: Tx, upload: QuarantinedUpload): Promise<DomainEvent[]> {
      return notify(tx, await users.activeStaffIds(tx), 'system', upload.ticketId, (t) => ({
        title: t.malware_blocked,
        content: t.malware_content(upload.fileName, upload.uploaderId),
        internal: true,
      }));
    },

    /**
     * The notifications of a broadcast (`broadcasts/service.ts`): one `broadcast` row per
     * recipient, tied to `broadcastId` for its progress report, each with its delivery job, in
     * the caller's transaction and in batches, rows and jobs one statement per batch (audiences
     * run into thousands; a job per round trip held the transaction for seconds). No events: the
     * caller wakes the delivery workers after commit instead of pushing thousands of live updates.
     */
    async broadcast(
      tx: Tx,
      broadcastId: string,
      recipients: readonly { id: string; languageCode: string | null }[],
      wording: (languageCode: string | null) => { title: string; content: string },
    ): Promise<number> {
      if (!queue.isRunning()) throw new Error('a broadcast needs the job queue running');
      const now = clock.now();
      for (let start = 0; start < recipients.length; start += broadcastBatchSize) {
        const batch = recipients.slice(start, start + broadcastBatchSize);
        const rows = await tx
          .insert(notifications)
          .values(
            batch.map((recipient) => ({
              userId: recipient.id,
              type: 'broadcast' as const,
              broadcastId,
              createdAt: now,
              ...wording(recipient.languageCode),
            })),
          )
          .returning({ id: notifications.id });
        await queue.sendMany<DeliveryJob>(
          deliveryQueue,
          rows.map((row) => ({ notification_id: row.id })),
          { ...deliveryJobOptions, executor: transactionExecutor(tx) },
        );
      }
      return recipients.length;
    },

    /** A page of the user's notifications, newest first, with their unread count. */
    async list(
      userId: string,
      query: NotificationListQuery,
    ): Promise<Page<NotificationDto> & { unread_count: number }> {
      const rows = await db
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, userId),
            query.unread_only ? eq(notifications.isRead, false) : undefined,
            newestFirst.after(query.cursor),
          ),
        )
        .orderBy(...newestFirst.orderBy())
        .limit(query.limit + 1);
      const page = newestFirst.page(rows, query.limit, toNotificationDto);
      return { ...page, unread_count: await this.unreadCount(userId) };
    },

    /** How many of the user's notifications are unread. */
    async unreadCount(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: count() })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.isRead, false)));
      return row?.n ?? 0;
    },

    /** Marks one of the user's notifications read; someone else's is 404. */
    async markRead(userId: string, id: string): Promise<NotificationDto> {
      const [row] = await db
        .update(notifications)
        .set({ isRead: true })
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
        .returning();
      if (!row) throw new NotFound('Notification not found');
      return toNotificationDto(row);
    },

    /** Marks all the user's notifications read; how many were unread. */
    async markAllRead(userId: string): Promise<number> {
      const rows = await db
        .update(notifications)
        .set({ isRead: true })
        .where(and(eq(notifications.userId, userId), eq(notifications.isRead, false)))
        .returning({ id: notifications.id });
      return rows.length;
    },
  };
}

/** The notifications service. */
export type NotificationService = ReturnType<typeof createNotificationService>;
