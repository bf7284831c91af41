import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { exactPercentilesUpTo, percentOf, type CountSource } from './figures.js';
import { rowsOf, toCount } from './queries.js';
import type { StatsQuery, StatsStaff } from './schemas.js';
import { exactStaffMedians, staffCountsFromFacts, type StaffCountsRow } from './staff-facts.js';
import { rolledStaff } from './staff-rollup.js';

interface StaffRow extends StaffCountsRow {
  first_name: string;
  last_name: string | null;
  username: string | null;
}

/**
 * One row per staff member (agent and above, not blocked) now, and per former one with staff
 * work in the period (assigned, resolved or answered). The counts come from the per-user
 * rollups (`staff-rollup.ts`) unless `source` is `facts` or the filters are more than they
 * keep; the medians are exact up to `exactUpTo` first answers and ends in all, else from the
 * daily histograms.
 */
export async function staffOf(
  db: Db,
  query: StatsQuery,
  now: Date,
  options: { source?: CountSource; exactUpTo?: number } = {},
): Promise<StatsStaff['rows']> {
  const rolled =
    options.source === 'facts'
      ? null
      : await rolledStaff(db, query, now, options.exactUpTo ?? exactPercentilesUpTo);
  const counts = rolled?.counts ?? staffCountsFromFacts(query, query.from, query.to, now);
  const rows = await rowsOf<StaffRow>(
    db,
    sql`
    with counted as (
      select user_id::uuid as user_id, sum(assigned) as assigned, sum(messages) as messages,
        sum(responded) as responded, sum(resolved) as resolved, sum(sla_met) as sla_met,
        sum(sla_breached) as sla_breached, sum(csat_sum) as csat_sum, sum(csat_count) as csat_count
      from (${counts}) e group by 1
    )
    select u.id as user_id, u.first_name, u.last_name, u.username, counted.assigned,
      counted.messages, counted.responded, counted.resolved, counted.sla_met,
      counted.sla_breached, counted.csat_sum, counted.csat_count
    from users u left join counted on counted.user_id = u.id
    where (u.role in ('agent', 'moderator', 'admin', 'owner') and u.is_active)
      or counted.assigned > 0 or counted.resolved > 0 or counted.responded > 0
    order by u.first_name, u.id`,
  );
  // Everyone with a first answer or an end in the period has a row, so these are all of them.
  const values = rows.reduce((sum, row) => sum + toCount(row.responded) + toCount(row.resolved), 0);
  const medians = rolled ? await rolled.medians(values) : await exactStaffMedians(db, query);
  return rows.map((row) => {
    const met = toCount(row.sla_met);
    const breached = toCount(row.sla_breached);
    const rated = toCount(row.csat_count);
    return {
      user_id: row.user_id,
      name: [row.first_name, row.last_name].filter(Boolean).join(' ') || row.username || '',
      assigned: toCount(row.assigned),
      resolved: toCount(row.resolved),
      first_response_median_s: medians.get(row.user_id)?.fr ?? null,
      resolution_median_s: medians.get(row.user_id)?.res ?? null,
      sla_met_pct: percentOf(met, met + breached),
      csat_average: rated === 0 ? null : Math.round((toCount(row.csat_sum) / rated) * 100) / 100,
      csat_count: rated,
      messages: toCount(row.messages),
    };
  });
}
