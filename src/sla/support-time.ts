import { minutesOf, offsetAt, wallClock } from '../notifications/quiet-hours.js';
import type { SettingsValues } from '../settings/schemas.js';

/** Support hours as the settings hold them (`support_hours`). */
export type SupportHours = SettingsValues['support_hours'];

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
/** Days looked through at most (about 30 years): a target never waits longer than that. */
const maxDays = 11_000;

/**
 * The instant `zone`'s clock shows `wall` (a local date and time written as a UTC timestamp).
 * Across a daylight-saving change the offset is read twice; a time the clock skips (spring
 * forward) lands as far after the change as it was meant to be after midnight.
 */
function instantOf(wall: number, zone: string): number {
  const guess = wall - offsetAt(new Date(wall), zone);
  return wall - offsetAt(new Date(guess), zone);
}

/**
 * The support windows `[start, end)` (epoch ms) that end after `from`, in order: one per local
 * day in `hours.days`, from its `start` to its `end` in `hours.time_zone`.
 */
function* windowsAfter(from: number, hours: SupportHours): Generator<[number, number]> {
  const startMin = minutesOf(hours.start);
  const endMin = minutesOf(hours.end);
  const wall = wallClock(new Date(from), hours.time_zone);
  const firstDay = wall - (((wall % dayMs) + dayMs) % dayMs);
  const days = new Set(hours.days);
  for (let index = 0; index < maxDays; index += 1) {
    const day = firstDay + index * dayMs;
    const isoWeekday = new Date(day).getUTCDay() || 7;
    if (!days.has(isoWeekday)) continue;
    const start = instantOf(day + startMin * minuteMs, hours.time_zone);
    const end = instantOf(day + endMin * minuteMs, hours.time_zone);
    if (end > from) yield [start, end];
  }
}

/**
 * The instant `minutes` of support time after `from`: time outside the support hours (nights,
 * days off) does not count, so a ticket opened on Friday evening is due on Monday. Support
 * hours without a single day count every minute (calendar time: a team that names no days
 * is taken to work around the clock, rather than never). Local times follow daylight saving.
 */
export function addSupportMinutes(from: Date, minutes: number, hours: SupportHours): Date {
  if (minutes <= 0) return new Date(from);
  if (hours.days.length === 0) return new Date(from.getTime() + minutes * minuteMs);
  let left = minutes * minuteMs;
  let last = from.getTime();
  for (const [start, end] of windowsAfter(from.getTime(), hours)) {
    const begin = Math.max(start, from.getTime());
    if (end - begin >= left) return new Date(begin + left);
    left -= end - begin;
    last = end;
  }
  return new Date(last + left);
}

/**
 * The support time between two instants, in minutes (0 when `to` is not after `from`): how
 * much of the span falls inside the support hours, calendar time when they name no day.
 */
export function supportMinutesBetween(from: Date, to: Date, hours: SupportHours): number {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return 0;
  if (hours.days.length === 0) return (b - a) / minuteMs;
  let total = 0;
  for (const [start, end] of windowsAfter(a, hours)) {
    if (start >= b) break;
    total += Math.min(end, b) - Math.max(start, a);
  }
  return total / minuteMs;
}
