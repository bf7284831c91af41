import type { Language } from '../i18n/language.js';

/** A median and a 90th percentile of durations in whole seconds; null when there is none. */
export interface Quantiles {
  median_s: number | null;
  p90_s: number | null;
}

/** The figures of one period, as `GET /stats/overview` answers them (docs/api.md#stats). */
export interface Figures {
  created: number;
  resolved: number;
  closed: number;
  reopened: number;
  backlog: number;
  first_response: { count: number; calendar: Quantiles; support: Quantiles };
  resolution: { count: number; calendar: Quantiles; support: Quantiles };
  sla: { met: number; breached: number; met_pct: number | null };
  csat: { average: number | null; count: number };
}

/** `GET /stats/overview`. */
export interface Overview {
  from: string;
  to: string;
  time_zone: string;
  current: Figures;
  previous: Figures & { from: string; to: string };
}

/** One bucket of `GET /stats/timeseries`. */
export interface SeriesPoint {
  start: string;
  created: number;
  resolved: number;
  backlog: number;
}

/** `GET /stats/timeseries`. */
export interface Timeseries {
  from: string;
  to: string;
  time_zone: string;
  bucket: 'hour' | 'day' | 'week';
  points: SeriesPoint[];
}

/** One group of `GET /stats/breakdown`. */
export interface BreakdownRow {
  key: string;
  label: string;
  created: number;
  resolved: number;
  backlog: number;
  first_response_median_s: number | null;
  resolution_median_s: number | null;
}

/** `GET /stats/breakdown`. */
export interface Breakdown {
  from: string;
  to: string;
  time_zone: string;
  by: 'category' | 'priority' | 'status' | 'channel';
  rows: BreakdownRow[];
}

/** `GET /stats/heatmap`: every weekday (Monday 1) × hour cell. */
export interface Heatmap {
  from: string;
  to: string;
  time_zone: string;
  cells: { weekday: number; hour: number; count: number }[];
}

/** One staff member's row of `GET /stats/staff`. */
export interface StaffRow {
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
}

/** `GET /stats/staff`. */
export interface Staff {
  from: string;
  to: string;
  time_zone: string;
  rows: StaffRow[];
}

/** The filters a report was made with, as named to its reader. */
export interface ReportFilters {
  category?: string;
  priority?: string;
  /** The assignee's name, or `none` for unassigned tickets. */
  assignee?: string;
}

/**
 * Everything a report shows except its raw tickets (read in pages while the file is written):
 * the stats service's answers for one period and filters, in the reader's language.
 */
export interface ReportData {
  language: Language;
  /** When the report was made. */
  generatedAt: Date;
  filters: ReportFilters;
  overview: Overview;
  timeseries: Timeseries;
  byCategory: Breakdown;
  byPriority: Breakdown;
  heatmap: Heatmap;
  staff: Staff;
}

/** One raw ticket of the period, as the spreadsheet lists it. */
export interface ReportTicket {
  number: number;
  title: string;
  status: string;
  priority: string;
  category: string;
  customer: string;
  assignee: string | null;
  createdAt: Date;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  /** Calendar seconds from creation to the first staff answer; null: none yet. */
  firstResponseS: number | null;
}
