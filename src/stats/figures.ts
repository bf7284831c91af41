import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  activeAt,
  filtersOn,
  percentile,
  rowsOf,
  secondsSinceStart,
  slaCandidates,
  slaDecided,
  toCount,
  toSeconds,
  within,
  type Numeric,
} from './queries.js';
import type { StatsFigures, StatsQuery } from './schemas.js';

interface FiguresRow {
  created: Numeric;
  reopened: Numeric;
  resolved: Numeric;
  closed: Numeric;
  backlog: Numeric;
  fr_count: Numeric;
  fr_cal_50: Numeric | null;
  fr_cal_90: Numeric | null;
  fr_sup_50: Numeric | null;
  fr_sup_90: Numeric | null;
  res_count: Numeric;
  res_cal_50: Numeric | null;
  res_cal_90: Numeric | null;
  res_sup_50: Numeric | null;
  res_sup_90: Numeric | null;
  sla_met: Numeric | null;
  sla_breached: Numeric | null;
  csat_average: Numeric | null;
  csat_count: Numeric;
}

/** A share in percent with one decimal, or null of nothing. */
export function percentOf(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/**
 * The figures of [from, to) as of `now`, in one statement so they agree with each other. Each
 * figure reads `ticket_cycles` through the index of the instant it counts (`stats/recorder.ts`
 * keeps it); percentiles are exact (`percentile_cont`).
 */
export async function figuresOf(db: Db, query: StatsQuery, now: Date): Promise<StatsFigures> {
  const { from, to } = query;
  const f = filtersOn('c', query);
  const end = to < now ? to : now;
  const fr = within('c.first_response_at', from, to);
  const res = within('c.ended_at', from, to);
  const sla = slaDecided(from, to, now);
  const [row] = await rowsOf<FiguresRow>(
    db,
    sql`
    select
      (select count(*) from ticket_cycles c where ${f} and c.seq = 1
        and ${within('c.started_at', from, to)}) as created,
      (select count(*) from ticket_cycles c where ${f} and c.seq > 1
        and ${within('c.started_at', from, to)}) as reopened,
      (select count(*) from ticket_cycles c where ${f} and ${res}) as resolved,
      (select count(*) from ticket_cycles c where ${f}
        and ${within('c.closed_at', from, to)}) as closed,
      (select count(*) from ticket_cycles c where ${f} and ${activeAt(end)}) as backlog,
      fr.*, res.*, sla.*, csat.*
    from
      (select count(*) as fr_count,
         ${percentile(0.5, secondsSinceStart('first_response_at'), sql`true`)} as fr_cal_50,
         ${percentile(0.9, secondsSinceStart('first_response_at'), sql`true`)} as fr_cal_90,
         ${percentile(0.5, sql`c.first_response_support_s`, sql`true`)} as fr_sup_50,
         ${percentile(0.9, sql`c.first_response_support_s`, sql`true`)} as fr_sup_90
       from ticket_cycles c where ${f} and ${fr}) fr,
      (select count(*) as res_count,
         ${percentile(0.5, secondsSinceStart('ended_at'), sql`true`)} as res_cal_50,
         ${percentile(0.9, secondsSinceStart('ended_at'), sql`true`)} as res_cal_90,
         ${percentile(0.5, sql`c.resolution_support_s`, sql`true`)} as res_sup_50,
         ${percentile(0.9, sql`c.resolution_support_s`, sql`true`)} as res_sup_90
       from ticket_cycles c where ${f} and ${res}) res,
      (select sum(${sla.met}) as sla_met, sum(${sla.breached}) as sla_breached
       from ticket_cycles c where ${f} and ${slaCandidates(from, to)}) sla,
      (select avg(r.score) as csat_average, count(*) as csat_count
       from ticket_ratings r join tickets t on t.id = r.ticket_id
       where ${filtersOn('t', query)} and ${within('r.created_at', from, to)}) csat
  `,
  );
  if (!row) throw new Error('the stats query returned no row');
  const met = toCount(row.sla_met);
  const breached = toCount(row.sla_breached);
  return {
    created: toCount(row.created),
    resolved: toCount(row.resolved),
    closed: toCount(row.closed),
    reopened: toCount(row.reopened),
    backlog: toCount(row.backlog),
    first_response: {
      count: toCount(row.fr_count),
      calendar: { median_s: toSeconds(row.fr_cal_50), p90_s: toSeconds(row.fr_cal_90) },
      support: { median_s: toSeconds(row.fr_sup_50), p90_s: toSeconds(row.fr_sup_90) },
    },
    resolution: {
      count: toCount(row.res_count),
      calendar: { median_s: toSeconds(row.res_cal_50), p90_s: toSeconds(row.res_cal_90) },
      support: { median_s: toSeconds(row.res_sup_50), p90_s: toSeconds(row.res_sup_90) },
    },
    sla: { met, breached, met_pct: percentOf(met, met + breached) },
    csat: {
      average: row.csat_average === null ? null : Math.round(Number(row.csat_average) * 100) / 100,
      count: toCount(row.csat_count),
    },
  };
}
