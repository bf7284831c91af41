import { currentLanguage } from '../../../i18n';
import { ta } from '../../../i18n/analytics';

/** A count as people of the current language write it (1 234 / 1,234). */
export function formatCount(value: number): string {
  return value.toLocaleString(currentLanguage());
}

/** A number with `digits` decimals, or the dash for none. */
export function formatDecimal(value: number | null, digits: number): string {
  if (value === null) return ta('noValue');
  return value.toLocaleString(currentLanguage(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A share 0–100 as `87.5 %`, or the dash for none. */
export function formatPercent(value: number | null): string {
  return value === null ? ta('noValue') : `${formatDecimal(value, 1)}\u00a0%`;
}

/**
 * A duration in whole seconds in its two largest units (`2 h 15 min`, `3 d 4 h`, `45 s`), or the
 * dash for none.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return ta('noValue');
  const units = [
    [86_400, ta('unit_d')],
    [3600, ta('unit_h')],
    [60, ta('unit_min')],
    [1, ta('unit_s')],
  ] as const;
  let left = Math.max(0, Math.round(seconds));
  const amounts = units.map(([size]) => {
    const amount = Math.floor(left / size);
    left -= amount * size;
    return amount;
  });
  const first = amounts.findIndex((amount) => amount > 0);
  if (first < 0) return `0 ${ta('unit_s')}`;
  return units
    .slice(first, first + 2)
    .flatMap(([, name], index) => {
      const amount = amounts[first + index] ?? 0;
      return amount > 0 || index === 0 ? [`${amount} ${name}`] : [];
    })
    .join(' ');
}

/** Which way is better for a figure: up, down, or neither (more tickets is not good or bad). */
export type Better = 'up' | 'down' | 'neither';

/** A figure's change against the previous period, as the KPI card shows it. */
export interface Change {
  direction: 'up' | 'down' | 'none' | 'new';
  /** The relative change in %, rounded to a whole number (absent when there was nothing). */
  pct?: number;
  /** How it reads: better, worse or neither. */
  tone: 'better' | 'worse' | 'neutral';
}

/** The change from `previous` to `current`; null when either is unknown. */
export function changeOf(
  current: number | null,
  previous: number | null,
  better: Better,
): Change | null {
  if (current === null || previous === null) return null;
  if (current === previous) return { direction: 'none', tone: 'neutral' };
  const direction = current > previous ? 'up' : 'down';
  let tone: Change['tone'] = 'neutral';
  if (better !== 'neither') tone = direction === better ? 'better' : 'worse';
  if (previous === 0) return { direction: 'new', tone };
  return { direction, pct: Math.round((Math.abs(current - previous) / previous) * 100), tone };
}
