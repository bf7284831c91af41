import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  rowsOf,
  slaCandidates,
  slaDecided,
  toCount,
  within,
  filtersOn,
  type Numeric,
} from './queries.js';
import type { StatsQuery } from './schemas.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/** The events a period counts (`stats_hourly`'s columns). */
export interface EventCounts {
  created: number;
  reopened: number;
  resolved: number;
  closed: number;
  responded: number;
  slaMet: number;
  slaBreached: number;
}

/** The rollup rows that answer `query`: none filter, or one; null for two or more. */
export function rollupKeyOf(query: StatsQuery): { kind: string; key: string } | null {
  const filters = [
    query.categoryId ? { kind: 'category', key: query.categoryId } : null,
    query.priority ? { kind: 'priority', key: query.priority } : null,
    query.assignedTo ? { kind: 'assignee', key: query.assignedTo } : null,
  ].filter((filter) => filter !== null);
  if (filters.length > 1) return null;
  return filters[0] ?? { kind: 'all', key: '' };
}

/** The whole UTC days inside [from, to): [ceil(from), floor(to)) to the day, or null when none. */
export function wholeUtcDays(from: Date, to: Date): { from: Date; to: Date } | null {
  const first = new Date(Math.ceil(from.getTime() / dayMs) * dayMs);
  const last = new Date(Math.floor(to.getTime() / dayMs) * dayMs);
  return first < last ? { from: first, to: last } : null;
}

/**
 * The parts of [from, to) on either side of `days` (all of it when null), empty ones left out:
 * what a daily rollup does not answer.
 */
export function partialDays(
  days: { from: Date; to: Date } | null,
  from: Date,
  to: Date,
): [Date, Date][] {
  const edges: [Date, Date][] = days
    ? [
        [from, days.from],
        [days.to, to],
      ]
    : [[from, to]];
  return edges.filter(([start, end]) => start < end);
}

/** The whole UTC hours inside [from, to): [ceil(from), floor(to)), or null when none. */
export function wholeHours(from: Date, to: Date): { from: Date; to: Date } | null {
  const first = new Date(Math.ceil(from.getTime() / hourMs) * hourMs);
  const last = new Date(Math.floor(to.getTime() / hourMs) * hourMs);
  return first < last ? { from: first, to: last } : null;
}

const none: EventCounts = {
  created: 0,
  reopened: 0,
  resolved: 0,
  closed: 0,
  responded: 0,
  slaMet: 0,
  slaBreached: 0,
};

/** Adds event counts. */
export function plus(a: EventCounts, b: EventCounts): EventCounts {
  return {
    created: a.created + b.created,
    reopened: a.reopened + b.reopened,
    resolved: a.resolved + b.resolved,
    closed: a.closed + b.closed,
    responded: a.responded + b.responded,
    slaMet: a.slaMet + b.slaMet,
    slaBreached: a.slaBreached + b.slaBreached,
  };
}

interface CountsRow {
  created: Numeric | null;
  reopened: Numeric | null;
  resolved: Numeric | null;
  closed: Numeric | null;
  responded: Numeric | null;
  sla_met: Numeric | null;
  sla_breached: Numeric | null;
}

const countsOfRow = (row: CountsRow | undefined): EventCounts =>
  row
    ? {
        created: toCount(row.created),
        reopened: toCount(row.reopened),
        resolved: toCount(row.resolved),
        closed: toCount(row.closed),
        responded: toCount(row.responded),
        slaMet: toCount(row.sla_met),
        slaBreached: toCount(row.sla_breached),
      }
    : none;

/** The events of [from, to) read from the cycles themselves (SLA decisions up to `now`). */
export async function factCounts(
  db: Db,
  query: StatsQuery,
  from: Date,
  to: Date,
  now: Date,
): Promise<EventCounts> {
  if (from >= to) return none;
  const f = filtersOn('c', query);
  const sla = slaDecided(from, to, now);
  const [row] = await rowsOf<CountsRow>(
    db,
    sql`select
      (select count(*) from ticket_cycles c where ${f} and c.seq = 1
        and ${within('c.started_at', from, to)}) as created,
      (select count(*) from ticket_cycles c where ${f} and c.seq > 1
        and ${within('c.started_at', from, to)}) as reopened,
      (select count(*) from ticket_cycles c where ${f} and ${within('c.ended_at', from, to)}) as resolved,
      (select count(*) from ticket_cycles c where ${f} and ${within('c.closed_at', from, to)}) as closed,
      (select count(*) from ticket_cycles c where ${f}
        and ${within('c.first_response_at', from, to)}) as responded,
      sla.*
    from (select sum(${sla.met}) as sla_met, sum(${sla.breached}) as sla_breached
          from ticket_cycles c where ${f} and ${slaCandidates(from, to)}) sla`,
  );
  return countsOfRow(row);
}

/**
 * The rollup rows of the whole UTC hours [from, to) matching `where` (on alias `s`): the whole
 * UTC days inside from `stats_daily`, the hours at either end from `stats_hourly`; each row has
 * `stats_hourly`'s kind, key and counts.
 */
export function rolledRows(where: SQL, from: Date, to: Date): SQL {
  const columns = sql`s.kind, s.key, s.created, s.reopened, s.resolved, s.closed, s.responded,
    s.sla_met, s.sla_breached`;
  const days = wholeUtcDays(from, to);
  const hours = (start: Date, end: Date) =>
    sql`select ${columns} from stats_hourly s where ${where} and ${within('s.hour', start, end)}`;
  if (!days) return hours(from, to);
  const parts = [
    sql`select ${columns} from stats_daily s where ${where} and ${within('s.day', days.from, days.to)}`,
    ...partialDays(days, from, to).map(([start, end]) => hours(start, end)),
  ];
  return sql.join(parts, sql` union all `);
}

/** `where` for the rollup rows of one kind and key. */
const rollupWhere = (key: { kind: string; key: string }): SQL =>
  sql`s.kind = ${key.kind} and s.key = ${key.key}`;

/** The events of the whole hours [from, to) from the daily and hourly rollups. */
export async function rolledCounts(
  db: Db,
  key: { kind: string; key: string },
  from: Date,
  to: Date,
): Promise<EventCounts> {
  const [row] = await rowsOf<CountsRow>(
    db,
    sql`select sum(created) as created, sum(reopened) as reopened, sum(resolved) as resolved,
      sum(closed) as closed, sum(responded) as responded, sum(sla_met) as sla_met,
      sum(sla_breached) as sla_breached
    from (${rolledRows(rollupWhere(key), from, to)}) r`,
  );
  return countsOfRow(row);
}

/**
 * The events of [from, to) as of `now`: the whole hours up to now from the rollup, the parts
 * of hours at either end from the cycles; all from the cycles when the filters are more than
 * the rollup keeps.
 */
export async function eventCounts(
  db: Db,
  query: StatsQuery,
  from: Date,
  to: Date,
  now: Date,
): Promise<EventCounts> {
  const key = rollupKeyOf(query);
  const hours = wholeHours(from, to < now ? to : now);
  if (!key || !hours) return factCounts(db, query, from, to, now);
  const [head, middle, tail] = await Promise.all([
    factCounts(db, query, from, hours.from, now),
    rolledCounts(db, key, hours.from, hours.to),
    factCounts(db, query, hours.to, to, now),
  ]);
  return plus(plus(head, middle), tail);
}

/** The first instant the rollups may hold: the backlog sums their rows from here. */
export const beginning = new Date(0);

/**
 * Tickets active at `at`: every start before it less every end before it. From the rollups:
 * the rows of the whole hours before `at`'s (`rolledRows`: a row per day, then per hour), the
 * cycles of the part of its hour.
 */
export async function backlogAt(
  db: Db,
  query: StatsQuery,
  at: Date,
  useRollup = true,
): Promise<number> {
  const key = useRollup ? rollupKeyOf(query) : null;
  const hour = new Date(Math.floor(at.getTime() / hourMs) * hourMs);
  if (!key) {
    const [row] = await rowsOf<{ n: Numeric }>(
      db,
      sql`select count(*) as n from ticket_cycles c where ${filtersOn('c', query)}
        and c.started_at < ${at.toISOString()}::timestamptz
        and (c.ended_at is null or c.ended_at >= ${at.toISOString()}::timestamptz)`,
    );
    return toCount(row?.n);
  }
  const f = filtersOn('c', query);
  const [row] = await rowsOf<{ rolled: Numeric | null; started: Numeric; ended: Numeric }>(
    db,
    sql`select
      (select sum(r.created + r.reopened - r.resolved)
        from (${rolledRows(rollupWhere(key), beginning, hour)}) r) as rolled,
      (select count(*) from ticket_cycles c where ${f} and ${within('c.started_at', hour, at)}) as started,
      (select count(*) from ticket_cycles c where ${f} and ${within('c.ended_at', hour, at)}) as ended`,
  );
  return toCount(row?.rolled) + toCount(row?.started) - toCount(row?.ended);
}
