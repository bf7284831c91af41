import { offsetAt, wallClock } from '../notifications/quiet-hours.js';
import type { StatsBucket } from './schemas.js';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

/**
 * The instant `zone`'s clock shows `wall` (a local date and time written as a UTC timestamp),
 * the offset read twice across a daylight-saving change (as `sla/support-time.ts` does).
 */
export function instantOf(wall: number, zone: string): Date {
  const guess = wall - offsetAt(new Date(wall), zone);
  return new Date(wall - offsetAt(new Date(guess), zone));
}

/** Local midnight (on `zone`'s clock) of the day `instant` falls on. */
export function startOfLocalDay(instant: Date, zone: string): Date {
  const wall = wallClock(instant, zone);
  return instantOf(wall - (((wall % dayMs) + dayMs) % dayMs), zone);
}

/** Local Monday midnight (on `zone`'s clock) of the week `instant` falls in. */
export function startOfLocalWeek(instant: Date, zone: string): Date {
  const wall = wallClock(instant, zone);
  const day = wall - (((wall % dayMs) + dayMs) % dayMs);
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return instantOf(day - sinceMonday * dayMs, zone);
}

/** The start of the local hour `instant` falls in (zones with half-hour offsets included). */
function startOfLocalHour(instant: Date, zone: string): Date {
  const wall = wallClock(instant, zone);
  const offset = wall - instant.getTime();
  return new Date(wall - (((wall % hourMs) + hourMs) % hourMs) - offset);
}

/**
 * The starts of the buckets covering [from, to) on `zone`'s clock: the first is `from` (maybe
 * partial), then every local hour, midnight or Monday midnight before `to`. Hours step by real
 * time, so the hour a clock repeats in autumn is two buckets and the skipped one none; days and
 * weeks step by the calendar, so a day is 23 or 25 hours long across a change.
 */
export function bucketStarts(from: Date, to: Date, bucket: StatsBucket, zone: string): Date[] {
  const starts = [from];
  const days = bucket === 'day' ? 1 : 7;
  const step = (start: Date) =>
    bucket === 'hour' ? new Date(start.getTime() + hourMs) : stepDays(start, days, zone);
  let first: Date;
  if (bucket === 'hour') first = startOfLocalHour(from, zone);
  else if (bucket === 'day') first = startOfLocalDay(from, zone);
  else first = startOfLocalWeek(from, zone);
  for (let next = step(first); next < to; next = step(next)) starts.push(next);
  return starts;
}

/** Local midnight `days` calendar days after the local midnight `start`. */
function stepDays(start: Date, days: number, zone: string): Date {
  const wall = wallClock(start, zone);
  const midnight = wall - (((wall % dayMs) + dayMs) % dayMs);
  return instantOf(midnight + days * dayMs, zone);
}
