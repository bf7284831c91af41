import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { filtersOn, rowsOf, toCount, within, type Numeric } from './queries.js';
import type { StatsQuery } from './schemas.js';

/** The buckets of a histogram (migration 0019): 1 below 1.2 s, then one per factor of 1.2. */
export const bucketCount = 100;
const ratio = 1.2;
const dayMs = 86_400_000;

/** The bucket (1–100) of a duration in seconds, as `stats_duration_bucket` in SQL computes it. */
export function bucketOf(seconds: number): number {
  return Math.min(bucketCount, 1 + Math.floor(Math.log(Math.max(seconds, 1)) / Math.log(ratio)));
}

/**
 * The value a bucket stands for: the geometric middle of [1.2^(b−1), 1.2^b), so the value
 * reported is within a factor √1.2 (±9.5 %) of any duration in it; 0.6 s for the first.
 */
function valueOf(bucket: number): number {
  return bucket === 1 ? 0.6 : ratio ** (bucket - 0.5);
}

/**
 * The `share` percentile of a histogram, interpolated between the two nearest ranks as
 * `percentile_cont` does, from each rank's bucket value; null when empty.
 */
export function percentileOf(counts: readonly number[], share: number): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = share * (total - 1);
  const valueAt = (wanted: number) => {
    let seen = 0;
    for (let index = 0; index < counts.length; index += 1) {
      seen += counts[index] ?? 0;
      if (seen > wanted) return valueOf(index + 1);
    }
    return valueOf(counts.length);
  };
  const low = valueAt(Math.floor(rank));
  const high = valueAt(Math.ceil(rank));
  return Math.round(low + (high - low) * (rank - Math.floor(rank)));
}

/** The four histograms: first response calendar and support, resolution calendar and support. */
export type Histograms = [number[], number[], number[], number[]];

const empty = (): Histograms =>
  [0, 1, 2, 3].map(() => new Array<number>(bucketCount).fill(0)) as Histograms;

/**
 * The histograms of [from, to): whole UTC days from `stats_durations`, the parts of days at
 * either end from the cycles themselves, counted per bucket in SQL (`stats_duration_bucket`).
 */
export async function histogramsOf(
  db: Db,
  query: StatsQuery,
  key: { kind: string; key: string },
  end: Date,
): Promise<Histograms> {
  const { from, to } = query;
  const histograms = empty();
  const first = new Date(Math.ceil(from.getTime() / dayMs) * dayMs);
  const last = new Date(Math.floor(end.getTime() / dayMs) * dayMs);
  const edges: [Date, Date][] = [];
  if (first >= last) edges.push([from, to]);
  else {
    if (from < first) edges.push([from, first]);
    if (last < to) edges.push([last, to]);
  }
  const [, rows] = await Promise.all([
    first < last ? addDays(db, key, first, last, histograms) : undefined,
    edges.length ? edgeBuckets(db, query, edges) : [],
  ]);
  for (const row of rows) {
    const [calendar, support] = toCount(row.metric) === 0 ? [0, 1] : [2, 3];
    const add = (metric: number, bucket: Numeric | null) => {
      const target = histograms[metric];
      if (!target || bucket === null) return;
      const index = toCount(bucket) - 1;
      target[index] = (target[index] ?? 0) + toCount(row.n);
    };
    add(calendar, row.calendar);
    add(support, row.support);
  }
  return histograms;
}

/**
 * How many first answers (metric 0) and ends (2) of the cycles in `edges` fall in each pair of
 * calendar and support buckets (as `stats_duration_events` of migration 0019 counts them; a
 * null support bucket: no support time): one read of the cycles per column, and a pair rather
 * than a row per metric, which PostgreSQL groups about twice as fast.
 */
async function edgeBuckets(
  db: Db,
  query: StatsQuery,
  edges: [Date, Date][],
): Promise<{ metric: Numeric; calendar: Numeric; support: Numeric | null; n: Numeric }[]> {
  const f = filtersOn('c', query);
  const inEdges = (column: string) =>
    sql.join(
      edges.map(([edgeFrom, edgeTo]) => sql`(${within(column, edgeFrom, edgeTo)})`),
      sql` or `,
    );
  const pairs = (metric: number, at: string, support: string) => sql`
    select ${sql.raw(String(metric))} as metric,
      stats_duration_bucket(extract(epoch from c.${sql.raw(at)} - c.started_at)) as calendar,
      case when c.${sql.raw(support)} is not null
        then stats_duration_bucket(c.${sql.raw(support)}) end as support,
      count(*) as n
    from ticket_cycles c where ${f} and (${inEdges(`c.${at}`)})
    group by 2, 3`;
  return rowsOf(
    db,
    sql`${pairs(0, 'first_response_at', 'first_response_support_s')}
    union all
    ${pairs(2, 'ended_at', 'resolution_support_s')}`,
  );
}

/** Adds the daily histograms of the whole days [first, last) to `histograms`. */
async function addDays(
  db: Db,
  key: { kind: string; key: string },
  first: Date,
  last: Date,
  histograms: Histograms,
): Promise<void> {
  // As text: node-postgres parses integer arrays several times more slowly than this split.
  const rows = await rowsOf<{ metric: Numeric; counts: string }>(
    db,
    sql`select s.metric, s.counts::text as counts from stats_durations s
      where s.kind = ${key.kind} and s.key = ${key.key} and ${within('s.day', first, last)}`,
  );
  for (const row of rows) {
    const target = histograms[toCount(row.metric)];
    if (!target) continue;
    parseArray(row.counts).forEach((count, index) => {
      target[index] = (target[index] ?? 0) + count;
    });
  }
}

/** The counts of an integer array's text, `{1,2,3}`. */
export function parseArray(text: string): number[] {
  return text.slice(1, -1).split(',').map(Number);
}
