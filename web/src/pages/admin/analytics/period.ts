/**
 * The analytics page's periods, read on the support team's clock (the stats API answers carry
 * its `time_zone`): whole days from midnight to midnight there, sent as ISO date-times with that
 * zone's offset, and the bucket of the time series by the period's length.
 *
 * Written by hand over `Intl` (the browser's own time zone data) rather than with a date
 * library: the page needs one thing, the offset of a zone at an instant, and a library such as
 * date-fns-tz would add its weight to the chunk for it.
 */

/** A preset of the period picker, or a custom range of days. */
export type Preset = 'today' | 'week' | 'month' | 'quarter' | 'custom';

/** The presets in the order the picker shows them. */
export const presets: readonly Preset[] = ['today', 'week', 'month', 'quarter', 'custom'];

/** How many days each preset covers, today included. */
const presetDays: Readonly<Record<Exclude<Preset, 'custom'>, number>> = {
  today: 1,
  week: 7,
  month: 30,
  quarter: 90,
};

/** A period as the API takes it: [from, to), ISO date-times with the zone's offset. */
export interface Period {
  from: string;
  to: string;
}

/** The time series' bucket. */
export type Bucket = 'hour' | 'day' | 'week';

const DAY_MS = 86_400_000;

/** A calendar day, `YYYY-MM-DD`. */
// eslint-disable-next-line sonarjs/redundant-type-aliases -- names what the string holds
export type Day = string;

/** The wall-clock fields of `instant` in `timeZone`. */
function wallClock(instant: Date, timeZone: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const fields: Record<string, number> = {};
  for (const part of parts) if (part.type !== 'literal') fields[part.type] = Number(part.value);
  return fields;
}

/** The offset of `timeZone` from UTC at `instant`, in minutes (Moscow: +180). */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = wallClock(instant, timeZone);
  const asUtc = Date.UTC(
    wall.year ?? 1970,
    (wall.month ?? 1) - 1,
    wall.day ?? 1,
    wall.hour ?? 0,
    wall.minute ?? 0,
    wall.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The calendar day of `instant` on the clock of `timeZone`. */
export function dayIn(instant: Date, timeZone: string): Day {
  const wall = wallClock(instant, timeZone);
  const pad = (value: number | undefined) => String(value ?? 0).padStart(2, '0');
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** The day `days` after `day` (before, when negative). */
export function addDays(day: Day, days: number): Day {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** `+03:00` for 180 minutes. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const whole = Math.abs(minutes);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${sign}${pad(Math.floor(whole / 60))}:${pad(whole % 60)}`;
}

/**
 * Midnight at the start of `day` on the clock of `timeZone`, as an ISO date-time with the offset
 * there (`2026-11-30T00:00:00+03:00`). On a day whose midnight a clock change skips, the first
 * moment of the day.
 */
export function midnight(day: Day, timeZone: string): string {
  const naive = Date.parse(`${day}T00:00:00Z`);
  // The offset near that midnight, then again at the instant it gives (it may differ across a
  // clock change between the two).
  let offset = offsetMinutes(new Date(naive), timeZone);
  offset = offsetMinutes(new Date(naive - offset * 60_000), timeZone);
  return `${day}T00:00:00${offsetText(offset)}`;
}

/** The period of whole days `first`..`last` (both included) on the support clock. */
export function daysPeriod(first: Day, last: Day, timeZone: string): Period {
  return { from: midnight(first, timeZone), to: midnight(addDays(last, 1), timeZone) };
}

/** The period of a preset, ending with today (on the support clock) at `now`. */
export function presetPeriod(
  preset: Exclude<Preset, 'custom'>,
  now: Date,
  timeZone: string,
): Period {
  const today = dayIn(now, timeZone);
  return daysPeriod(addDays(today, 1 - presetDays[preset]), today, timeZone);
}

/**
 * The bucket of the time series for a period: hours for a day or less, days up to a quarter
 * (92 days), weeks beyond.
 */
export function bucketOf(period: Period): Bucket {
  const length = Date.parse(period.to) - Date.parse(period.from);
  if (length <= DAY_MS + 3_600_000) return 'hour';
  if (length <= 92 * DAY_MS + 3_600_000) return 'day';
  return 'week';
}

/** The days `first`..`last` as a period, or why not: the order, or longer than the API allows. */
export function customPeriod(
  first: Day,
  last: Day,
  timeZone: string,
): { period: Period } | { problem: 'order' | 'tooLong' } {
  if (!first || !last || last < first) return { problem: 'order' };
  const period = daysPeriod(first, last, timeZone);
  if (Date.parse(period.to) - Date.parse(period.from) > 731 * DAY_MS) return { problem: 'tooLong' };
  return { period };
}
