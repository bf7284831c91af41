import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';

/** The figures of one period. */
export interface PeriodStats {
  /** Tickets opened in the period. */
  created: number;
  /** Tickets moved to resolved or closed in the period (each counted once). */
  resolved: number;
  /** Median seconds from opening to the first staff answer, of tickets opened in the period. */
  medianFirstResponseS: number | null;
}

/** What `/stats` shows: today and this week (UTC), plus the backlog as it stands. */
export interface TicketStats {
  today: PeriodStats;
  week: PeriodStats;
  /** Tickets open, in progress or waiting right now. */
  backlog: number;
  /** Where the periods start (UTC midnight today; UTC Monday midnight this week). */
  todayFrom: Date;
  weekFrom: Date;
}

/** Midnight UTC of `now`'s day. */
export function startOfUtcDay(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Midnight UTC of the Monday of `now`'s ISO week. */
export function startOfUtcWeek(now: Date): Date {
  const day = startOfUtcDay(now);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * 86_400_000);
}

/** A count or a number as a driver hands it back (node-postgres: bigint and numeric as text). */
type Numeric = number | string;

interface StatsRow {
  created_today: Numeric;
  created_week: Numeric;
  resolved_today: Numeric;
  resolved_week: Numeric;
  median_today: Numeric | null;
  median_week: Numeric | null;
  backlog: Numeric;
}

const toCount = (value: Numeric): number => Number(value);
const toSeconds = (value: Numeric | null): number | null =>
  value === null ? null : Math.round(Number(value));

/**
 * The ticket figures of today and this week in one query, so the numbers of one answer agree
 * with each other. "Resolved" comes from the audit log (a move to resolved or closed), since a
 * ticket keeps no resolution time of its own; the median uses `percentile_cont` in the database.
 */
export async function ticketStats(db: Db, now: Date): Promise<TicketStats> {
  const todayFrom = startOfUtcDay(now);
  const weekFrom = startOfUtcWeek(now);
  const today = todayFrom.toISOString();
  const week = weekFrom.toISOString();
  const result: unknown = await db.execute(sql`
    with created as (
      select created_at, extract(epoch from (first_response_at - created_at)) as response_s
      from tickets where created_at >= ${week}::timestamptz
    ),
    resolved as (
      select entity_id, max(created_at) as at from audit_log
      where action = 'ticket.status_changed' and entity_type = 'ticket'
        and after ->> 'status' in ('resolved', 'closed')
        and created_at >= ${week}::timestamptz
      group by entity_id
    )
    select
      (select count(*) from created where created_at >= ${today}::timestamptz) as created_today,
      (select count(*) from created) as created_week,
      (select count(*) from resolved where at >= ${today}::timestamptz) as resolved_today,
      (select count(*) from resolved) as resolved_week,
      (select percentile_cont(0.5) within group (order by response_s) from created
        where response_s is not null and created_at >= ${today}::timestamptz) as median_today,
      (select percentile_cont(0.5) within group (order by response_s) from created
        where response_s is not null) as median_week,
      (select count(*) from tickets where status in ('open', 'in_progress', 'waiting')) as backlog
  `);
  // node-postgres answers a raw query with `{ rows }` (the embedded database too: `db/pglite.ts`).
  const [row] = (result as { rows: StatsRow[] }).rows;
  if (!row) throw new Error('the stats query returned no row');
  return {
    today: {
      created: toCount(row.created_today),
      resolved: toCount(row.resolved_today),
      medianFirstResponseS: toSeconds(row.median_today),
    },
    week: {
      created: toCount(row.created_week),
      resolved: toCount(row.resolved_week),
      medianFirstResponseS: toSeconds(row.median_week),
    },
    backlog: toCount(row.backlog),
    todayFrom,
    weekFrom,
  };
}
