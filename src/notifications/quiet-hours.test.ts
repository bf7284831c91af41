import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours.js';

const night = { start: '22:00', end: '08:00' };
const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  it('are off without a span', () => {
    expect(quietUntil(null, at('2026-06-01T23:00:00Z'), 'UTC')).toBeNull();
  });

  it('hold from start to end across midnight, and not outside them (UTC)', () => {
    expect(quietUntil(night, at('2026-06-01T21:59:00Z'), 'UTC')).toBeNull();
    expect(quietUntil(night, at('2026-06-01T22:00:00Z'), 'UTC')).toEqual(
      at('2026-06-02T08:00:00Z'),
    );
    expect(quietUntil(night, at('2026-06-02T03:17:42Z'), 'UTC')).toEqual(
      at('2026-06-02T08:00:00Z'),
    );
    expect(quietUntil(night, at('2026-06-02T08:00:00Z'), 'UTC')).toBeNull();
  });

  it('hold within a span of one day that does not wrap', () => {
    const lunch = { start: '13:00', end: '14:30' };
    expect(quietUntil(lunch, at('2026-06-01T12:59:59Z'), 'UTC')).toBeNull();
    expect(quietUntil(lunch, at('2026-06-01T13:10:00Z'), 'UTC')).toEqual(
      at('2026-06-01T14:30:00Z'),
    );
    expect(quietUntil(lunch, at('2026-06-01T23:00:00Z'), 'UTC')).toBeNull();
  });

  it('are read in the given zone (Europe/Moscow, UTC+3)', () => {
    // 20:30 UTC is 23:30 in Moscow: quiet until 08:00 Moscow, 05:00 UTC.
    expect(quietUntil(night, at('2026-06-01T20:30:00Z'), 'Europe/Moscow')).toEqual(
      at('2026-06-02T05:00:00Z'),
    );
    // 18:30 UTC is 21:30 in Moscow: not yet.
    expect(quietUntil(night, at('2026-06-01T18:30:00Z'), 'Europe/Moscow')).toBeNull();
  });

  it('end at the local end time across a DST change (America/New_York)', () => {
    // Spring forward, 8 March 2026 02:00 EST → 03:00 EDT: 23:00 EST (04:00 UTC) to 08:00 EDT
    // (12:00 UTC) is 8 hours, not 9.
    expect(quietUntil(night, at('2026-03-08T04:00:00Z'), 'America/New_York')).toEqual(
      at('2026-03-08T12:00:00Z'),
    );
    // Fall back, 1 November 2026 02:00 EDT → 01:00 EST: 23:00 EDT (03:00 UTC) to 08:00 EST
    // (13:00 UTC) is 10 hours.
    expect(quietUntil(night, at('2026-11-01T03:00:00Z'), 'America/New_York')).toEqual(
      at('2026-11-01T13:00:00Z'),
    );
    // Read in UTC, the same instant is 04:00: quiet until 08:00 UTC.
    expect(quietUntil(night, at('2026-03-08T04:00:00Z'), 'UTC')).toEqual(
      at('2026-03-08T08:00:00Z'),
    );
  });
});
