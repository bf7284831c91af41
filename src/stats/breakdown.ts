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
import { exactPercentilesUpTo, type CountSource } from './figures.js';
import { bucketCount, parseArray, percentileOf } from './histogram.js';
import { beginning, partialDays, rolledRows, wholeHours, wholeUtcDays } from './rollup.js';
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
  options: { source?: CountSource; exactUpTo?: number } = {},
): Promise<StatsBreakdown['rows']> {
  const { from, to, by } = query;
  const end = to < now ? to : now;
  const only = by === 'status' ? undefined : rollupGroupOf(query, by);
  const hours = wholeHours(from, end);
  const rolled =
    (options.source ?? 'rollup') === 'rollup' && by !== 'status' && only !== undefined && hours
      ? await rolledGroups(db, by, only, query, now, hours, options.exactUpTo)
      : null;
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
    rolled ??
    (by === 'status'
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
        ));
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

type RolledBy = Exclude<BreakdownBy, 'status'>;

/**
 * The one group the rollup answers `query` with when grouping by `by`: null for every group (no
 * filter), the filtered value when the only filter is on `by` itself; undefined when the
 * filters are more than the per-dimension rollup rows keep (then the cycles answer).
 */
function rollupGroupOf(query: StatsQuery, by: RolledBy): string | null | undefined {
  const filters: [RolledBy | 'assignee', string | undefined][] = [
    ['category', query.categoryId],
    ['priority', query.priority],
    ['assignee', query.assignedTo],
  ];
  const given = filters.filter(([, value]) => value !== undefined);
  if (given.length === 0) return null;
  const [first] = given;
  return given.length === 1 && first && first[0] === by ? (first[1] ?? null) : undefined;
}

/**
 * The groups' figures as the overview reads them (`figures.ts`): counts of the whole hours up
 * to now from the rollups' rows of kind `by` (`rolledRows`: whole UTC days from `stats_daily`,
 * the hours at either end from `stats_hourly`), the parts of hours at either end from the
 * cycles; the backlog at the end as every start before it less every end before it; the
 * medians exactly from the cycles up to `exactUpTo` values in all, else from
 * `stats_durations`' daily histograms of kind `by` (within ±9.5 %).
 */
async function rolledGroups(
  db: Db,
  by: RolledBy,
  only: string | null,
  query: StatsQuery,
  now: Date,
  hours: { from: Date; to: Date },
  exactUpTo = exactPercentilesUpTo,
): Promise<GroupRow[]> {
  const { from, to } = query;
  const end = to < now ? to : now;
  const key = sql.raw(groupKey[by]);
  const inGroup = only === null ? sql`true` : sql`${key} = ${only}`;
  const rolledIn = only === null ? sql`true` : sql`s.key = ${only}`;
  const hour = new Date(Math.floor(end.getTime() / 3_600_000) * 3_600_000);
  const rolledOfBy = sql`s.kind = ${by} and ${rolledIn}`;
  const edge = (edgeFrom: Date, edgeTo: Date) =>
    sql`select ${key} as key,
        count(*) filter (where c.seq = 1 and ${within('c.started_at', edgeFrom, edgeTo)}) as created,
        count(*) filter (where ${within('c.ended_at', edgeFrom, edgeTo)}) as resolved,
        count(*) filter (where ${within('c.first_response_at', edgeFrom, edgeTo)}) as responded,
        0 as backlog
      from ticket_cycles c
      where ${inGroup} and (${within('c.started_at', edgeFrom, edgeTo)}
        or ${within('c.ended_at', edgeFrom, edgeTo)}
        or ${within('c.first_response_at', edgeFrom, edgeTo)})
      group by 1`;
  const counted = await rowsOf<{
    key: string;
    created: Numeric | null;
    resolved: Numeric | null;
    responded: Numeric | null;
    backlog: Numeric | null;
  }>(
    db,
    sql`select key, sum(created) as created, sum(resolved) as resolved,
        sum(responded) as responded, sum(backlog) as backlog
      from (
        ${edge(from, hours.from)}
        union all
        select r.key, sum(r.created), sum(r.resolved), sum(r.responded), 0
        from (${rolledRows(rolledOfBy, hours.from, hours.to)}) r
        group by 1
        union all
        select r.key, 0, 0, 0, sum(r.created + r.reopened - r.resolved)
        from (${rolledRows(rolledOfBy, beginning, hour)}) r
        group by 1
        union all
        ${edge(hours.to, to)}
        union all
        select ${key}, 0, 0, 0,
          count(*) filter (where ${within('c.started_at', hour, end)})
            - count(*) filter (where ${within('c.ended_at', hour, end)})
        from ticket_cycles c
        where ${inGroup} and (${within('c.started_at', hour, end)} or ${within('c.ended_at', hour, end)})
        group by 1
      ) g
      group by 1`,
  );
  const values = counted.reduce(
    (total, row) => total + toCount(row.responded) + toCount(row.resolved),
    0,
  );
  const medians =
    values > exactUpTo
      ? await histogramMedians(db, by, only, query, end)
      : await exactMedians(db, by, only, query);
  return counted.map((row) => ({
    key: row.key,
    created: toCount(row.created),
    resolved: toCount(row.resolved),
    backlog: toCount(row.backlog),
    fr_median: medians.get(row.key)?.fr ?? null,
    res_median: medians.get(row.key)?.res ?? null,
  }));
}

type Medians = Map<string, { fr: number | null; res: number | null }>;

/** The groups' exact calendar medians of the period's first answers and ends. */
async function exactMedians(
  db: Db,
  by: RolledBy,
  only: string | null,
  query: StatsQuery,
): Promise<Medians> {
  const key = sql.raw(groupKey[by]);
  const answered = within('c.first_response_at', query.from, query.to);
  const ended = within('c.ended_at', query.from, query.to);
  const rows = await rowsOf<{ key: string; fr: Numeric | null; res: Numeric | null }>(
    db,
    sql`select ${key} as key,
        ${percentile(0.5, secondsSinceStart('first_response_at'), answered)} as fr,
        ${percentile(0.5, secondsSinceStart('ended_at'), ended)} as res
      from ticket_cycles c
      where ${only === null ? sql`true` : sql`${key} = ${only}`} and (${answered} or ${ended})
      group by 1`,
  );
  return new Map(
    rows.map((row) => [
      row.key,
      {
        fr: row.fr === null ? null : Number(row.fr),
        res: row.res === null ? null : Number(row.res),
      },
    ]),
  );
}

/**
 * The groups' calendar medians from the daily histograms of the whole UTC days (metric 0 first
 * answers, 2 ends; migration 0019) and the cycles of the parts of days at either end.
 */
async function histogramMedians(
  db: Db,
  by: RolledBy,
  only: string | null,
  query: StatsQuery,
  end: Date,
): Promise<Medians> {
  const { from, to } = query;
  const key = sql.raw(groupKey[by]);
  const inGroup = only === null ? sql`true` : sql`${key} = ${only}`;
  const rolledIn = only === null ? sql`true` : sql`s.key = ${only}`;
  const whole = wholeUtcDays(from, end);
  const parts = partialDays(whole, from, to).map(
    ([edgeFrom, edgeTo]) => sql`
      select ${key} as key, 0 as metric,
        stats_duration_bucket(extract(epoch from c.first_response_at - c.started_at)) as bucket,
        count(*) as n
      from ticket_cycles c where ${inGroup} and ${within('c.first_response_at', edgeFrom, edgeTo)}
      group by 1, 2, 3
      union all
      select ${key}, 2, stats_duration_bucket(extract(epoch from c.ended_at - c.started_at)),
        count(*)
      from ticket_cycles c where ${inGroup} and ${within('c.ended_at', edgeFrom, edgeTo)}
      group by 1, 2, 3`,
  );
  const [rows, days] = await Promise.all([
    parts.length
      ? rowsOf<{ key: string; metric: Numeric; bucket: Numeric; n: Numeric }>(
          db,
          sql.join(parts, sql` union all `),
        )
      : [],
    whole
      ? rowsOf<{ key: string; metric: Numeric; counts: string }>(
          db,
          sql`select s.key, s.metric, s.counts::text as counts from stats_durations s
            where s.kind = ${by} and ${rolledIn}
              and s.metric in (0, 2) and ${within('s.day', whole.from, whole.to)}`,
        )
      : [],
  ]);
  const histograms = new Map<string, [number[], number[]]>();
  const pairOf = (group: string) => {
    let pair = histograms.get(group);
    if (!pair) {
      pair = [new Array<number>(bucketCount).fill(0), new Array<number>(bucketCount).fill(0)];
      histograms.set(group, pair);
    }
    return pair;
  };
  for (const row of rows) {
    const target = pairOf(row.key)[toCount(row.metric) === 0 ? 0 : 1];
    const index = toCount(row.bucket) - 1;
    target[index] = (target[index] ?? 0) + toCount(row.n);
  }
  // The daily arrays are added here rather than unnested in SQL: a year of them is 3,650 rows
  // of 100 counts, which PostgreSQL unnests and regroups more slowly than this loop. They come
  // as text, which node-postgres hands over several times faster than parsed integer arrays.
  for (const day of days) {
    const target = pairOf(day.key)[toCount(day.metric) === 0 ? 0 : 1];
    parseArray(day.counts).forEach((count, index) => {
      target[index] = (target[index] ?? 0) + count;
    });
  }
  return new Map(
    [...histograms].map(([group, [fr, res]]) => [
      group,
      { fr: percentileOf(fr, 0.5), res: percentileOf(res, 0.5) },
    ]),
  );
}
