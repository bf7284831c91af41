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
import { backlogAt, eventCounts, factCounts } from './rollup.js';
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
  csat_average: Numeric | null;
  csat_count: Numeric;
}

/** A share in percent with one decimal, or null of nothing. */
export function percentOf(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** How the counts are read: the hourly rollup where it answers, or the cycles alone. */
export type CountSource = 'rollup' | 'facts';

/**
 * The figures of [from, to) as of `now`. The counts come from the hourly rollup and the edges
 * of the period from the cycles (`rollup.ts`); the percentiles from the cycles through the
 * index of the instant they count, exact (`percentile_cont`); CSAT from the ratings.
 */
export async function figuresOf(
  db: Db,
  query: StatsQuery,
  now: Date,
  source: CountSource = 'rollup',
): Promise<StatsFigures> {
  const { from, to } = query;
  const end = to < now ? to : now;
  const [counts, backlog, row] = await Promise.all([
    source === 'rollup'
      ? eventCounts(db, query, from, to, now)
      : factCounts(db, query, from, to, now),
    backlogAt(db, query, end, source === 'rollup'),
    durationsOf(db, query),
  ]);
  return {
    created: counts.created,
    resolved: counts.resolved,
    closed: counts.closed,
    reopened: counts.reopened,
    backlog,
    first_response: {
      count: counts.responded,
      calendar: { median_s: toSeconds(row.fr_cal_50), p90_s: toSeconds(row.fr_cal_90) },
      support: { median_s: toSeconds(row.fr_sup_50), p90_s: toSeconds(row.fr_sup_90) },
    },
    resolution: {
      count: counts.resolved,
      calendar: { median_s: toSeconds(row.res_cal_50), p90_s: toSeconds(row.res_cal_90) },
      support: { median_s: toSeconds(row.res_sup_50), p90_s: toSeconds(row.res_sup_90) },
    },
    sla: {
      met: counts.slaMet,
      breached: counts.slaBreached,
      met_pct: percentOf(counts.slaMet, counts.slaMet + counts.slaBreached),
    },
    csat: {
      average: row.csat_average === null ? null : Math.round(Number(row.csat_average) * 100) / 100,
      count: toCount(row.csat_count),
    },
  };
}

/** The percentiles of the period's first answers and ends, and its CSAT, in one statement. */
async function durationsOf(db: Db, query: StatsQuery): Promise<DurationsRow> {
  const { from, to } = query;
  const f = filtersOn('c', query);
  const [row] = await rowsOf<DurationsRow>(
    db,
    sql`
    select fr.*, res.*, csat.*
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
       from ticket_cycles c where ${f} and ${within('c.ended_at', from, to)}) res,
      (select avg(r.score) as csat_average, count(*) as csat_count
       from ticket_ratings r join tickets t on t.id = r.ticket_id
       where ${filtersOn('t', query)} and ${within('r.created_at', from, to)}) csat
  `,
  );
  if (!row) throw new Error('the stats query returned no row');
  return row;
}
