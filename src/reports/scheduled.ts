import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { scheduledReportDeliveries, users } from '../db/schema.js';
import { languageOf, type Language } from '../i18n/language.js';
import { minutesOf, wallClock } from '../notifications/quiet-hours.js';
import type { Clock } from '../platform/clock.js';
import type { SettingsService } from '../settings/service.js';
import type { SettingsValues } from '../settings/schemas.js';
import { instantOf } from '../stats/period.js';
import type { UserService } from '../users/service.js';
import { deliverReport } from './deliver.js';
import { summaryLines } from './kpis.js';
import { periodLabel } from './period.js';
import type { ReportFile, ReportService } from './service.js';
import { reportTexts } from './texts.js';

/** The queue of the scheduled report's ticks. */
export const scheduledReportQueue = 'report.scheduled';

/**
 * Every five minutes (UTC); a run sends only once the saved weekday and time have come on the
 * support clock, so a change of the schedule, the zone or daylight-saving time takes effect
 * without moving a pg-boss schedule (as `notifications/digest.ts` does with its hour).
 */
export const scheduledReportCron = '*/5 * * * *';

/** A report not sent within this long of its time (workers down) is skipped, not sent late. */
const lateLimitMs = 6 * 3_600_000;

const dayMs = 86_400_000;

type Schedule = SettingsValues['scheduled_report'];

/**
 * The latest instant the schedule named at or before `now`, and the period its report covers:
 * weekly, the 7 whole days before that day; monthly (on the 1st), the previous calendar month;
 * all on `zone`'s clock. Undefined when the schedule is off.
 */
export function duePeriod(
  now: Date,
  zone: string,
  schedule: Schedule,
): { at: Date; from: Date; to: Date } | undefined {
  if (schedule.frequency === 'off') return undefined;
  const wall = wallClock(now, zone);
  const today = wall - (((wall % dayMs) + dayMs) % dayMs);
  const minutes = minutesOf(schedule.time) * 60_000;
  if (schedule.frequency === 'weekly') {
    const weekday = new Date(today).getUTCDay() || 7;
    let day = today - ((weekday - schedule.weekday + 7) % 7) * dayMs;
    if (day + minutes > wall) day -= 7 * dayMs;
    return {
      at: instantOf(day + minutes, zone),
      from: instantOf(day - 7 * dayMs, zone),
      to: instantOf(day, zone),
    };
  }
  const date = new Date(today);
  let first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  if (first + minutes > wall) first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  const month = new Date(first);
  const previous = Date.UTC(month.getUTCFullYear(), month.getUTCMonth() - 1, 1);
  return {
    at: instantOf(first + minutes, zone),
    from: instantOf(previous, zone),
    to: instantOf(first, zone),
  };
}

/** What the scheduled report runs on. */
export interface ScheduledReportDeps {
  db: Db;
  reports: Pick<ReportService, 'file'>;
  settings: Pick<SettingsService, 'current'>;
  users: Pick<UserService, 'markBotBlocked'>;
  api: Api;
  clock: Clock;
  logger: Logger;
}

/**
 * One tick of the scheduled report: once its time has come (and for at most six hours after),
 * every active admin and owner the bot can reach who has not had this period's report is claimed
 * (a row each in `scheduled_report_deliveries`, so a second worker's tick claims nobody) and sent
 * the PDF with the key figures in its caption. A send that fails other than by a 403 gives its
 * claim back, so the next tick tries again. Returns how many were sent.
 */
export function createScheduledReportRun(deps: ScheduledReportDeps): () => Promise<number> {
  const { db, reports, settings, clock, logger } = deps;
  return async () => {
    const now = clock.now();
    const current = await settings.current();
    const due = duePeriod(now, current.support_hours.time_zone, current.scheduled_report);
    if (!due || now.getTime() - due.at.getTime() > lateLimitMs) return 0;
    const admins = await db
      .select({ id: users.id, chatId: users.telegramId, languageCode: users.languageCode })
      .from(users)
      .where(
        and(
          inArray(users.role, ['admin', 'owner']),
          eq(users.isActive, true),
          isNull(users.botBlockedAt),
        ),
      );
    if (admins.length === 0) return 0;
    const claimed = await db
      .insert(scheduledReportDeliveries)
      .values(admins.map((admin) => ({ periodFrom: due.from, periodTo: due.to, userId: admin.id })))
      .onConflictDoNothing()
      .returning({ userId: scheduledReportDeliveries.userId });
    const files = new Map<Language, Promise<ReportFile>>();
    const fileIn = (language: Language) => {
      const made =
        files.get(language) ?? reports.file({ from: due.from, to: due.to }, 'pdf', language);
      files.set(language, made);
      return made;
    };
    let sent = 0;
    for (const { userId } of claimed) {
      const admin = admins.find((a) => a.id === userId);
      if (!admin) continue;
      try {
        const file = await fileIn(languageOf(admin.languageCode));
        const { overview, language } = file.report;
        const texts = reportTexts(language);
        const text = texts.summary(
          periodLabel(overview.from, overview.to, overview.time_zone),
          summaryLines(texts, overview.current),
        );
        if ((await deliverReport(deps, { userId, chatId: admin.chatId }, file, text)) === 'sent')
          sent += 1;
      } catch (error) {
        await db.execute(
          sql`delete from ${scheduledReportDeliveries} where ${scheduledReportDeliveries.userId} = ${userId} and ${scheduledReportDeliveries.periodFrom} = ${due.from} and ${scheduledReportDeliveries.periodTo} = ${due.to}`,
        );
        throw error;
      }
    }
    if (sent > 0) logger.info({ sent, from: due.from, to: due.to }, 'scheduled report sent');
    return sent;
  };
}
