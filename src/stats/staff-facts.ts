import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
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
import type { StatsQuery } from './schemas.js';

/** Each user's calendar medians in seconds: of the first answers they wrote, of their ends. */
export type StaffMedians = Map<string, { fr: number | null; res: number | null }>;

/** One user's counts of a period, as the staff queries hand them back. */
export interface StaffCountsRow {
  user_id: string;
  assigned: Numeric | null;
  messages: Numeric | null;
  responded: Numeric | null;
  resolved: Numeric | null;
  sla_met: Numeric | null;
  sla_breached: Numeric | null;
  csat_sum: Numeric | null;
  csat_count: Numeric | null;
}

/**
 * Each user's counts of [from, to) read from the raw tables: the assignments to them (audit
 * log), the messages they wrote on tickets they did not open, the first answers they wrote, the
 * cycles that ended assigned to them, the SLA decisions (up to `now`) and ratings of the
 * tickets assigned to them now. Columns as `StaffCountsRow`.
 */
export function staffCountsFromFacts(query: StatsQuery, from: Date, to: Date, now: Date): SQL {
  const c = filtersOn('c', query);
  const t = filtersOn('t', query);
  const sla = slaDecided(from, to, now);
  return sql`
    select a.after ->> 'assigned_to' as user_id, 1 as assigned, 0 as messages, 0 as responded,
      0 as resolved, 0 as sla_met, 0 as sla_breached, 0 as csat_sum, 0 as csat_count
    from audit_log a join tickets t on t.id = a.entity_id
    where a.entity_type = 'ticket' and a.action = 'ticket.assigned'
      and a.after ->> 'assigned_to' is not null and ${t} and ${within('a.created_at', from, to)}
    union all
    select m.user_id::text, 0, 1, 0, 0, 0, 0, 0, 0
    from messages m join tickets t on t.id = m.ticket_id and t.user_id <> m.user_id
    where ${t} and ${within('m.created_at', from, to)}
    union all
    select c.first_responder_id::text, 0, 0, 1, 0, 0, 0, 0, 0 from ticket_cycles c
    where ${c} and c.first_responder_id is not null and ${within('c.first_response_at', from, to)}
    union all
    select c.ended_assignee::text, 0, 0, 0, 1, 0, 0, 0, 0 from ticket_cycles c
    where ${c} and c.ended_assignee is not null and ${within('c.ended_at', from, to)}
    union all
    select c.assigned_to::text, 0, 0, 0, 0, ${sla.met}, ${sla.breached}, 0, 0 from ticket_cycles c
    where ${c} and c.assigned_to is not null and ${slaCandidates(from, to)}
    union all
    select t.assigned_to::text, 0, 0, 0, 0, 0, 0, r.score, 1
    from ticket_ratings r join tickets t on t.id = r.ticket_id
    where ${t} and t.assigned_to is not null and ${within('r.created_at', from, to)}`;
}

/** Each user's exact calendar medians of the period's first answers and ends (from the cycles). */
export async function exactStaffMedians(db: Db, query: StatsQuery): Promise<StaffMedians> {
  const c = filtersOn('c', query);
  const rows = await rowsOf<{ user_id: string; metric: Numeric; median: Numeric | null }>(
    db,
    sql`
    select c.first_responder_id as user_id, 0 as metric,
      ${percentile(0.5, secondsSinceStart('first_response_at'), sql`true`)} as median
    from ticket_cycles c
    where ${c} and c.first_responder_id is not null
      and ${within('c.first_response_at', query.from, query.to)}
    group by 1
    union all
    select c.ended_assignee, 2, ${percentile(0.5, secondsSinceStart('ended_at'), sql`true`)}
    from ticket_cycles c
    where ${c} and c.ended_assignee is not null and ${within('c.ended_at', query.from, query.to)}
    group by 1`,
  );
  const medians: StaffMedians = new Map();
  for (const row of rows) {
    const entry = medians.get(row.user_id) ?? { fr: null, res: null };
    if (toCount(row.metric) === 0) entry.fr = toSeconds(row.median);
    else entry.res = toSeconds(row.median);
    medians.set(row.user_id, entry);
  }
  return medians;
}
