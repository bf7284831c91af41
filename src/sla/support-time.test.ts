import { describe, expect, it } from 'vitest';
import { addSupportMinutes, supportMinutesBetween, type SupportHours } from './support-time.js';

const weekdays: SupportHours = {
  time_zone: 'UTC',
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
};
const moscow: SupportHours = { ...weekdays, time_zone: 'Europe/Moscow' };
const berlin: SupportHours = {
  ...weekdays,
  time_zone: 'Europe/Berlin',
  days: [1, 2, 3, 4, 5, 6, 7],
};
const newYork: SupportHours = {
  time_zone: 'America/New_York',
  days: [7],
  start: '01:00',
  end: '05:00',
};

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('addSupportMinutes', () => {
  it('counts inside one working day as plain minutes', () => {
    expect(iso(addSupportMinutes(at('2026-03-02T10:00:00Z'), 60, weekdays))).toBe(
      '2026-03-02T11:00:00.000Z',
    );
  });

  it('carries what does not fit today into the next morning', () => {
    // Monday 17:30 + 60 min: 30 today, 30 on Tuesday from 09:00.
    expect(iso(addSupportMinutes(at('2026-03-02T17:30:00Z'), 60, weekdays))).toBe(
      '2026-03-03T09:30:00.000Z',
    );
  });

  it('starts counting at opening time when opened at night', () => {
    expect(iso(addSupportMinutes(at('2026-03-03T02:00:00Z'), 15, weekdays))).toBe(
      '2026-03-03T09:15:00.000Z',
    );
  });

  it('skips the weekend: opened Friday evening, due on Monday', () => {
    // Friday 2026-03-06 19:00, after hours: an hour's target ends Monday 10:00.
    expect(iso(addSupportMinutes(at('2026-03-06T19:00:00Z'), 60, weekdays))).toBe(
      '2026-03-09T10:00:00.000Z',
    );
  });

  it('counts a whole multi-day target across nights and a weekend', () => {
    // 24 support hours from Thursday 09:00 = Thu 9 h + Fri 9 h + Mon 6 h.
    expect(iso(addSupportMinutes(at('2026-03-05T09:00:00Z'), 24 * 60, weekdays))).toBe(
      '2026-03-09T15:00:00.000Z',
    );
  });

  it('reads the hours in the support time zone', () => {
    // 09:00 in Moscow (UTC+3) is 06:00 UTC.
    expect(iso(addSupportMinutes(at('2026-03-02T05:00:00Z'), 30, moscow))).toBe(
      '2026-03-02T06:30:00.000Z',
    );
  });

  it('starting exactly at closing time counts from the next opening', () => {
    expect(iso(addSupportMinutes(at('2026-03-02T18:00:00Z'), 1, weekdays))).toBe(
      '2026-03-03T09:01:00.000Z',
    );
  });

  it('starting exactly at opening time counts from that minute', () => {
    expect(iso(addSupportMinutes(at('2026-03-02T09:00:00Z'), 1, weekdays))).toBe(
      '2026-03-02T09:01:00.000Z',
    );
  });

  it('ends exactly at closing time when the target fills the day', () => {
    expect(iso(addSupportMinutes(at('2026-03-02T09:00:00Z'), 9 * 60, weekdays))).toBe(
      '2026-03-02T18:00:00.000Z',
    );
  });

  it('follows spring forward: 09:00 Berlin is 08:00 UTC before and 07:00 UTC after', () => {
    // Berlin moves to summer time on 2026-03-29. Saturday 17:30 local + 60 min → Sunday 09:30 local.
    expect(iso(addSupportMinutes(at('2026-03-28T16:30:00Z'), 60, berlin))).toBe(
      '2026-03-29T07:30:00.000Z',
    );
  });

  it('follows fall back: 09:00 Berlin is 07:00 UTC before and 08:00 UTC after', () => {
    // Berlin leaves summer time on 2026-10-25.
    expect(iso(addSupportMinutes(at('2026-10-24T15:30:00Z'), 60, berlin))).toBe(
      '2026-10-25T08:30:00.000Z',
    );
  });

  it('a window that holds the change itself is an hour shorter in spring, longer in autumn', () => {
    // New York, Sundays 01:00–05:00 local; clocks jump 02:00→03:00 on 2026-03-08 and fall
    // back 02:00→01:00 on 2026-11-01.
    expect(
      supportMinutesBetween(at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'), newYork),
    ).toBe(180);
    expect(
      supportMinutesBetween(at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'), newYork),
    ).toBe(300);
  });

  it('counts calendar time when the support hours name no day', () => {
    const always: SupportHours = { ...weekdays, days: [] };
    expect(iso(addSupportMinutes(at('2026-03-07T23:00:00Z'), 120, always))).toBe(
      '2026-03-08T01:00:00.000Z',
    );
    expect(
      supportMinutesBetween(at('2026-03-07T23:00:00Z'), at('2026-03-08T01:00:00Z'), always),
    ).toBe(120);
  });

  it('adding nothing is the same instant', () => {
    expect(iso(addSupportMinutes(at('2026-03-07T23:00:00Z'), 0, weekdays))).toBe(
      '2026-03-07T23:00:00.000Z',
    );
  });
});

describe('supportMinutesBetween', () => {
  it('counts only the support hours of a span', () => {
    // Friday 17:00 to Monday 10:00: one hour on Friday, one on Monday.
    expect(
      supportMinutesBetween(at('2026-03-06T17:00:00Z'), at('2026-03-09T10:00:00Z'), weekdays),
    ).toBe(120);
  });

  it('is zero for a span wholly outside the hours, or backwards', () => {
    expect(
      supportMinutesBetween(at('2026-03-07T10:00:00Z'), at('2026-03-08T10:00:00Z'), weekdays),
    ).toBe(0);
    expect(
      supportMinutesBetween(at('2026-03-09T10:00:00Z'), at('2026-03-09T09:00:00Z'), weekdays),
    ).toBe(0);
  });

  it('undoes addSupportMinutes, whatever the zone and season', () => {
    const starts = [
      '2026-03-06T19:00:00Z',
      '2026-03-28T16:30:00Z',
      '2026-10-24T15:30:00Z',
      '2026-11-01T05:59:00Z',
    ];
    for (const hours of [weekdays, moscow, berlin, newYork]) {
      for (const start of starts) {
        for (const minutes of [1, 45, 600, 4320]) {
          const due = addSupportMinutes(at(start), minutes, hours);
          expect(supportMinutesBetween(at(start), due, hours)).toBeCloseTo(minutes, 6);
        }
      }
    }
  });

  it('adds up: two steps land where one step of the sum does', () => {
    const start = at('2026-03-27T16:00:00Z');
    const twice = addSupportMinutes(addSupportMinutes(start, 300, berlin), 420, berlin);
    expect(iso(twice)).toBe(iso(addSupportMinutes(start, 720, berlin)));
  });
});
