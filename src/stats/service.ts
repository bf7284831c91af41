import { eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { users } from '../db/schema.js';
import { languageOf } from '../i18n/language.js';
import { Invalid } from '../errors.js';
import type { Clock } from '../platform/clock.js';
import type { SettingsService } from '../settings/service.js';
import { breakdownOf } from './breakdown.js';
import { figuresOf, type CountSource } from './figures.js';
import { bucketStarts, startOfLocalDay, startOfLocalWeek } from './period.js';
import { offsetAt } from '../notifications/quiet-hours.js';
import { filtersOn, rowsOf, toCount, within, type Numeric } from './queries.js';
import { backlogAt, rollupKeyOf, wholeHours } from './rollup.js';
import {
  maxDayBucketDays,
  maxHourBucketDays,
  maxPeriodDays,
  type BreakdownBy,
  type StatsBreakdown,
  type StatsBucket,
  type StatsHeatmap,
  type StatsOverview,
  type StatsQuery,
  type StatsQueryInput,
  type StatsStaff,
  type StatsTimeseries,
} from './schemas.js';
import { staffOf } from './staff.js';

const dayMs = 86_400_000;

/** A stats query with its defaults filled in, and the support team's time zone. */
export type ResolvedStatsQuery = StatsQuery & { timeZone: string };

/** What the bot's `/stats` shows: today and this week on the support clock, and the backlog. */
export interface TicketStats {
  today: { created: number; resolved: number; medianFirstResponseS: number | null };
  week: { created: number; resolved: number; medianFirstResponseS: number | null };
  backlog: number;
  todayFrom: Date;
  weekFrom: Date;
  timeZone: string;
}

/**
 * Creates the statistics service: the figures of a period read from the cycle facts
 * (`ticket_cycles`, kept by `recorder.ts`), ratings and messages, on the support team's clock,
 * for the API, the exports and the bot alike.
 */
export function createStatsService(deps: {
  db: Db;
  clock: Clock;
  settings: Pick<SettingsService, 'current'>;
  /** Where counts come from: the hourly rollup (default), or the cycles alone (the bench's "before"). */
  counts?: CountSource;
  /** Up to how many values percentiles are exact (`figures.ts`; tests lower it). */
  exactUpTo?: number;
}) {
  const { db, clock, settings } = deps;
  const source = deps.counts ?? 'rollup';

  const timeZone = async () => (await settings.current()).support_hours.time_zone;

  const period = async (query: StatsQuery) => ({
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    time_zone: await timeZone(),
  });

  /**
   * The normalised query: defaults (`to` now, `from` a week before), checked bounds. A refused
   * field is named as the request carries it, `query.to` (or `body.to` for a body).
   */
  async function resolveQuery(
    raw: StatsQueryInput,
    carriedIn: 'query' | 'body' = 'query',
  ): Promise<ResolvedStatsQuery> {
    const to = raw.to ? new Date(raw.to) : clock.now();
    const from = raw.from ? new Date(raw.from) : new Date(to.getTime() - 7 * dayMs);
    if (from >= to) {
      throw new Invalid('The period is empty', [
        { field: `${carriedIn}.to`, message: 'must be after from' },
      ]);
    }
    if (to.getTime() - from.getTime() > maxPeriodDays * dayMs) {
      throw new Invalid('The period is too long', [
        { field: `${carriedIn}.from`, message: `must be at most ${maxPeriodDays} days before to` },
      ]);
    }
    return {
      from,
      to,
      ...(raw.category_id ? { categoryId: raw.category_id } : {}),
      ...(raw.priority ? { priority: raw.priority } : {}),
      ...(raw.assigned_to ? { assignedTo: raw.assigned_to } : {}),
      timeZone: await timeZone(),
    };
  }

  /** The figures of the period and of the one before it (same length, ending at `from`). */
  async function overview(query: StatsQuery): Promise<StatsOverview> {
    const now = clock.now();
    const length = query.to.getTime() - query.from.getTime();
    const before = { ...query, from: new Date(query.from.getTime() - length), to: query.from };
    const [current, previous] = await Promise.all([
      figuresOf(db, query, now, {
        source,
        ...(deps.exactUpTo === undefined ? {} : { exactUpTo: deps.exactUpTo }),
      }),
      figuresOf(db, before, now, {
        source,
        ...(deps.exactUpTo === undefined ? {} : { exactUpTo: deps.exactUpTo }),
      }),
    ]);
    return {
      ...(await period(query)),
      current,
      previous: { ...previous, from: before.from.toISOString(), to: before.to.toISOString() },
    };
  }

  /** Created, resolved and backlog per bucket of the support clock. */
  async function timeseries(query: StatsQuery & { bucket: StatsBucket }): Promise<StatsTimeseries> {
    const days = (query.to.getTime() - query.from.getTime()) / dayMs;
    const limit = { hour: maxHourBucketDays, day: maxDayBucketDays, week: Infinity }[query.bucket];
    if (days > limit) {
      throw new Invalid(`Too many ${query.bucket} buckets`, [
        { field: 'query.bucket', message: `${query.bucket} buckets cover at most ${limit} days` },
      ]);
    }
    const zone = await timeZone();
    const now = clock.now();
    const starts = bucketStarts(query.from, query.to, query.bucket, zone);
    const literal = '{' + starts.map((start) => start.toISOString()).join(',') + '}';
    const bounds = sql`${literal}::timestamptz[]`;
    const key = source === 'rollup' && onWholeHours(starts.slice(1)) ? rollupKeyOf(query) : null;
    const end = query.to < now ? query.to : now;
    const hours = key ? wholeHours(query.from, end) : null;
    const parts =
      key && hours
        ? await Promise.all([
            bucketEventsOfCycles(db, query, bounds, query.from, hours.from),
            bucketEventsOfRollup(db, key, bounds, hours.from, hours.to),
            bucketEventsOfCycles(db, query, bounds, hours.to, query.to),
          ])
        : [await bucketEventsOfCycles(db, query, bounds, query.from, query.to)];
    const at = query.from < now ? query.from : now;
    let backlog = await backlogAt(db, query, at, source === 'rollup');
    const points = starts.map((bucketStart, index) => {
      const rows = parts.map((part) => part.get(index + 1));
      const sum = (field: 'created' | 'started' | 'ended') =>
        rows.reduce((total, row) => total + toCount(row?.[field]), 0);
      backlog += sum('started') - sum('ended');
      return {
        start: bucketStart.toISOString(),
        created: sum('created'),
        resolved: sum('ended'),
        backlog,
      };
    });
    return { ...(await period(query)), bucket: query.bucket, points };
  }

  /** Tickets created per weekday and hour of the support clock: all 168 cells. */
  async function heatmap(query: StatsQuery): Promise<StatsHeatmap> {
    const zone = await timeZone();
    const key =
      source === 'rollup' && offsetAt(query.from, zone) % 3_600_000 === 0
        ? rollupKeyOf(query)
        : null;
    const hours = key ? wholeHours(query.from, query.to) : null;
    const parts =
      key && hours
        ? await Promise.all([
            heatOfCycles(db, query, zone, query.from, hours.from),
            heatOfRollup(db, key, zone, hours.from, hours.to),
            heatOfCycles(db, query, zone, hours.to, query.to),
          ])
        : [await heatOfCycles(db, query, zone, query.from, query.to)];
    const counts = new Map<string, number>();
    for (const row of parts.flat()) {
      const cell = `${toCount(row.weekday)}:${toCount(row.hour)}`;
      counts.set(cell, (counts.get(cell) ?? 0) + toCount(row.count));
    }
    const cells = Array.from({ length: 7 * 24 }, (_, index) => {
      const weekday = Math.floor(index / 24) + 1;
      const hour = index % 24;
      return { weekday, hour, count: counts.get(`${weekday}:${hour}`) ?? 0 };
    });
    return { ...(await period(query)), cells };
  }

  return {
    resolveQuery,
    overview,
    timeseries,
    heatmap,

    /** Counts and median times per category, priority, status or channel. */
    async breakdown(
      query: StatsQuery & { by: BreakdownBy; language: string },
    ): Promise<StatsBreakdown> {
      const rows = await breakdownOf(db, query, clock.now(), {
        source,
        ...(deps.exactUpTo === undefined ? {} : { exactUpTo: deps.exactUpTo }),
      });
      return { ...(await period(query)), by: query.by, rows };
    },

    /** Per staff member: assignments, resolutions, times, SLA, CSAT and messages. */
    async staff(query: StatsQuery): Promise<StatsStaff> {
      const rows = await staffOf(db, query, clock.now(), {
        source,
        ...(deps.exactUpTo === undefined ? {} : { exactUpTo: deps.exactUpTo }),
      });
      return { ...(await period(query)), rows };
    },

    /** The language a user reads (for category names): `i18n/language.ts`. */
    async languageOf(userId: string): Promise<string> {
      const [row] = await db
        .select({ language: users.languageCode })
        .from(users)
        .where(eq(users.id, userId));
      return languageOf(row?.language);
    },

    /** Today's and this week's figures on the support clock, as of now (the bot's /stats). */
    async ticketStats(): Promise<TicketStats> {
      const now = clock.now();
      const zone = await timeZone();
      const todayFrom = startOfLocalDay(now, zone);
      const weekFrom = startOfLocalWeek(now, zone);
      const figures = async (from: Date) => {
        // A period that has only begun this instant is empty, not invalid.
        const to = now > from ? now : new Date(from.getTime() + 1);
        const { current } = await overview({ from, to });
        return current;
      };
      const [today, week] = await Promise.all([figures(todayFrom), figures(weekFrom)]);
      const brief = (figures: typeof today) => ({
        created: figures.created,
        resolved: figures.resolved,
        medianFirstResponseS: figures.first_response.calendar.median_s,
      });
      return {
        today: brief(today),
        week: brief(week),
        backlog: today.backlog,
        todayFrom,
        weekFrom,
        timeZone: zone,
      };
    },
  };
}

/** The statistics service. */
export type StatsService = ReturnType<typeof createStatsService>;

/** True when every instant is on a whole UTC hour (the rollup's buckets fit the clock's). */
function onWholeHours(instants: Date[]): boolean {
  return instants.every((instant) => instant.getTime() % 3_600_000 === 0);
}

interface BucketRow {
  b: Numeric;
  created: Numeric;
  started: Numeric;
  ended: Numeric;
}

/** Per bucket of `bounds`: cycles created, started (created or reopened), ended in [from, to). */
async function bucketEventsOfCycles(
  db: Db,
  query: StatsQuery,
  bounds: SQL,
  from: Date,
  to: Date,
): Promise<Map<number, BucketRow>> {
  if (from >= to) return new Map();
  const f = filtersOn('c', query);
  const rows = await rowsOf<BucketRow>(
    db,
    sql`
    select b, sum(created) as created, sum(started) as started, sum(ended) as ended from (
      select width_bucket(c.started_at, ${bounds}) as b,
        count(*) filter (where c.seq = 1) as created, count(*) as started, 0 as ended
      from ticket_cycles c where ${f} and ${within('c.started_at', from, to)}
      group by 1
      union all
      select width_bucket(c.ended_at, ${bounds}), 0, 0, count(*)
      from ticket_cycles c where ${f} and ${within('c.ended_at', from, to)}
      group by 1
    ) events group by b`,
  );
  return new Map(rows.map((row) => [toCount(row.b), row]));
}

/** The same from the hourly rollup, for the whole hours [from, to). */
async function bucketEventsOfRollup(
  db: Db,
  key: { kind: string; key: string },
  bounds: SQL,
  from: Date,
  to: Date,
): Promise<Map<number, BucketRow>> {
  const rows = await rowsOf<BucketRow>(
    db,
    sql`
    select width_bucket(s.hour, ${bounds}) as b, sum(s.created) as created,
      sum(s.created + s.reopened) as started, sum(s.resolved) as ended
    from stats_hourly s
    where s.kind = ${key.kind} and s.key = ${key.key} and ${within('s.hour', from, to)}
    group by 1`,
  );
  return new Map(rows.map((row) => [toCount(row.b), row]));
}

interface HeatRow {
  weekday: Numeric;
  hour: Numeric;
  count: Numeric;
}

/** Tickets created in [from, to) per local weekday and hour, from the cycles. */
async function heatOfCycles(
  db: Db,
  query: StatsQuery,
  zone: string,
  from: Date,
  to: Date,
): Promise<HeatRow[]> {
  if (from >= to) return [];
  return rowsOf<HeatRow>(
    db,
    sql`
    select extract(isodow from c.started_at at time zone ${zone}) as weekday,
      extract(hour from c.started_at at time zone ${zone}) as hour, count(*) as count
    from ticket_cycles c
    where ${filtersOn('c', query)} and c.seq = 1 and ${within('c.started_at', from, to)}
    group by 1, 2`,
  );
}

/** The same from the hourly rollup, for the whole hours [from, to). */
async function heatOfRollup(
  db: Db,
  key: { kind: string; key: string },
  zone: string,
  from: Date,
  to: Date,
): Promise<HeatRow[]> {
  return rowsOf<HeatRow>(
    db,
    sql`
    select extract(isodow from s.hour at time zone ${zone}) as weekday,
      extract(hour from s.hour at time zone ${zone}) as hour, sum(s.created) as count
    from stats_hourly s
    where s.kind = ${key.kind} and s.key = ${key.key} and ${within('s.hour', from, to)}
    group by 1, 2`,
  );
}
