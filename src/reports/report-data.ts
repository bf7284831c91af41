import type { Language } from '../i18n/language.js';
import type {
  StatsBreakdown,
  StatsFigures,
  StatsHeatmap,
  StatsOverview,
  StatsQuery,
  StatsStaff,
  StatsTimeseries,
} from '../stats/schemas.js';
import type { StatsService } from '../stats/service.js';

/** The figures of one period (`GET /stats/overview`). */
export type Figures = StatsFigures;
/** `GET /stats/breakdown`. */
export type Breakdown = StatsBreakdown;
/** One group of a breakdown. */
export type BreakdownRow = StatsBreakdown['rows'][number];
/** `GET /stats/timeseries`. */
export type Timeseries = StatsTimeseries;
/** `GET /stats/heatmap`. */
export type Heatmap = StatsHeatmap;
/** One staff member's row of `GET /stats/staff`. */
export type StaffRow = StatsStaff['rows'][number];
/** The period and filters of a report, as the stats service takes them. */
export type ReportQuery = StatsQuery;

/** What a report reads from the stats service: the answers the API gives, so they agree. */
export type StatsSource = Pick<
  StatsService,
  'overview' | 'timeseries' | 'breakdown' | 'heatmap' | 'staff'
>;

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
  overview: StatsOverview;
  timeseries: Timeseries;
  byCategory: Breakdown;
  byPriority: Breakdown;
  heatmap: Heatmap;
  staff: StatsStaff;
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
