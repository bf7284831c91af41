import { describe, expect, it } from 'vitest';
import {
  bucketOf,
  customPeriod,
  dayIn,
  midnight,
  presetPeriod,
} from '../web/src/pages/admin/analytics/period.js';

// The Mini App's analytics periods (web/src/pages/admin/analytics/period.ts): whole days on the
// support team's clock, whatever the machine's zone; `now` is given, never read.
describe('analytics periods on the support clock', () => {
  // 21:30 UTC on 30 November is already 1 December in Moscow (UTC+3).
  const now = new Date('2026-11-30T21:30:00Z');

  it('takes today as the support team’s day, not the machine’s', () => {
    expect(dayIn(now, 'Europe/Moscow')).toBe('2026-12-01');
    expect(dayIn(now, 'America/New_York')).toBe('2026-11-30');
    expect(presetPeriod('today', now, 'Europe/Moscow')).toEqual({
      from: '2026-12-01T00:00:00+03:00',
      to: '2026-12-02T00:00:00+03:00',
    });
  });

  it('counts 7, 30 and 90 days back with today included', () => {
    expect(presetPeriod('week', now, 'UTC')).toEqual({
      from: '2026-11-24T00:00:00+00:00',
      to: '2026-12-01T00:00:00+00:00',
    });
    expect(presetPeriod('month', now, 'Asia/Kolkata').from).toBe('2026-11-02T00:00:00+05:30');
    expect(presetPeriod('quarter', now, 'UTC').from).toBe('2026-09-02T00:00:00+00:00');
  });

  it('gives each midnight the offset of that day across a clock change', () => {
    // New York leaves summer time on 1 November 2026.
    expect(midnight('2026-10-31', 'America/New_York')).toBe('2026-10-31T00:00:00-04:00');
    expect(midnight('2026-11-02', 'America/New_York')).toBe('2026-11-02T00:00:00-05:00');
    const period = presetPeriod('week', new Date('2026-11-03T12:00:00Z'), 'America/New_York');
    expect(period).toEqual({
      from: '2026-10-28T00:00:00-04:00',
      to: '2026-11-04T00:00:00-05:00',
    });
  });

  it('buckets by hour for a day, by day up to a quarter, by week beyond', () => {
    expect(bucketOf(presetPeriod('today', now, 'UTC'))).toBe('hour');
    expect(bucketOf(presetPeriod('week', now, 'UTC'))).toBe('day');
    expect(bucketOf(presetPeriod('quarter', now, 'UTC'))).toBe('day');
    const half = customPeriod('2026-06-01', '2026-11-30', 'UTC');
    expect('period' in half && bucketOf(half.period)).toBe('week');
  });

  it('refuses a custom range that ends before it starts or is longer than two years', () => {
    expect(customPeriod('2026-11-30', '2026-11-01', 'UTC')).toEqual({ problem: 'order' });
    expect(customPeriod('', '2026-11-01', 'UTC')).toEqual({ problem: 'order' });
    expect(customPeriod('2024-01-01', '2026-11-01', 'UTC')).toEqual({ problem: 'tooLong' });
    expect(customPeriod('2026-11-01', '2026-11-01', 'Europe/Moscow')).toEqual({
      period: { from: '2026-11-01T00:00:00+03:00', to: '2026-11-02T00:00:00+03:00' },
    });
  });
});
