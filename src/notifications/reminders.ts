import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { NotificationService, TicketFacts } from './service.js';
import type { Clock } from '../platform/clock.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';

/** The queue the reminder schedule sends to. */
export const reminderQueue = 'notification.reminders';

/** An arbitrary constant naming the reminder run's lock (the others are 727_274_00x). */
const reminderLockKey = 727_274_010;

/** Tickets reminded about per run at most; the rest wait for the next run. */
const batchLimit = 1000;

/**
 * Finds tickets (not resolved or closed) whose customer has waited longer than `afterHours` for
 * a staff answer — no public staff message since the customer's last public message, or since
 * the ticket was opened — and reminds their assignee, or every active staff member when nobody
 * (able to act) has it. A ticket is reminded about at most once per `afterHours`. Runs hold one advisory lock
 * in their transaction, so two runs at once cannot both remind: the second sees the first's
 * reminders. Returns how many tickets were reminded about.
 */
export function createReminderRun(deps: {
  db: Db;
  notifications: NotificationService;
  users: UserService;
  tickets: Pick<TicketService, 'awaitingStaffAnswer'>;
  events: DomainEvents;
  clock: Clock;
  logger: Logger;
  afterHours: number;
}): () => Promise<number> {
  const { db, notifications, users, tickets, events, clock, logger, afterHours } = deps;

  return async () => {
    const cutoff = clock.now();
    cutoff.setTime(cutoff.getTime() - afterHours * 3_600_000);
    const result = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${reminderLockKey})`);
      const due: TicketFacts[] = await tickets.awaitingStaffAnswer(tx, {
        cutoff,
        excluding: await notifications.remindedSince(tx, cutoff),
        limit: batchLimit,
      });
      if (due.length === 0) return { count: 0, published: [] };
      const staff = await users.activeStaffIds(tx);
      const published = [];
      for (const ticket of due) {
        // An assignee who can no longer act (blocked, demoted) leaves the ticket to everyone.
        const assignee = ticket.assignedTo;
        const recipients = assignee && staff.includes(assignee) ? [assignee] : staff;
        published.push(...(await notifications.remind(tx, ticket, recipients, afterHours)));
      }
      return { count: due.length, published };
    });
    await events.publish(result.published);
    if (result.count > 0) logger.info({ tickets: result.count }, 'reminders written');
    return result.count;
  };
}
