import type { Figures } from './report-data.js';
import type { ReportTexts } from './texts.js';

/** How a figure reads: a count, a duration in seconds, a percentage, or an average score. */
export type KpiKind = 'count' | 'duration' | 'percent' | 'score';

/** One key figure of a report, for this period and the previous one. */
export interface Kpi {
  label: string;
  kind: KpiKind;
  current: number | null;
  previous: number | null;
}

/** The report's key figures in their order, named in the reader's language. */
export function kpisOf(texts: ReportTexts, current: Figures, previous: Figures): Kpi[] {
  const row = (label: string, kind: KpiKind, read: (f: Figures) => number | null): Kpi => ({
    label,
    kind,
    current: read(current),
    previous: read(previous),
  });
  const support = ` (${texts.supportTime})`;
  const calendar = ` (${texts.calendarTime})`;
  return [
    row(texts.created, 'count', (f) => f.created),
    row(texts.resolved, 'count', (f) => f.resolved),
    row(texts.closed, 'count', (f) => f.closed),
    row(texts.reopened, 'count', (f) => f.reopened),
    row(texts.backlog, 'count', (f) => f.backlog),
    row(texts.firstResponseMedian + support, 'duration', (f) => f.first_response.support.median_s),
    row(texts.firstResponseP90 + support, 'duration', (f) => f.first_response.support.p90_s),
    row(
      texts.firstResponseMedian + calendar,
      'duration',
      (f) => f.first_response.calendar.median_s,
    ),
    row(texts.resolutionMedian + support, 'duration', (f) => f.resolution.support.median_s),
    row(texts.resolutionP90 + support, 'duration', (f) => f.resolution.support.p90_s),
    row(texts.resolutionMedian + calendar, 'duration', (f) => f.resolution.calendar.median_s),
    row(texts.slaMet, 'percent', (f) => f.sla.met_pct),
    row(texts.csat, 'score', (f) => f.csat.average),
    row(texts.csatCount, 'count', (f) => f.csat.count),
  ];
}

/** A figure as its reader sees it: `42`, `2 h 05 min`, `93.5 %`, `4.25`; `—` for none. */
export function formatKpi(texts: ReportTexts, kind: KpiKind, value: number | null): string {
  if (value === null) return '—';
  switch (kind) {
    case 'count':
      return String(value);
    case 'duration':
      return texts.duration(value);
    case 'percent':
      return `${value.toFixed(1)} %`;
    case 'score':
      return value.toFixed(2);
  }
}

/**
 * The short summary of the scheduled report's message: created, resolved, backlog, median first
 * response (support hours), SLA met % and CSAT.
 */
export function summaryLines(texts: ReportTexts, figures: Figures): [string, string][] {
  const csat =
    figures.csat.average === null
      ? '—'
      : `${figures.csat.average.toFixed(2)} (${figures.csat.count})`;
  return [
    [texts.created, String(figures.created)],
    [texts.resolved, String(figures.resolved)],
    [texts.backlog, String(figures.backlog)],
    [texts.firstResponseMedian, texts.duration(figures.first_response.support.median_s)],
    [texts.slaMet, formatKpi(texts, 'percent', figures.sla.met_pct)],
    [texts.csat, csat],
  ];
}
