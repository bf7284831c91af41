import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { bucketCount, percentileOf } from './histogram.js';
import { filtersOn, rowsOf, toCount, within, type Numeric } from './queries.js';
import { partialDays, rollupKeyOf, wholeHours, wholeUtcDays } from './rollup.js';
import type { StatsQuery } from './schemas.js';
import { exactStaffMedians, staffCountsFromFacts, type StaffMedians } from './staff-facts.js';

/** How the staff table is read from the per-user rollups (migration 0022). */
export interface RolledStaff {
  /** Each user's counts (columns as `StaffCountsRow`, several rows per user). */
  counts: SQL;
  /** The medians: exact when the period has up to the limit of first answers and ends. */
  medians: (values: number) => Promise<StaffMedians>;
}

/**
 * The staff table's counts of `query` as of `now`: the whole UTC days up to now from
 * `stats_staff_daily`, the other whole hours from `stats_staff_hourly`, the parts of hours at
 * either end from the raw tables; null when the
 * rollup cannot answer (two or more filters, or no whole hour in the period).
 */
export async function rolledStaff(
  db: Db,
  query: StatsQuery,
  now: Date,
  exactUpTo: number,
): Promise<RolledStaff | null> {
  const key = rollupKeyOf(query);
  const end = query.to < now ? query.to : now;
  const hours = wholeHours(query.from, end);
  if (!key || !hours) return null;
  const rolled = (table: 'stats_staff_hourly' | 'stats_staff_daily', from: Date, to: Date) => {
    const column = table === 'stats_staff_daily' ? 's.day' : 's.hour';
    return sql`select s.user_id::text as user_id, sum(s.assigned) as assigned,
        sum(s.messages) as messages, sum(s.responded) as responded, sum(s.resolved) as resolved,
        sum(s.sla_met) as sla_met, sum(s.sla_breached) as sla_breached,
        sum(s.csat_sum) as csat_sum, sum(s.csat_count) as csat_count
      from ${sql.raw(table)} s
      where s.kind = ${key.kind} and s.key = ${key.key} and ${within(column, from, to)}
      group by s.user_id`;
  };
  // Whole days from the daily sums, the hours around them from the hourly rows.
  const days = wholeUtcDays(hours.from, hours.to);
  const parts: SQL[] = [
    ...(days ? [rolled('stats_staff_daily', days.from, days.to)] : []),
    ...partialDays(days, hours.from, hours.to).map(([start, end]) =>
      rolled('stats_staff_hourly', start, end),
    ),
  ];
  if (query.from < hours.from) {
    parts.unshift(staffCountsFromFacts(query, query.from, hours.from, now));
  }
  if (hours.to < query.to) parts.push(staffCountsFromFacts(query, hours.to, query.to, now));
  return {
    counts: sql.join(
      parts.map((part) => sql`(${part})`),
      sql` union all `,
    ),
    medians: (values) =>
      values > exactUpTo ? histogramMedians(db, query, key, end) : exactStaffMedians(db, query),
  };
}

/**
 * Each user's calendar medians from the histograms of the whole UTC days up to `end` (metric
 * 0 first answers, 2 ends; `wholeDays`) and the cycles of the parts of days at either end,
 * within ±9.5 % (`histogram.ts`).
 */
async function histogramMedians(
  db: Db,
  query: StatsQuery,
  key: { kind: string; key: string },
  end: Date,
): Promise<StaffMedians> {
  const { from, to } = query;
  const f = filtersOn('c', query);
  const whole = wholeUtcDays(from, end);
  const parts = partialDays(whole, from, to).map(
    ([edgeFrom, edgeTo]) => sql`
      select c.first_responder_id::text as user_id, 0 as metric,
        stats_duration_bucket(extract(epoch from c.first_response_at - c.started_at)) as bucket,
        count(*) as n
      from ticket_cycles c
      where ${f} and c.first_responder_id is not null
        and ${within('c.first_response_at', edgeFrom, edgeTo)}
      group by 1, 2, 3
      union all
      select c.ended_assignee::text, 2,
        stats_duration_bucket(extract(epoch from c.ended_at - c.started_at)), count(*)
      from ticket_cycles c
      where ${f} and c.ended_assignee is not null and ${within('c.ended_at', edgeFrom, edgeTo)}
      group by 1, 2, 3`,
  );
  const [edgeRows, days] = await Promise.all([
    parts.length
      ? rowsOf<{ user_id: string; metric: Numeric; bucket: Numeric; n: Numeric }>(
          db,
          sql.join(parts, sql` union all `),
        )
      : [],
    whole
      ? rowsOf<{ user_id: string; metric: Numeric; counts: string }>(
          db,
          wholeDays(key, whole.from, whole.to),
        )
      : [],
  ]);
  const histograms = new Map<string, [number[], number[]]>();
  const histogramOf = (user: string, metric: Numeric) => {
    let pair = histograms.get(user);
    if (!pair) {
      pair = [new Array<number>(bucketCount).fill(0), new Array<number>(bucketCount).fill(0)];
      histograms.set(user, pair);
    }
    return pair[toCount(metric) === 0 ? 0 : 1];
  };
  for (const row of edgeRows) {
    const target = histogramOf(row.user_id, row.metric);
    const index = toCount(row.bucket) - 1;
    target[index] = (target[index] ?? 0) + toCount(row.n);
  }
  for (const day of days) {
    const counts = day.counts.replace(/[{}]/g, '').split(',');
    const target = histogramOf(day.user_id, day.metric);
    counts.forEach((count, index) => {
      target[index] = (target[index] ?? 0) + toCount(count);
    });
  }
  return new Map(
    [...histograms].map(([user, [fr, res]]) => [
      user,
      { fr: percentileOf(fr, 0.5), res: percentileOf(res, 0.5) },
    ]),
  );
}

/** The first instant of the UTC month of `at`, or of the next one when `at` is inside a month. */
function monthOf(at: Date, roundUp: boolean): Date {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  return roundUp && start < at
    ? new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1))
    : start;
}

/**
 * The histograms of the whole UTC days [first, last): whole months from
 * `stats_staff_monthly_durations`, the days around them from `stats_staff_durations`; as text
 * (`{1,0,…}`), which is split faster here than the driver parses arrays.
 */
function wholeDays(key: { kind: string; key: string }, first: Date, last: Date): SQL {
  const of = (table: string, column: string, from: Date, to: Date) =>
    sql`select s.user_id::text as user_id, s.metric, s.counts::text as counts
      from ${sql.raw(table)} s
      where s.kind = ${key.kind} and s.key = ${key.key} and ${within(column, from, to)}`;
  const firstMonth = monthOf(first, true);
  const lastMonth = monthOf(last, false);
  if (firstMonth >= lastMonth) return of('stats_staff_durations', 's.day', first, last);
  return sql`${of('stats_staff_durations', 's.day', first, firstMonth)}
    union all ${of('stats_staff_monthly_durations', 's.month', firstMonth, lastMonth)}
    union all ${of('stats_staff_durations', 's.day', lastMonth, last)}`;
}
