import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { percentOf } from './figures.js';
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
import type { StatsQuery, StatsStaff } from './schemas.js';

interface StaffRow {
  user_id: string;
  first_name: string;
  last_name: string | null;
  username: string | null;
  assigned: Numeric | null;
  resolved: Numeric | null;
  fr_median: Numeric | null;
  res_median: Numeric | null;
  sla_met: Numeric | null;
  sla_breached: Numeric | null;
  csat_average: Numeric | null;
  csat_count: Numeric | null;
  messages: Numeric | null;
}

/**
 * One row per staff member (agent and above, not blocked) now, and per former one with staff
 * work in the period (assigned, resolved or answered): the
 * assignments to them (audit log), the cycles they ended as assignee, the first answers they
 * wrote, the SLA and CSAT of the tickets assigned to them now, and the messages they wrote.
 */
export async function staffOf(db: Db, query: StatsQuery, now: Date): Promise<StatsStaff['rows']> {
  const { from, to } = query;
  const c = filtersOn('c', query);
  const t = filtersOn('t', query);
  const ended = within('c.ended_at', from, to);
  const sla = slaDecided(from, to, now);
  const rows = await rowsOf<StaffRow>(
    db,
    sql`
    with assigned as (
      select (a.after ->> 'assigned_to')::uuid as user_id, count(*) as assigned
      from audit_log a join tickets t on t.id = a.entity_id
      where a.entity_type = 'ticket' and a.action = 'ticket.assigned'
        and a.after ->> 'assigned_to' is not null and ${t} and ${within('a.created_at', from, to)}
      group by 1
    ), resolved as (
      select c.ended_assignee as user_id, count(*) as resolved,
        ${percentile(0.5, secondsSinceStart('ended_at'), sql`true`)} as res_median
      from ticket_cycles c where ${c} and ${ended} and c.ended_assignee is not null group by 1
    ), answered as (
      select c.first_responder_id as user_id,
        ${percentile(0.5, secondsSinceStart('first_response_at'), sql`true`)} as fr_median
      from ticket_cycles c
      where ${c} and ${within('c.first_response_at', from, to)} group by 1
    ), sla as (
      select c.assigned_to as user_id, sum(${sla.met}) as sla_met,
        sum(${sla.breached}) as sla_breached
      from ticket_cycles c
      where ${c} and c.assigned_to is not null and ${slaCandidates(from, to)} group by 1
    ), csat as (
      select t.assigned_to as user_id, avg(r.score) as csat_average, count(*) as csat_count
      from ticket_ratings r join tickets t on t.id = r.ticket_id
      where ${t} and t.assigned_to is not null and ${within('r.created_at', from, to)} group by 1
    ), written as (
      select m.user_id, count(*) as messages
      from messages m join tickets t on t.id = m.ticket_id
      where ${t} and ${within('m.created_at', from, to)} group by 1
    )
    select u.id as user_id, u.first_name, u.last_name, u.username, assigned.assigned,
      resolved.resolved, answered.fr_median, resolved.res_median, sla.sla_met, sla.sla_breached,
      csat.csat_average, csat.csat_count, written.messages
    from users u
      left join assigned on assigned.user_id = u.id
      left join resolved on resolved.user_id = u.id
      left join answered on answered.user_id = u.id
      left join sla on sla.user_id = u.id
      left join csat on csat.user_id = u.id
      left join written on written.user_id = u.id
    where (u.role in ('agent', 'moderator', 'admin', 'owner') and u.is_active)
      or assigned.user_id is not null or resolved.user_id is not null
      or answered.user_id is not null
    order by u.first_name, u.id`,
  );
  return rows.map((row) => {
    const met = toCount(row.sla_met);
    const breached = toCount(row.sla_breached);
    return {
      user_id: row.user_id,
      name: [row.first_name, row.last_name].filter(Boolean).join(' ') || row.username || '',
      assigned: toCount(row.assigned),
      resolved: toCount(row.resolved),
      first_response_median_s: toSeconds(row.fr_median),
      resolution_median_s: toSeconds(row.res_median),
      sla_met_pct: percentOf(met, met + breached),
      csat_average:
        row.csat_average === null ? null : Math.round(Number(row.csat_average) * 100) / 100,
      csat_count: toCount(row.csat_count),
      messages: toCount(row.messages),
    };
  });
}
