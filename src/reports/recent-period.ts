import { startOfLocalDay } from '../stats/period.js';

const dayMs = 86_400_000;

/** The spans `/report` takes: the last 7 or the last 30 days. */
export const reportSpans = { week: 7, month: 30 } as const;
/** A span of `/report`. */
export type ReportSpan = keyof typeof reportSpans;

/**
 * The last `days` whole days before today on `zone`'s clock, `[from, to)`: `to` is today's
 * midnight there, `from` the midnight `days` days earlier (a daylight-saving change between
 * them moves it by its hour, not by a day).
 */
export function lastDays(now: Date, zone: string, days: number): { from: Date; to: Date } {
  const to = startOfLocalDay(now, zone);
  // Half a day past the naive instant, then back to its midnight: right across an hour's shift.
  const from = startOfLocalDay(new Date(to.getTime() - days * dayMs + dayMs / 2), zone);
  return { from, to };
}
