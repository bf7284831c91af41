import { z } from 'zod';
import { ticketPriorities } from '../db/schema.js';

/** The longest period a stats query may cover: two years (731 days, a leap year included). */
export const maxPeriodDays = 731;
/** The longest period of hourly buckets. */
export const maxHourBucketDays = 31;
/** The longest period of daily buckets. */
export const maxDayBucketDays = 400;

/** Where a ticket was opened; `unknown` for tickets from before this was recorded. */
export const ticketChannels = ['telegram', 'mini_app', 'api', 'unknown'] as const;
/** A ticket's channel. */
export type TicketChannel = (typeof ticketChannels)[number];

/** The time buckets of `GET /stats/timeseries`. */
export const statsBuckets = ['hour', 'day', 'week'] as const;
/** A time bucket. */
export type StatsBucket = (typeof statsBuckets)[number];

/** What `GET /stats/breakdown` groups by. */
export const breakdownKeys = ['category', 'priority', 'status', 'channel'] as const;
/** A breakdown grouping. */
export type BreakdownBy = (typeof breakdownKeys)[number];

/** An ISO 8601 time with an offset that PostgreSQL can hold (years 1–9999 once in UTC). */
const instant = z.iso.datetime({ offset: true }).refine(
  (value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1 && year <= 9999;
  },
  { message: 'must be a time between the years 1 and 9999' },
);

/** The query every stats endpoint (and the reports) take: the period and the filters. */
export const statsQueryShape = {
  from: instant
    .optional()
    .describe('Start of the period (inclusive), ISO 8601 with offset; default `to` − 7 days'),
  to: instant.optional().describe('End of the period (exclusive); default now'),
  category_id: z.uuid().optional().describe('Only tickets now in this category'),
  priority: z.enum(ticketPriorities).optional().describe('Only tickets now of this priority'),
  assigned_to: z
    .union([z.uuid(), z.literal('none')])
    .optional()
    .describe('Only tickets now assigned to this user, or `none` for unassigned ones'),
};

/** `GET /stats/overview`, `/stats/heatmap`, `/stats/staff` query. */
export const statsQuery = z.strictObject(statsQueryShape);
/** The common stats query as a client sends it. */
export type StatsQueryInput = z.infer<typeof statsQuery>;

/** `GET /stats/timeseries` query. */
export const timeseriesQuery = z.strictObject({
  ...statsQueryShape,
  bucket: z
    .enum(statsBuckets)
    .default('day')
    .describe('hour (periods up to 31 days), day (up to 400 days) or week'),
});

/** `GET /stats/breakdown` query. */
export const breakdownQuery = z.strictObject({
  ...statsQueryShape,
  by: z.enum(breakdownKeys).describe('What to group by'),
});

/** The normalised query the service works on (`resolveQuery`). */
export interface StatsQuery {
  from: Date;
  to: Date;
  categoryId?: string;
  priority?: (typeof ticketPriorities)[number];
  /** A user id, or `none` for unassigned tickets. */
  assignedTo?: string;
}

const seconds = z.number().int().nullable();
const percentiles = z
  .object({
    median_s: seconds.describe('Median in whole seconds; null when there is none'),
    p90_s: seconds.describe('90th percentile in whole seconds; null when there is none'),
  })
  .meta({ id: 'StatsPercentiles' });

const durationFigures = z.object({
  count: z.number().int(),
  calendar: percentiles.describe('Calendar time'),
  support: percentiles.describe('Time inside the support hours'),
});

/** The figures of one period. */
export const statsFigures = z
  .object({
    created: z.number().int().describe('Tickets created in the period'),
    resolved: z.number().int().describe('Cycles ended (resolved, or closed unresolved)'),
    closed: z.number().int().describe('Moves to closed in the period'),
    reopened: z.number().int().describe('Reopens in the period'),
    backlog: z.number().int().describe('Tickets active at the period’s end (or now)'),
    first_response: durationFigures.describe(
      'Cycles whose first public staff answer came in the period',
    ),
    resolution: durationFigures.describe(
      'Cycles ended in the period; support time leaves out the time spent waiting',
    ),
    sla: z.object({
      met: z.number().int(),
      breached: z.number().int(),
      met_pct: z
        .number()
        .nullable()
        .describe('Share of targets met, 0–100, one decimal; null when none was decided'),
    }),
    csat: z.object({
      average: z.number().nullable().describe('Average score, two decimals; null when none'),
      count: z.number().int(),
    }),
  })
  .meta({ id: 'StatsFigures' });
/** The figures of one period. */
export type StatsFigures = z.infer<typeof statsFigures>;

const periodShape = {
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  time_zone: z.string().describe('The support team’s time zone the figures are read in'),
};

/** `GET /stats/overview` reply. */
export const overviewSchema = z
  .object({
    ...periodShape,
    current: statsFigures,
    previous: statsFigures.extend({
      from: z.iso.datetime({ offset: true }),
      to: z.iso.datetime({ offset: true }),
    }),
  })
  .meta({ id: 'StatsOverview', description: 'The period’s figures and the previous period’s' });
/** `GET /stats/overview` reply. */
export type StatsOverview = z.infer<typeof overviewSchema>;

/** `GET /stats/timeseries` reply. */
export const timeseriesSchema = z
  .object({
    ...periodShape,
    bucket: z.enum(statsBuckets),
    points: z.array(
      z.object({
        start: z.iso.datetime({ offset: true }).describe('The bucket’s start (the first: `from`)'),
        created: z.number().int(),
        resolved: z.number().int(),
        backlog: z.number().int().describe('Active tickets at the bucket’s end (or now)'),
      }),
    ),
  })
  .meta({ id: 'StatsTimeseries' });
/** `GET /stats/timeseries` reply. */
export type StatsTimeseries = z.infer<typeof timeseriesSchema>;

/** `GET /stats/breakdown` reply. */
export const breakdownSchema = z
  .object({
    ...periodShape,
    by: z.enum(breakdownKeys),
    rows: z.array(
      z.object({
        key: z.string().describe('Category id, priority, status or channel'),
        label: z.string().describe('The category’s name in the caller’s language, else the key'),
        created: z.number().int(),
        resolved: z.number().int(),
        backlog: z.number().int(),
        first_response_median_s: seconds,
        resolution_median_s: seconds,
      }),
    ),
  })
  .meta({ id: 'StatsBreakdown' });
/** `GET /stats/breakdown` reply. */
export type StatsBreakdown = z.infer<typeof breakdownSchema>;

/** `GET /stats/heatmap` reply. */
export const heatmapSchema = z
  .object({
    ...periodShape,
    cells: z
      .array(
        z.object({
          weekday: z.number().int().min(1).max(7).describe('Monday 1 … Sunday 7'),
          hour: z.number().int().min(0).max(23),
          count: z.number().int(),
        }),
      )
      .describe('All 168 cells: tickets created, on the support clock'),
  })
  .meta({ id: 'StatsHeatmap' });
/** `GET /stats/heatmap` reply. */
export type StatsHeatmap = z.infer<typeof heatmapSchema>;

/** `GET /stats/staff` reply. */
export const staffStatsSchema = z
  .object({
    ...periodShape,
    rows: z.array(
      z.object({
        user_id: z.uuid(),
        name: z.string(),
        assigned: z.number().int().describe('Assignments to them in the period'),
        resolved: z.number().int().describe('Cycles ended in the period while assigned to them'),
        first_response_median_s: seconds.describe('Of the cycles whose first answer they wrote'),
        resolution_median_s: seconds.describe('Of the cycles they resolved'),
        sla_met_pct: z.number().nullable().describe('Of tickets assigned to them'),
        csat_average: z.number().nullable().describe('Of tickets assigned to them'),
        csat_count: z.number().int(),
        messages: z
          .number()
          .int()
          .describe('Messages they wrote (public and internal) on tickets they did not open'),
      }),
    ),
  })
  .meta({ id: 'StatsStaff' });
/** `GET /stats/staff` reply. */
export type StatsStaff = z.infer<typeof staffStatsSchema>;
