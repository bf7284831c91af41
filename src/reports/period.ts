import { wallClock } from '../notifications/quiet-hours.js';

const pad = (value: number) => String(value).padStart(2, '0');

/** `instant` on `zone`'s clock as a Date whose UTC fields are that clock's (for a spreadsheet). */
export function onClock(instant: Date | string, zone: string): Date {
  return new Date(wallClock(new Date(instant), zone));
}

/** The local date of `instant` in `zone`: `2026-11-30`. */
export function localDate(instant: Date | string, zone: string): string {
  return onClock(instant, zone).toISOString().slice(0, 10);
}

/** The local date and time of `instant` in `zone`: `30.11.2026 09:00`. */
export function localDateTime(instant: Date | string, zone: string): string {
  const wall = onClock(instant, zone);
  return (
    `${pad(wall.getUTCDate())}.${pad(wall.getUTCMonth() + 1)}.${wall.getUTCFullYear()} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`
  );
}

/** The local day of `instant` in `zone`: `30.11.2026`. */
export function localDay(instant: Date | string, zone: string): string {
  return localDateTime(instant, zone).slice(0, 10);
}

/**
 * The period `[from, to)` as its reader names it, on `zone`'s clock: whole days as
 * `30.11.2026 – 06.12.2026` (the last day included), else both ends with their times.
 */
export function periodLabel(from: string, to: string, zone: string): string {
  const start = onClock(from, zone);
  const end = onClock(to, zone);
  const midnight = (d: Date) => d.getUTCHours() === 0 && d.getUTCMinutes() === 0;
  if (midnight(start) && midnight(end)) {
    const lastDay = new Date(new Date(to).getTime() - 1);
    return `${localDay(from, zone)} – ${localDay(lastDay, zone)}`;
  }
  return `${localDateTime(from, zone)} – ${localDateTime(to, zone)}`;
}

/**
 * The report's file name: `report-YYYY-MM-DD-YYYY-MM-DD.<ext>`, its first and last day on the
 * support clock (the last is the day of the period's last instant, as `[from, to)` ends before
 * `to`).
 */
export function reportFileName(from: string, to: string, zone: string, ext: string): string {
  const last = new Date(new Date(to).getTime() - 1);
  return `report-${localDate(from, zone)}-${localDate(last, zone)}.${ext}`;
}

/** The change from `previous` to `current` in percent, signed (`+12 %`); `—` from zero. */
export function changeLabel(current: number | null, previous: number | null): string {
  if (current === null || previous === null || previous === 0) return '—';
  const pct = Math.round(((current - previous) / previous) * 100);
  const sign = Math.sign(pct);
  return `${['−', '±', '+'][sign + 1] ?? ''}${Math.abs(pct)} %`;
}
