import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { categories, ticketPriorities, ticketStatuses } from '../db/schema.js';
import {
  activeAt,
  filtersOn,
  percentile,
  rowsOf,
  secondsSinceStart,
  toCount,
  toSeconds,
  within,
  type Numeric,
} from './queries.js';
import {
  ticketChannels,
  type BreakdownBy,
  type StatsBreakdown,
  type StatsQuery,
} from './schemas.js';

interface GroupRow {
  key: string;
  created: Numeric;
  resolved: Numeric;
  backlog: Numeric;
  fr_median: Numeric | null;
  res_median: Numeric | null;
}

const groupKey: Record<Exclude<BreakdownBy, 'status'>, string> = {
  category: 'c.category_id::text',
  priority: 'c.priority::text',
  channel: 'c.channel',
};

/**
 * The figures per group: by the ticket's current category, priority or channel, each group's
 * figures as the overview counts them; by status, the tickets created in the period grouped by
 * the status they have now, with their cycles' figures. The median times are calendar time.
 */
export async function breakdownOf(
  db: Db,
  query: StatsQuery & { by: BreakdownBy; language: string },
  now: Date,
): Promise<StatsBreakdown['rows']> {
  const { from, to, by } = query;
  const end = to < now ? to : now;
  const started = within('c.started_at', from, to);
  const ended = within('c.ended_at', from, to);
  const answered = within('c.first_response_at', from, to);
  const figures = sql`
    count(*) filter (where c.seq = 1 and ${started}) as created,
    count(*) filter (where ${ended}) as resolved,
    count(*) filter (where ${activeAt(end)}) as backlog,
    ${percentile(0.5, secondsSinceStart('first_response_at'), answered)} as fr_median,
    ${percentile(0.5, secondsSinceStart('ended_at'), ended)} as res_median`;
  const rows =
    by === 'status'
      ? await rowsOf<GroupRow>(
          db,
          sql`select t.status::text as key, ${figures}
            from tickets t join ticket_cycles c on c.ticket_id = t.id
            where ${filtersOn('c', query)} and ${within('t.created_at', from, to)}
            group by 1`,
        )
      : await rowsOf<GroupRow>(
          db,
          sql`select ${sql.raw(groupKey[by])} as key, ${figures}
            from ticket_cycles c
            where ${filtersOn('c', query)}
              and (${started} or ${ended} or ${answered} or c.ended_at is null
                or ${activeAt(end)})
            group by 1`,
        );
  const found = new Map(rows.map((row) => [row.key, row]));
  const keys = {
    category: [...found.keys()],
    priority: [...ticketPriorities],
    status: [...ticketStatuses],
    channel: ticketChannels.filter((channel) => channel !== 'unknown' || found.has(channel)),
  }[by];
  const labels =
    by === 'category' ? await categoryNames(db, keys, query.language) : new Map<string, string>();
  return keys
    .map((key) => {
      const row = found.get(key);
      return {
        key,
        label: labels.get(key) ?? key,
        created: toCount(row?.created),
        resolved: toCount(row?.resolved),
        backlog: toCount(row?.backlog),
        first_response_median_s: toSeconds(row?.fr_median),
        resolution_median_s: toSeconds(row?.res_median),
      };
    })
    .filter((row) => by !== 'category' || row.created + row.resolved + row.backlog > 0);
}

/** The names of these categories in `language`, else their own. */
async function categoryNames(
  db: Db,
  ids: string[],
  language: string,
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: categories.id, name: categories.name, translations: categories.translations })
    .from(categories)
    .where(inArray(categories.id, ids));
  return new Map(rows.map((row) => [row.id, row.translations[language]?.name ?? row.name]));
}
