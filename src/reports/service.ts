import { PassThrough, type Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { Actor } from '../auth/principal.js';
import type { Db } from '../db/client.js';
import { categories, users } from '../db/schema.js';
import { Conflict } from '../errors.js';
import type { Language } from '../i18n/language.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import { reportFileName } from './period.js';
import { renderPdf } from './pdf.js';
import type {
  ReportData,
  ReportFilters,
  ReportQuery,
  StatsSource,
  Timeseries,
} from './report-data.js';
import { ticketPages } from './ticket-pages.js';
import { writeXlsx } from './xlsx.js';

/** The formats a report is made in. */
export const reportFormats = ['pdf', 'xlsx'] as const;
/** A report's format. */
export type ReportFormat = (typeof reportFormats)[number];

/** The MIME type of each format. */
export const reportTypes: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The queue of the job that sends a report to its requester's Telegram chat (`jobs.ts`). */
export const reportSendQueue = 'report.send';

/** A report to send: who asked, in which format and language, for which period and filters. */
export interface ReportSendJob {
  userId: string;
  format: ReportFormat;
  language: Language;
  from: string;
  to: string;
  categoryId?: string;
  priority?: NonNullable<ReportQuery['priority']>;
  assignedTo?: string;
}

/** A report made: its file name, MIME type, content, and what it shows. */
export interface ReportFile {
  name: string;
  type: string;
  /** The PDF whole, or the spreadsheet as a stream written while it is read. */
  body: Readable | Buffer;
  report: ReportData;
}

const hourMs = 3_600_000;

/** The time series' bucket for a period: hours up to two days, days up to a quarter, else weeks. */
export function bucketFor(query: Pick<ReportQuery, 'from' | 'to'>): Timeseries['bucket'] {
  const length = query.to.getTime() - query.from.getTime();
  if (length <= 48 * hourMs) return 'hour';
  return length <= 92 * 24 * hourMs ? 'day' : 'week';
}

/** The query a queued job carries, back as a report query. */
export function queryOfJob(job: ReportSendJob): ReportQuery {
  return {
    from: new Date(job.from),
    to: new Date(job.to),
    ...(job.categoryId ? { categoryId: job.categoryId } : {}),
    ...(job.priority ? { priority: job.priority } : {}),
    ...(job.assignedTo ? { assignedTo: job.assignedTo } : {}),
  };
}

/**
 * Creates the report service: the PDF and spreadsheet of a period and filters, made from the
 * stats service's figures (so they agree with the API and the Mini App) and, for the
 * spreadsheet, the raw tickets read page by page; and the queueing of a report for Telegram.
 */
export function createReportService(deps: {
  db: Db;
  stats: StatsSource;
  queue: JobQueue;
  clock: Clock;
  /** True when the bot can reach the user in Telegram (none: no bot, nobody can be reached). */
  reachable?: (userId: string) => Promise<boolean>;
}) {
  const { db, stats, queue, clock } = deps;

  /** The filters named for the reader: the category in their language, the assignee by name. */
  async function filtersOf(query: ReportQuery, language: Language): Promise<ReportFilters> {
    const filters: ReportFilters = {};
    if (query.categoryId) {
      const [category] = await db
        .select({ name: categories.name, translations: categories.translations })
        .from(categories)
        .where(eq(categories.id, query.categoryId));
      filters.category =
        category?.translations[language]?.name ?? category?.name ?? query.categoryId;
    }
    if (query.priority) filters.priority = query.priority;
    if (query.assignedTo === 'none') filters.assignee = 'none';
    else if (query.assignedTo) {
      const [person] = await db
        .select({ firstName: users.firstName, lastName: users.lastName })
        .from(users)
        .where(eq(users.id, query.assignedTo));
      filters.assignee = person
        ? [person.firstName, person.lastName].filter(Boolean).join(' ')
        : query.assignedTo;
    }
    return filters;
  }

  /** Everything the report shows but its raw tickets. */
  async function data(query: ReportQuery, language: Language): Promise<ReportData> {
    const [overview, timeseries, byCategory, byPriority, heatmap, staff, filters] =
      await Promise.all([
        stats.overview(query),
        stats.timeseries({ ...query, bucket: bucketFor(query) }),
        stats.breakdown({ ...query, by: 'category', language }),
        stats.breakdown({ ...query, by: 'priority', language }),
        stats.heatmap(query),
        stats.staff(query),
        filtersOf(query, language),
      ]);
    return {
      language,
      generatedAt: clock.now(),
      filters,
      overview,
      timeseries,
      byCategory,
      byPriority,
      heatmap,
      staff,
    };
  }

  /** The spreadsheet as a stream: its rows are read page by page while it is sent. */
  function xlsxStream(report: ReportData, query: ReportQuery): Readable {
    const out = new PassThrough();
    writeXlsx(report, ticketPages(db, query, report.language), out).catch((error: unknown) =>
      out.destroy(error as Error),
    );
    return out;
  }

  return {
    data,

    /**
     * The report of `query` in `format` and `language`: its file name (the period's days on the
     * support clock), MIME type and content as a stream.
     */
    async file(query: ReportQuery, format: ReportFormat, language: Language): Promise<ReportFile> {
      const report = await data(query, language);
      const { from, to, time_zone: zone } = report.overview;
      const name = reportFileName(from, to, zone, format);
      const body = format === 'pdf' ? await renderPdf(report) : xlsxStream(report, query);
      return { name, type: reportTypes[format], body, report };
    },

    /**
     * Queues the report for the requester's Telegram chat; 409 `no_telegram_chat` when the bot
     * cannot reach them (they never started it, or blocked it, or there is no bot).
     */
    async requestSend(
      actor: Actor,
      format: ReportFormat,
      query: ReportQuery,
      language: Language,
    ): Promise<void> {
      const reachable = deps.reachable ? await deps.reachable(actor.userId) : false;
      if (!reachable) {
        throw new Conflict(
          'The bot has no chat with you in Telegram: open the bot and press Start, then try again',
          'no_telegram_chat',
        );
      }
      const job: ReportSendJob = {
        userId: actor.userId,
        format,
        language,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        ...(query.categoryId ? { categoryId: query.categoryId } : {}),
        ...(query.priority ? { priority: query.priority } : {}),
        ...(query.assignedTo ? { assignedTo: query.assignedTo } : {}),
      };
      await queue.send(reportSendQueue, job);
    },
  };
}

/** The report service. */
export type ReportService = ReturnType<typeof createReportService>;
