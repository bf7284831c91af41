import type { SettingsService } from '../settings/service.js';
import type { QuietHours } from '../db/schema.js';

/**
 * The zone quiet hours and the digest hour are read in: the support hours' time zone of the
 * saved settings (`settings/service.ts`), read at each use, so a change applies at once.
 */
export function supportTimeZone(settings: Pick<SettingsService, 'current'>): () => Promise<string> {
  return async () => (await settings.current()).support_hours.time_zone;
}

const minuteMs = 60_000;
const dayMinutes = 24 * 60;

/** Minutes since midnight of an `HH:MM`. */
export function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

// One formatter per zone: making one costs far more than using it (tens of microseconds), and
// an SLA's due time reads the clock of a few days' support windows (`sla/support-time.ts`).
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of `zone`'s wall clock, made once. */
function formatterOf(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // Zones are few (the settings' one, users' own), but a bound costs nothing.
    if (formatters.size >= 1_000) formatters.clear();
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The wall clock of `zone` at `instant`: date and time fields as a UTC timestamp. */
export function wallClock(instant: Date, zone: string): number {
  const parts = formatterOf(zone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value ?? 0);
  return (
    Date.UTC(
      field('year'),
      field('month') - 1,
      field('day'),
      field('hour'),
      field('minute'),
      field('second'),
    ) + instant.getUTCMilliseconds()
  );
}

/** How far `zone`'s clock is ahead of UTC at `instant`, in milliseconds. */
export function offsetAt(instant: Date, zone: string): number {
  return wallClock(instant, zone) - instant.getTime();
}

/** The local time of day in `zone` at `instant`, in minutes since midnight (with fractions). */
export function localMinutes(instant: Date, zone: string): number {
  const wall = wallClock(instant, zone);
  return (((wall / minuteMs) % dayMinutes) + dayMinutes) % dayMinutes;
}

/**
 * When the quiet hours around `now` end, or null when `now` is outside them (or there are
 * none). The span is local time in `zone` and may wrap midnight; its end is the next time the
 * local clock shows `end`, so a daylight-saving change in between makes the wait an hour
 * shorter or longer, as the user's clock does.
 */
export function quietUntil(
  quiet: QuietHours | null | undefined,
  now: Date,
  zone: string,
): Date | null {
  if (!quiet) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const local = localMinutes(now, zone);
  const within = start < end ? local >= start && local < end : local >= start || local < end;
  if (!within) return null;
  const wallWait = (((end - local) % dayMinutes) + dayMinutes) % dayMinutes;
  const naive = new Date(now.getTime() + wallWait * minuteMs);
  // The local clock jumped between now and then: the instant it shows `end` moves with it.
  return new Date(Math.round(naive.getTime() - (offsetAt(naive, zone) - offsetAt(now, zone))));
}
