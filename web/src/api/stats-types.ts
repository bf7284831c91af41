/**
 * The shapes of the stats API (issue 19) the analytics page reads, by name, from the generated
 * contract (`schema.d.ts`).
 */
import type { components } from './schema';

type Schemas = components['schemas'];

/** The figures of one period. */
export type Figures = Schemas['StatsFigures'];
/** The period's figures and the previous period's (`/stats/overview`). */
export type StatsOverview = Schemas['StatsOverview'];
/** Created, resolved and backlog per bucket (`/stats/timeseries`). */
export type StatsTimeseries = Schemas['StatsTimeseries'];
/** Figures per category, priority, status or channel (`/stats/breakdown`). */
export type StatsBreakdown = Schemas['StatsBreakdown'];
/** Tickets created by weekday and hour (`/stats/heatmap`). */
export type StatsHeatmap = Schemas['StatsHeatmap'];
/** Figures per staff member (`/stats/staff`). */
export type StatsStaff = Schemas['StatsStaff'];
/** One row of the staff table. */
export type StaffRow = StatsStaff['rows'][number];
/** One row of a breakdown. */
export type BreakdownRow = StatsBreakdown['rows'][number];
