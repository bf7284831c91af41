import { and, count, eq, gt, inArray, isNull, type SQLWrapper } from 'drizzle-orm';
import type { Logger } from 'pino';
import { isStaff, roleRank } from '../auth/permissions.js';
import type { Db, Tx } from '../db/client.js';
import { keyset, type Page } from '../db/keyset.js';
import { notifications, type NotificationType, type TicketStatus } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import { NotFound } from '../errors.js';
import type { Work } from '../events/unit-of-work.js';
import type { QuarantinedUpload } from '../files/service.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { SettingsService } from '../settings/service.js';
import type { DeliveryProfile, StaffProfile, UserService } from '../users/service.js';
import { toNotificationDto, type NotificationDto, type NotificationListQuery } from './schemas.js';
import { createFollowUpNotices, followUpWording } from './follow-ups.js';
import {
  createNoticeWriter,
  notificationEvent,
  rowsPerInsert,
  type Wording,
} from './notice-writer.js';
import {
  createDeliveryState,
  deliveryJobOptions,
  deliveryQueue,
  wantsTelegram,
  type DeliveryJob,
} from './delivery-state.js';
import { staffTopicOrigin } from '../threads/origin.js';
import { excerpt, type NotificationTexts } from './texts.js';
import { createCopySyncQueue } from './copy-sync-queue.js';

export { deliveryJobOptions, deliveryQueue, wantsTelegram, type DeliveryJob };

/** What notifications need to know of a ticket. */
export interface TicketFacts {
  id: string;
  number: number;
  title: string;
  description: string;
  userId: string;
  assignedTo: string | null;
  categoryId: string;
  status: TicketStatus;
}

/** A ticket as the daily digest lists it. */
export interface DigestTicket {
  number: number;
  title: string;
  createdAt: Date;
}

/** A notice for all active staff that is not about one person. */
export interface StaffNotice {
  type: NotificationType;
  title: string;
  content: string;
  ticket_id?: string | null;
  /** Someone not to tell (the person who caused it). */
  except?: string;
}

const newestFirst = keyset({
  name: 'notifications:-created_at',
  descending: true,
  columns: { createdAt: notifications.createdAt, id: notifications.id },
});

/**
 * Creates the notifications service: the only writer of `notifications`. Changes call it with
 * their unit of work, so the rows and their delivery jobs commit (or vanish) with the change, and
 * its `notification.created` / `notification.updated` events are published with the change's.
 * Each call reads its recipients' delivery profiles once, writes their rows in one insert (per
 * `rowsPerInsert`) and queues their deliveries in one statement; the workers are woken once
 * after commit.
 */
export function createNotificationService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  users: UserService;
  logger: Logger;
  /** How long a customer's follow-ups count into one notice (`NOTIFY_FOLLOW_UP_WINDOW_S`). */
  followUpWindowMs: number;
  /** Who hears of new tickets (`routing` of the settings, read at each ticket). */
  settings: Pick<SettingsService, 'current'>;
}) {
  const { db, queue, clock, users, logger, settings } = deps;

  const { insert, queueDeliveries, write, activeRecipients, draftsFor } = createNoticeWriter({
    queue,
    clock,
    users,
    logger,
  });

  const followUps = createFollowUpNotices({ db, clock, windowMs: deps.followUpWindowMs });
  const copySync = createCopySyncQueue({ queue, logger });

  /**
   * Who hears of a new ticket, by the saved routing: every active staff member (`all`); those
   * on duty (`on_duty`; everyone when nobody is); the active staff listed for its category
   * (`per_category`; everyone for a category without a list, or whose listed people can no
   * longer act). Never `except` (its author). The same people hear of the follow-ups on a
   * ticket nobody has taken. Their delivery profiles, read in one statement with the staff.
   */
  async function newTicketAudience(
    tx: Tx,
    ticket: Pick<TicketFacts, 'categoryId'>,
    except: string,
    // The active staff when the caller has read them already (one statement, not two).
    known?: readonly StaffProfile[],
  ): Promise<DeliveryProfile[]> {
    const staff = known ?? (await users.activeStaffProfiles(tx));
    const { routing } = await settings.current(tx);
    let audience = staff;
    if (routing.mode === 'on_duty') {
      const onDuty = staff.filter((profile) => profile.onDuty);
      if (onDuty.length > 0) audience = onDuty;
    } else if (routing.mode === 'per_category') {
      const listed = new Set(routing.categories[ticket.categoryId] ?? []);
      const chosen = staff.filter((profile) => listed.has(profile.id));
      if (chosen.length > 0) audience = chosen;
    }
    return audience.filter((profile) => profile.id !== except);
  }

  /**
   * A follow-up by the ticket's author while nobody has it: told to the new-ticket audience,
   * counted into each one's open notice, or a new notice for those without one. The changed and
   * the new rows' deliveries are queued together.
   */
  async function followUp(
    work: Work,
    ticket: TicketFacts,
    message: { userId: string; content: string },
  ): Promise<void> {
    const { tx } = work;
    const recipients = await newTicketAudience(tx, ticket, message.userId);
    const counted = await followUps.countIn(tx, ticket, message.content, recipients);
    work.raise(...counted.updated.map((row) => notificationEvent('notification.updated', row)));
    const written = await insert(
      tx,
      counted.fresh.map((recipient) => ({
        recipient,
        type: 'new_message',
        ticketId: ticket.id,
        messageCount: 1,
        ...followUpWording(ticket, message.content, 1, recipient.languageCode),
      })),
    );
    work.raise(...written.rows.map((row) => notificationEvent('notification.created', row)));
    await queueDeliveries(work, [...counted.toSend, ...written.toSend]);
  }

  /** Tells each of these people (each active, never `except`), in their language. */
  async function notify(
    work: Work,
    recipientIds: readonly (string | null)[],
    type: NotificationType,
    ticketId: string | null,
    wording: Wording,
    except: string | null = null,
  ): Promise<void> {
    const recipients = await activeRecipients(work.tx, recipientIds, except);
    await write(work, draftsFor(recipients, type, ticketId, wording));
  }

  return {
    ...createDeliveryState({ db, queue, clock, users }),

    /** A new ticket: the staff its routing names (`newTicketAudience`) hear of it. */
    async ticketCreated(work: Work, ticket: TicketFacts, actorId: string): Promise<void> {
      const audience = await newTicketAudience(work.tx, ticket, actorId);
      await write(
        work,
        draftsFor(audience, 'ticket_created', ticket.id, (t) => ({
          title: t.ticket_created(ticket.number),
          content: `${ticket.title}\n\n${excerpt(ticket.description)}`,
        })),
      );
    },

    /** An assignment: the new assignee hears of it, unless they took it themself. */
    ticketAssigned(work: Work, ticket: TicketFacts, actorId: string): Promise<void> {
      return notify(
        work,
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
    statusChanged(work: Work, ticket: TicketFacts, actorId: string): Promise<void> {
      return notify(
        work,
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

    /** A resolved ticket closed by the system after `afterDays` idle days: its author is told. */
    autoClosed(work: Work, ticket: TicketFacts, afterDays: number): Promise<void> {
      return notify(work, [ticket.userId], 'status_changed', ticket.id, (t) => ({
        title: t.status_changed(ticket.number),
        content: t.auto_closed_content(ticket.title, afterDays),
      }));
    },

    /**
     * A customer rated a resolution of their ticket, or changed the rating: the assignee hears
     * of it with the score and comment, and a score of 2 or less alerts every active admin (and
     * owner) too. Staff-only notices: a reply to one in Telegram is an internal note.
     */
    async ticketRated(
      work: Work,
      ticket: TicketFacts,
      rating: { score: number; comment: string | null },
    ): Promise<void> {
      const content = (t: NotificationTexts) =>
        t.rating_content(ticket.title, rating.score, rating.comment);
      await notify(work, [ticket.assignedTo], 'status_changed', ticket.id, (t) => ({
        title: t.rated(ticket.number, rating.score),
        content: content(t),
        internal: true,
      }));
      if (rating.score > 2) return;
      const admins = (await users.activeStaffProfiles(work.tx))
        .filter((p) => roleRank(p.role) >= roleRank('admin') && p.id !== ticket.assignedTo)
        .map((p) => p.id);
      await notify(work, admins, 'system', ticket.id, (t) => ({
        title: t.low_rating(ticket.number, rating.score),
        content: content(t),
        internal: true,
      }));
    },

    /**
     * A new message: the other participants hear of it (the author, the assignee, and staff among
     * `writers`, the ids of who wrote in the ticket as a subquery, read with their profiles in one
     * statement); an internal note only staff among them; never its writer. The author's
     * follow-up while nobody has the ticket goes to the staff who hear of new tickets instead,
     * counted into one notice per window (`followUp`).
     */
    async messageCreated(
      work: Work,
      ticket: TicketFacts,
      message: { id: string; userId: string; content: string; isInternal: boolean },
      writers: SQLWrapper,
    ): Promise<void> {
      const followsUp =
        !message.isInternal && ticket.assignedTo === null && message.userId === ticket.userId;
      if (followsUp) return followUp(work, ticket, message);
      const candidates = await activeRecipients(
        work.tx,
        [ticket.userId, ticket.assignedTo],
        message.userId,
        writers,
      );
      const recipients = candidates.filter(
        (p) =>
          (p.id === ticket.userId || p.id === ticket.assignedTo || isStaff(p.role)) &&
          (!message.isInternal || isStaff(p.role)),
      );
      // A staff answer written in the staff group's topic reaches the customer signed with its
      // writer's name when the settings say so (`threads/origin.ts`).
      const signature = staffTopicOrigin()?.signature ?? null;
      const signed = (recipientId: string) =>
        signature !== null && !message.isInternal && recipientId === ticket.userId;
      await write(
        work,
        recipients
          .flatMap((recipient) =>
            draftsFor([recipient], 'new_message', ticket.id, (t) => ({
              title: message.isInternal
                ? t.internal_note(ticket.number)
                : t.new_message(ticket.number),
              content: signed(recipient.id)
                ? `${excerpt(message.content)}\n\n— ${signature}`
                : excerpt(message.content),
              internal: message.isInternal,
            })),
          )
          .map((draft) => ({ ...draft, messageId: message.id })),
      );
    },

    /**
     * A message was edited: the notices telling of it say its new words (in the app at once,
     * `notification.updated`), and each copy already sent to Telegram is edited by a job
     * (`copy-sync.ts`) in the change's transaction, so Telegram being down never fails the edit.
     * Only the notices of that message change: an internal note's went to staff only.
     */
    async messageEdited(work: Work, message: { id: string; content: string }): Promise<void> {
      const rows = await work.tx
        .update(notifications)
        .set({ content: excerpt(message.content) })
        .where(eq(notifications.messageId, message.id))
        .returning();
      if (rows.length === 0) return;
      work.raise(...rows.map((row) => notificationEvent('notification.updated', row)));
      await copySync.queue(
        work,
        rows.filter((row) => row.givenUpAt === null),
        'edit',
      );
    },

    /**
     * A message is being deleted (call before the row goes): notices not yet sent are given up,
     * and each copy already sent is deleted from the chat by a job (`copy-sync.ts`).
     */
    async messageDeleted(work: Work, messageId: string): Promise<void> {
      const rows = await work.tx
        .select()
        .from(notifications)
        .where(and(eq(notifications.messageId, messageId), isNull(notifications.givenUpAt)));
      const unsent = rows.filter((row) => row.deliveredAt === null && row.claimedAt === null);
      if (unsent.length > 0) {
        await work.tx
          .update(notifications)
          .set({ givenUpAt: clock.now() })
          .where(
            inArray(
              notifications.id,
              unsent.map((row) => row.id),
            ),
          );
      }
      await copySync.queue(
        work,
        rows.filter((row) => !unsent.includes(row)),
        'delete',
      );
    },

    /**
     * Reminders about tickets, each for its people (`reminders.ts`), as one batch: the
     * recipients' profiles read once, their rows and deliveries written together.
     */
    async remind(
      work: Work,
      reminders: readonly { ticket: TicketFacts; recipientIds: readonly string[] }[],
      afterHours: number,
    ): Promise<void> {
      const profiles = new Map(
        (
          await activeRecipients(
            work.tx,
            reminders.flatMap((reminder) => reminder.recipientIds),
          )
        ).map((profile) => [profile.id, profile]),
      );
      const drafts = reminders.flatMap(({ ticket, recipientIds }) =>
        draftsFor(
          [...new Set(recipientIds)].flatMap((id) => profiles.get(id) ?? []),
          'reminder',
          ticket.id,
          (t) => ({
            title: t.reminder(ticket.number),
            content: t.reminder_content(ticket.title, afterHours),
          }),
        ),
      );
      await write(work, drafts);
    },

    /**
     * An SLA notice (`sla/service.ts`), staff-only: at `warning` the assignee hears, or, when
     * nobody (able to act) has the ticket, the staff its routing names (as of a new ticket);
     * at `breached` the assignee and every active admin and owner.
     */
    async slaAlert(
      work: Work,
      ticket: TicketFacts,
      alert: {
        target: 'first_response' | 'resolution';
        level: 'warning' | 'breached';
        dueAt: Date;
      },
    ): Promise<void> {
      const staff = await users.activeStaffProfiles(work.tx);
      const assignee = staff.find((profile) => profile.id === ticket.assignedTo);
      let recipients: DeliveryProfile[];
      if (alert.level === 'warning') {
        recipients = assignee
          ? [assignee]
          : await newTicketAudience(work.tx, ticket, ticket.userId, staff);
      } else {
        const admins = staff.filter(
          (profile) => profile.role === 'admin' || profile.role === 'owner',
        );
        recipients = [...new Set([...(assignee ? [assignee] : []), ...admins])];
      }
      const breached = alert.level === 'breached';
      // The due time on the support team's clock, as the settings' support hours read it.
      const zone = (await settings.current(work.tx)).support_hours.time_zone;
      await write(
        work,
        draftsFor(recipients, 'system', ticket.id, (t) => ({
          title: breached
            ? t.sla_breached(ticket.number, alert.target)
            : t.sla_warning(ticket.number, alert.target),
          content: breached
            ? t.sla_breached_content(ticket.title, alert.dueAt, zone)
            : t.sla_warning_content(ticket.title, alert.dueAt, zone),
          internal: true,
        })),
      );
    },

    /**
     * The daily digests (`digest.ts`): one reminder without a ticket per staff member, listing
     * their overdue tickets (oldest first, as many as fit a Telegram message), as one batch.
     */
    async digest(
      work: Work,
      digests: readonly { recipientId: string; tickets: readonly DigestTicket[] }[],
      now: Date,
    ): Promise<void> {
      const profiles = await activeRecipients(
        work.tx,
        digests.map((digest) => digest.recipientId),
      );
      const byId = new Map(profiles.map((profile) => [profile.id, profile]));
      const drafts = digests.flatMap(({ recipientId, tickets }) => {
        const profile = byId.get(recipientId);
        return draftsFor(profile ? [profile] : [], 'reminder', null, (t) => ({
          title: t.digest_title(tickets.length),
          content: excerpt(
            tickets
              .map((ticket) =>
                t.digest_line(
                  ticket.number,
                  excerpt(ticket.title, 80),
                  (now.getTime() - ticket.createdAt.getTime()) / 3_600_000,
                ),
              )
              .join('\n'),
            3500,
          ),
        }));
      });
      await write(work, drafts);
    },

    /** Ids of the staff sent a digest after `since` (`digest.ts`: one a day). */
    async digestedSince(tx: Tx, since: Date): Promise<string[]> {
      const rows = await tx
        .selectDistinct({ userId: notifications.userId })
        .from(notifications)
        .where(
          and(
            eq(notifications.type, 'reminder'),
            isNull(notifications.ticketId),
            gt(notifications.createdAt, since),
          ),
        );
      return rows.map((row) => row.userId);
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
     * Tells every active staff member something (for the system), in the caller's unit of
     * work. Title and content are plain text. Staff-only: a reply to it in Telegram is an
     * internal note, so nobody answers the customer by mistake.
     */
    async notifyStaff(work: Work, notice: StaffNotice): Promise<void> {
      const staff = await users.activeStaffIds(work.tx);
      await notify(
        work,
        staff,
        notice.type,
        notice.ticket_id ?? null,
        () => ({ title: notice.title, content: notice.content, internal: true }),
        notice.except ?? null,
      );
    },

    /**
     * An upload found infected and quarantined (`malware-alert.ts`): every active staff member
     * is told, in their language, in the caller's unit of work. Staff-only, like `notifyStaff`.
     */
    async uploadQuarantined(work: Work, upload: QuarantinedUpload): Promise<void> {
      const staff = await users.activeStaffIds(work.tx);
      await notify(work, staff, 'system', upload.ticketId, (t) => ({
        title: t.malware_blocked,
        content: t.malware_content(upload.fileName, upload.uploaderId),
        internal: true,
      }));
    },

    /**
     * Tells a person that staff blocked them (with `reason`, when given) or unblocked them, in
     * their language, in the unit of work of the change. Written even though a blocked person
     * gets nothing else: this one they must hear (`wantsTelegram` lets `system` through).
     */
    async accountStatusChanged(
      work: Work,
      user: { id: string; isActive: boolean },
      reason: string | null,
    ): Promise<void> {
      const recipients = await users.deliveryProfiles(work.tx, [user.id]);
      await write(
        work,
        draftsFor(recipients, 'system', null, (t) =>
          user.isActive
            ? { title: t.account_unblocked, content: t.account_unblocked_content }
            : { title: t.account_blocked, content: t.account_blocked_content(reason) },
        ),
      );
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
      for (let start = 0; start < recipients.length; start += rowsPerInsert) {
        const batch = recipients.slice(start, start + rowsPerInsert);
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
