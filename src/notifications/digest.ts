import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { isStaff } from '../auth/permissions.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import type { Clock } from '../platform/clock.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import { localMinutes, supportTimeZone } from './quiet-hours.js';
import type { SettingsService } from '../settings/service.js';
import type { DigestTicket, NotificationService } from './service.js';

/** The queue the digest schedule sends to. */
export const digestQueue = 'notification.digest';

/**
 * The digest's schedule: every hour on the hour (UTC); a run writes digests only in the
 * digest hour of the support time zone, so a change of zone (or daylight-saving time) takes
 * effect without a restart, which a pg-boss schedule fixed to one zone at start would not.
 */
export const digestCron = '0 * * * *';

/** The local hour (support time zone) the daily digest goes out: 09:00. */
export const digestHour = 9;

/** An arbitrary constant naming the digest run's lock (the reminders' is 727_274_010). */
const digestLockKey = 727_274_011;

/** Overdue tickets looked at per run at most. */
const ticketLimit = 1000;

/** A digest is sent at most once in this long (a day, less slack for a late run). */
const onceEveryMs = 20 * 3_600_000;

/**
 * Writes the daily digest of each active staff member who takes it (`digest: true`): one
 * notification listing the tickets waiting longer than `afterHours` for a staff answer that the
 * reminders would tell them of (assigned to them, or to nobody able to act), instead of one
 * reminder each (`delivery-state.ts`, `wantsTelegram`). Runs outside the digest hour of `zone`
 * write nothing; someone sent a digest within the last 20 hours, or with nothing overdue, gets
 * none. Runs hold one advisory lock, so two at once cannot both write. Returns how many digests
 * were written.
 */
export function createDigestRun(deps: {
  uow: UnitOfWork;
  notifications: NotificationService;
  users: UserService;
  tickets: Pick<TicketService, 'awaitingStaffAnswer'>;
  clock: Clock;
  logger: Logger;
  /** The saved settings: the reminders' threshold and the support hours' time zone. */
  settings: Pick<SettingsService, 'current'>;
  /** The zone of the digest hour, instead of the settings' (tests pass one). */
  zone?: () => string | Promise<string>;
}): () => Promise<number> {
  const { uow, notifications, users, tickets, clock, logger, settings } = deps;
  const zone = deps.zone ?? supportTimeZone(settings);

  return async () => {
    const now = clock.now();
    if (Math.floor(localMinutes(now, await zone()) / 60) !== digestHour) return 0;
    const afterHours = (await settings.current()).reminders.after_hours;
    const count = await uow.run(async (work) => {
      const { tx } = work;
      await tx.execute(sql`select pg_advisory_xact_lock(${digestLockKey})`);
      const staff = await users.activeStaffIds(tx);
      const sent = new Set(
        await notifications.digestedSince(tx, new Date(now.getTime() - onceEveryMs)),
      );
      const readers = (await users.deliveryProfiles(tx, staff)).filter(
        (p) => isStaff(p.role) && p.notificationSettings.digest === true && !sent.has(p.id),
      );
      if (readers.length === 0) return 0;
      const due = await tickets.awaitingStaffAnswer(tx, {
        cutoff: new Date(now.getTime() - afterHours * 3_600_000),
        excluding: [],
        limit: ticketLimit,
      });
      const digests = readers.flatMap((reader) => {
        const theirs: DigestTicket[] = due
          .filter((ticket) => {
            // As the reminders: the assignee's if they can act, else everyone's.
            const assignee = ticket.assignedTo;
            return assignee && staff.includes(assignee) ? assignee === reader.id : true;
          })
          .map((ticket) => ({
            number: ticket.number,
            title: ticket.title,
            createdAt: ticket.createdAt,
          }));
        return theirs.length === 0 ? [] : [{ recipientId: reader.id, tickets: theirs }];
      });
      await notifications.digest(work, digests, now);
      return digests.length;
    });
    if (count > 0) logger.info({ digests: count }, 'daily digests written');
    return count;
  };
}
