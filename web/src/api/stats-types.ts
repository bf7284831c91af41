/**
 * The shapes of the stats API (issue 19's contract) the analytics page reads.
 * TEMPORARY: written from the contract until the stats branch's generated `schema.d.ts` lands;
 * then each becomes a `components['schemas'][…]` alias.
 */
interface Times {
  count: number;
  calendar: { median_s: number | null; p90_s: number | null };
  support: { median_s: number | null; p90_s: number | null };
}

/** The figures of one period. */
export interface Figures {
  created: number;
  resolved: number;
  closed: number;
  reopened: number;
  backlog: number;
  first_response: Times;
  resolution: Times;
  sla: { met: number; breached: number; met_pct: number | null };
  csat: { average: number | null; count: number };
}

interface Answer {
  from: string;
  to: string;
  time_zone: string;
}

export interface StatsOverview extends Answer {
  current: Figures;
  previous: Figures & { from: string; to: string };
}

export interface StatsTimeseries extends Answer {
  bucket: 'hour' | 'day' | 'week';
  points: { start: string; created: number; resolved: number; backlog: number }[];
}

export interface StatsBreakdown extends Answer {
  by: 'category' | 'priority' | 'status' | 'channel';
  rows: {
    key: string;
    label: string;
    created: number;
    resolved: number;
    backlog: number;
    first_response_median_s: number | null;
    resolution_median_s: number | null;
  }[];
}

export interface StatsHeatmap extends Answer {
  cells: { weekday: number; hour: number; count: number }[];
}

export interface StatsStaff extends Answer {
  rows: {
    user_id: string;
    name: string;
    assigned: number;
    resolved: number;
    first_response_median_s: number | null;
    resolution_median_s: number | null;
    sla_met_pct: number | null;
    csat_average: number | null;
    csat_count: number;
    messages: number;
  }[];
}

/** One row of the staff table. */
export type StaffRow = StatsStaff['rows'][number];
/** One row of a breakdown. */
export type BreakdownRow = StatsBreakdown['rows'][number];
