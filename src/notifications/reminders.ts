import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { NotificationService, TicketFacts } from './service.js';
import type { Clock } from '../platform/clock.js';
import type { TicketService } from '../tickets/service.js';
import type { SettingsService } from '../settings/service.js';
import type { UserService } from '../users/service.js';

/** The queue the reminder schedule sends to. */
export const reminderQueue = 'notification.reminders';

/** An arbitrary constant naming the reminder run's lock (the others are 727_274_00x). */
const reminderLockKey = 727_274_010;

/** Tickets reminded about per run at most; the rest wait for the next run. */
const batchLimit = 1000;

/**
 * Finds tickets (not resolved or closed) whose customer has waited longer than the saved
 * threshold (`reminders.after_hours` of the settings, read as each run starts) for
 * a staff answer — no public staff message since the customer's last public message, or since
 * the ticket was opened — and reminds their assignee, or every active staff member when nobody
 * (able to act) has it. A ticket is reminded about at most once per `afterHours`. Runs hold one advisory lock
 * in their transaction, so two runs at once cannot both remind: the second sees the first's
 * reminders. All of a run's reminders are written as one batch (`notifications.remind`).
 * Returns how many tickets were reminded about.
 */
export function createReminderRun(deps: {
  uow: UnitOfWork;
  notifications: NotificationService;
  users: UserService;
  tickets: Pick<TicketService, 'awaitingStaffAnswer'>;
  clock: Clock;
  logger: Logger;
  settings: Pick<SettingsService, 'current'>;
}): () => Promise<number> {
  const { uow, notifications, users, tickets, clock, logger, settings } = deps;

  return async () => {
    const afterHours = (await settings.current()).reminders.after_hours;
    const cutoff = clock.now();
    cutoff.setTime(cutoff.getTime() - afterHours * 3_600_000);
    const count = await uow.run(async (work) => {
      const { tx } = work;
      await tx.execute(sql`select pg_advisory_xact_lock(${reminderLockKey})`);
      const due: TicketFacts[] = await tickets.awaitingStaffAnswer(tx, {
        cutoff,
        excluding: await notifications.remindedSince(tx, cutoff),
        limit: batchLimit,
      });
      if (due.length === 0) return 0;
      const staff = await users.activeStaffIds(tx);
      const reminders = due.map((ticket) => {
        // An assignee who can no longer act (blocked, demoted) leaves the ticket to everyone.
        const assignee = ticket.assignedTo;
        return { ticket, recipientIds: assignee && staff.includes(assignee) ? [assignee] : staff };
      });
      await notifications.remind(work, reminders, afterHours);
      return due.length;
    });
    if (count > 0) logger.info({ tickets: count }, 'reminders written');
    return count;
  };
}
