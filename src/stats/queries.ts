import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { StatsQuery } from './schemas.js';

/** A count or a number as a driver hands it back (node-postgres: bigint and numeric as text). */
export type Numeric = number | string;

/** The rows of a raw query (node-postgres and the embedded database both answer `{ rows }`). */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (result as { rows: T[] }).rows;
}

/** A count as a number. */
export const toCount = (value: Numeric | null | undefined): number => Number(value ?? 0);

/** Seconds rounded to whole ones, or null. */
export const toSeconds = (value: Numeric | null | undefined): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value));

const iso = (instant: Date) => instant.toISOString();

/** The filters of `query` on a table aliased `alias` with category_id, priority, assigned_to. */
export function filtersOn(alias: 'c' | 't' | 'r', query: StatsQuery): SQL {
  const a = sql.raw(alias);
  const parts: SQL[] = [sql`true`];
  if (query.categoryId) parts.push(sql`${a}.category_id = ${query.categoryId}::uuid`);
  if (query.priority) parts.push(sql`${a}.priority = ${query.priority}::ticket_priority`);
  if (query.assignedTo === 'none') parts.push(sql`${a}.assigned_to is null`);
  else if (query.assignedTo) parts.push(sql`${a}.assigned_to = ${query.assignedTo}::uuid`);
  return sql.join(parts, sql` and `);
}

/** `column` within [from, to). */
export function within(column: string, from: Date, to: Date): SQL {
  const c = sql.raw(column);
  return sql`${c} >= ${iso(from)}::timestamptz and ${c} < ${iso(to)}::timestamptz`;
}

/** Cycles active at `at` (started before it, not ended before it). */
export function activeAt(at: Date): SQL {
  return sql`c.started_at < ${iso(at)}::timestamptz and (c.ended_at is null or c.ended_at >= ${iso(at)}::timestamptz)`;
}

/** Seconds from the cycle's start to `column`. */
export const secondsSinceStart = (column: string) =>
  sql.raw(`extract(epoch from (c.${column} - c.started_at))`);

/** `percentile_cont(share)` of `value` (exact, interpolated between the two nearest). */
export const percentile = (share: number, value: SQL, where: SQL) =>
  sql`percentile_cont(${sql.raw(String(share))}) within group (order by ${value}) filter (where ${where})`;

/**
 * The SLA targets decided in [from, to) and by `now`: a target done by its due time is met when
 * done; one not done by then is breached at its due time (as `sla/sla-state.ts` decides). The
 * first response is done at the first answer, or at the end of a cycle that had none.
 */
export function slaDecided(from: Date, to: Date, now: Date): { met: SQL; breached: SQL } {
  const f = iso(from);
  const t = iso(to);
  const n = iso(now);
  const inPeriod = (column: string) =>
    sql`${sql.raw(column)} >= ${f}::timestamptz and ${sql.raw(column)} < ${t}::timestamptz and ${sql.raw(column)} <= ${n}::timestamptz`;
  const frDone = 'coalesce(c.first_response_at, c.ended_at)';
  const met = sql`
    (case when c.first_response_due_at is not null and ${sql.raw(frDone)} <= c.first_response_due_at
       and ${inPeriod(frDone)} then 1 else 0 end)
    + (case when c.resolution_due_at is not null and c.ended_at <= c.resolution_due_at
       and ${inPeriod('c.ended_at')} then 1 else 0 end)`;
  const breached = sql`
    (case when c.first_response_due_at is not null
       and (${sql.raw(frDone)} is null or ${sql.raw(frDone)} > c.first_response_due_at)
       and ${inPeriod('c.first_response_due_at')} then 1 else 0 end)
    + (case when c.resolution_due_at is not null
       and (c.ended_at is null or c.ended_at > c.resolution_due_at)
       and ${inPeriod('c.resolution_due_at')} then 1 else 0 end)`;
  return { met, breached };
}

/** Cycles that may hold an SLA decision in [from, to): due or done in the period. */
export function slaCandidates(from: Date, to: Date): SQL {
  return sql`(${within('c.first_response_due_at', from, to)} or ${within('c.resolution_due_at', from, to)}
    or ${within('c.first_response_at', from, to)} or ${within('c.ended_at', from, to)})`;
}
