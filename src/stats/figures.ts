import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  filtersOn,
  percentile,
  rowsOf,
  secondsSinceStart,
  toCount,
  toSeconds,
  within,
  type Numeric,
} from './queries.js';
import { histogramsOf, percentileOf } from './histogram.js';
import { backlogAt, eventCounts, factCounts, rollupKeyOf, wholeHours } from './rollup.js';
import type { StatsFigures, StatsQuery } from './schemas.js';

interface DurationsRow {
  fr_cal_50: Numeric | null;
  fr_cal_90: Numeric | null;
  fr_sup_50: Numeric | null;
  fr_sup_90: Numeric | null;
  res_cal_50: Numeric | null;
  res_cal_90: Numeric | null;
  res_sup_50: Numeric | null;
  res_sup_90: Numeric | null;
}

/** A share in percent with one decimal, or null of nothing. */
export function percentOf(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** How the counts are read: the hourly rollup where it answers, or the cycles alone. */
export type CountSource = 'rollup' | 'facts';

/** Up to how many first answers and ends a period's percentiles are computed exactly. */
export const exactPercentilesUpTo = 20_000;

type Percentiles = StatsFigures['first_response']['calendar'];
interface Durations {
  frCalendar: Percentiles;
  frSupport: Percentiles;
  resCalendar: Percentiles;
  resSupport: Percentiles;
}

/**
 * The figures of [from, to) as of `now`. The counts come from the hourly rollup and the edges
 * of the period from the cycles (`rollup.ts`); the percentiles exactly from the cycles
 * (`percentile_cont`) up to `exactUpTo` values, beyond that from the daily histograms
 * (`histogram.ts`, within ±9.5 %); CSAT from the ratings.
 */
export async function figuresOf(
  db: Db,
  query: StatsQuery,
  now: Date,
  options: { source?: CountSource; exactUpTo?: number } = {},
): Promise<StatsFigures> {
  const source = options.source ?? 'rollup';
  const { from, to } = query;
  const end = to < now ? to : now;
  const counts =
    source === 'rollup'
      ? await eventCounts(db, query, from, to, now)
      : await factCounts(db, query, from, to, now);
  const key = source === 'rollup' ? rollupKeyOf(query) : null;
  const many = counts.responded + counts.resolved > (options.exactUpTo ?? exactPercentilesUpTo);
  const [backlog, durations, csat] = await Promise.all([
    backlogAt(db, query, end, source === 'rollup'),
    key && many ? histogramDurations(db, query, key, end) : exactDurations(db, query),
    csatOf(db, query, source),
  ]);
  return {
    created: counts.created,
    resolved: counts.resolved,
    closed: counts.closed,
    reopened: counts.reopened,
    backlog,
    first_response: {
      count: counts.responded,
      calendar: durations.frCalendar,
      support: durations.frSupport,
    },
    resolution: {
      count: counts.resolved,
      calendar: durations.resCalendar,
      support: durations.resSupport,
    },
    sla: {
      met: counts.slaMet,
      breached: counts.slaBreached,
      met_pct: percentOf(counts.slaMet, counts.slaMet + counts.slaBreached),
    },
    csat,
  };
}

/** The percentiles from the daily histograms and the edges of the period. */
async function histogramDurations(
  db: Db,
  query: StatsQuery,
  key: { kind: string; key: string },
  end: Date,
): Promise<Durations> {
  const [frCal, frSup, resCal, resSup] = await histogramsOf(db, query, key, end);
  const of = (counts: number[]): Percentiles => ({
    median_s: percentileOf(counts, 0.5),
    p90_s: percentileOf(counts, 0.9),
  });
  return {
    frCalendar: of(frCal),
    frSupport: of(frSup),
    resCalendar: of(resCal),
    resSupport: of(resSup),
  };
}

/** The exact percentiles of the period's first answers and ends, in one statement. */
async function exactDurations(db: Db, query: StatsQuery): Promise<Durations> {
  const { from, to } = query;
  const f = filtersOn('c', query);
  const [row] = await rowsOf<DurationsRow>(
    db,
    sql`
    select fr.*, res.*
    from
      (select
         ${percentile(0.5, secondsSinceStart('first_response_at'), sql`true`)} as fr_cal_50,
         ${percentile(0.9, secondsSinceStart('first_response_at'), sql`true`)} as fr_cal_90,
         ${percentile(0.5, sql`c.first_response_support_s`, sql`true`)} as fr_sup_50,
         ${percentile(0.9, sql`c.first_response_support_s`, sql`true`)} as fr_sup_90
       from ticket_cycles c where ${f} and ${within('c.first_response_at', from, to)}) fr,
      (select
         ${percentile(0.5, secondsSinceStart('ended_at'), sql`true`)} as res_cal_50,
         ${percentile(0.9, secondsSinceStart('ended_at'), sql`true`)} as res_cal_90,
         ${percentile(0.5, sql`c.resolution_support_s`, sql`true`)} as res_sup_50,
         ${percentile(0.9, sql`c.resolution_support_s`, sql`true`)} as res_sup_90
       from ticket_cycles c where ${f} and ${within('c.ended_at', from, to)}) res
  `,
  );
  if (!row) throw new Error('the stats query returned no row');
  return {
    frCalendar: { median_s: toSeconds(row.fr_cal_50), p90_s: toSeconds(row.fr_cal_90) },
    frSupport: { median_s: toSeconds(row.fr_sup_50), p90_s: toSeconds(row.fr_sup_90) },
    resCalendar: { median_s: toSeconds(row.res_cal_50), p90_s: toSeconds(row.res_cal_90) },
    resSupport: { median_s: toSeconds(row.res_sup_50), p90_s: toSeconds(row.res_sup_90) },
  };
}

/**
 * The CSAT of the period. From the cycles' side (`facts`, or two filters and more): the ratings
 * through their time index, joined to their tickets only when a filter needs the ticket (the
 * join alone would read every ticket). From the rollup: the whole UTC hours from
 * `stats_csat_hourly`, the parts of hours at either end from the ratings, which carry their
 * ticket's category, priority and assignee (migration 0023).
 */
async function csatOf(
  db: Db,
  query: StatsQuery,
  source: CountSource,
): Promise<StatsFigures['csat']> {
  const key = source === 'rollup' ? rollupKeyOf(query) : null;
  const hours = key ? wholeHours(query.from, query.to) : null;
  if (!key || !hours) return csatOfRatings(db, query);
  const edge = (from: Date, to: Date) =>
    sql`select count(*) as ratings, coalesce(sum(r.score), 0) as score_sum
      from ticket_ratings r where ${filtersOn('r', query)} and ${within('r.created_at', from, to)}`;
  const [row] = await rowsOf<{ ratings: Numeric | null; score_sum: Numeric | null }>(
    db,
    sql`select sum(ratings) as ratings, sum(score_sum) as score_sum from (
      ${edge(query.from, hours.from)}
      union all
      select sum(s.ratings), sum(s.score_sum) from stats_csat_hourly s
      where s.kind = ${key.kind} and s.key = ${key.key} and ${within('s.hour', hours.from, hours.to)}
      union all
      ${edge(hours.to, query.to)}
    ) parts`,
  );
  const count = toCount(row?.ratings);
  return {
    average: count === 0 ? null : Math.round((toCount(row?.score_sum) / count) * 100) / 100,
    count,
  };
}

/** The CSAT of the period read from the ratings alone (with their tickets for a filter). */
async function csatOfRatings(db: Db, query: StatsQuery): Promise<StatsFigures['csat']> {
  const filtered = Boolean(query.categoryId ?? query.priority ?? query.assignedTo);
  const period = within('r.created_at', query.from, query.to);
  const [row] = await rowsOf<{ csat_average: Numeric | null; csat_count: Numeric }>(
    db,
    filtered
      ? sql`select avg(r.score) as csat_average, count(*) as csat_count
          from ticket_ratings r join tickets t on t.id = r.ticket_id
          where ${filtersOn('t', query)} and ${period}`
      : sql`select avg(r.score) as csat_average, count(*) as csat_count
          from ticket_ratings r where ${period}`,
  );
  const average = row?.csat_average ?? null;
  return {
    average: average === null ? null : Math.round(Number(average) * 100) / 100,
    count: toCount(row?.csat_count),
  };
}
