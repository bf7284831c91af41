import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/service.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { addCategory, principalOf, signInAs } from '../../test/people.js';
import { categories } from '../db/schema.js';
import { createStatsService } from './service.js';
import { eq } from 'drizzle-orm';

/**
 * One hand-made fortnight of a support team in Los Angeles (Monday–Friday 09:00–17:00, first
 * answer due in 1 support hour, resolution in 8), across the spring change to daylight saving
 * (Sunday 8 March 2026): every figure below is worked out by hand in the comments.
 *
 *   D  Fri 27 Feb 10:00 PST opened (api), assigned to Boris, never answered; Boris closes it
 *      Mon 2 Mar 09:00 PST. Resolution: 2 d 23 h calendar, 7 h support (Fri 10–17).
 *   A  Mon 2 Mar 08:00 PST opened (telegram), assigned to Anna 08:30, Anna answers 10:00
 *      (2 h calendar, 1 h support), resolves 16:00 (8 h calendar, 7 h support); rated 4.
 *   B  Fri 6 Mar 16:00 PST opened (mini_app); Mon 9 Mar 09:00 PDT assigned to Boris; Anna answers
 *      09:30 (2 d 16.5 h calendar, 1.5 h support); waiting Mon 10:00 → Tue 10:00 (8 h support);
 *      resolved Tue 12:00 (3 d 19 h calendar; 12 h support less 8 waiting = 4 h). The customer
 *      answers Wed 09:00 (reopened), Boris answers 09:15 and resolves 11:00 (2 h); rated 5;
 *      the customer closes it Thu 10:00.
 *   C  Sat 14 Mar 12:00 PDT opened (api) in another category, nobody touches it.
 */
describe('stats figures on a hand-made fortnight (America/Los_Angeles)', () => {
  const clock = manualClock('2026-02-20T00:00:00Z');
  const at = (iso: string) => clock.set(iso);
  let t: TestApp;
  let customer: Principal;
  let anna: Principal;
  let boris: Principal;
  let printers: string;
  let billing: string;
  const ids: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  // The fortnight on the support clock: Monday 2 March 00:00 PST to Monday 16 March 00:00 PDT.
  const from = new Date('2026-03-02T08:00:00Z');
  const to = new Date('2026-03-16T07:00:00Z');

  beforeAll(async () => {
    t = await createTestApp({ clock });
    const owner = principalOf(await signInAs(t, 'owner', { first_name: 'Olga' }));
    customer = principalOf(await signInAs(t, 'user', { first_name: 'Carl' }));
    anna = principalOf(await signInAs(t, 'agent', { first_name: 'Anna' }));
    boris = principalOf(await signInAs(t, 'agent', { first_name: 'Boris' }));
    await t.container.users.setRole(owner.userId, 'user');
    printers = await addCategory(t, { name: 'Printers' });
    billing = await addCategory(t, { name: 'Billing' });
    await t.container.database.db
      .update(categories)
      .set({ translations: { ru: { name: 'Оплата' } } })
      .where(eq(categories.id, billing));
    t.container.categories.forgetLists();
    await t.container.settings.update(
      { userId: owner.userId, role: 'owner' },
      {
        support_hours: {
          time_zone: 'America/Los_Angeles',
          days: [1, 2, 3, 4, 5],
          start: '09:00',
          end: '17:00',
        },
        sla: {
          low: { first_response: 60, resolution: 480 },
          normal: { first_response: 60, resolution: 480 },
          high: { first_response: 60, resolution: 480 },
          critical: { first_response: 60, resolution: 480 },
        },
      },
    );
    const { tickets, messages, ratings } = t.container;
    const open = async (
      when: string,
      category: string,
      channel: 'telegram' | 'mini_app' | 'api',
    ) => {
      at(when);
      const ticket = await tickets.create(
        customer,
        {
          category_id: category,
          title: `Opened ${when}`,
          description: 'Broken.',
          priority: 'normal',
        },
        channel,
      );
      return ticket.id;
    };
    const answer = async (who: Principal, id: string, when: string) => {
      at(when);
      await messages.create(who, id, { content: 'Looking.', is_internal: false });
    };
    const move = async (
      who: Principal,
      id: string,
      status: 'resolved' | 'closed' | 'waiting' | 'in_progress',
      when: string,
    ) => {
      at(when);
      await tickets.changeStatus(who, id, status);
    };
    const assign = async (id: string, who: Principal, when: string) => {
      at(when);
      await tickets.assign(boris, id, who.userId);
    };

    ids.D = await open('2026-02-27T18:00:00Z', printers, 'api');
    await assign(ids.D, boris, '2026-02-27T18:05:00Z');
    await move(boris, ids.D, 'closed', '2026-03-02T17:00:00Z');

    ids.A = await open('2026-03-02T16:00:00Z', printers, 'telegram');
    await assign(ids.A, anna, '2026-03-02T16:30:00Z');
    await answer(anna, ids.A, '2026-03-02T18:00:00Z');
    await move(anna, ids.A, 'resolved', '2026-03-03T00:00:00Z');
    at('2026-03-03T01:00:00Z');
    await ratings.rate(customer, ids.A, { score: 4 });

    ids.B = await open('2026-03-07T00:00:00Z', printers, 'mini_app');
    await assign(ids.B, boris, '2026-03-09T16:00:00Z');
    await answer(anna, ids.B, '2026-03-09T16:30:00Z');
    await move(boris, ids.B, 'waiting', '2026-03-09T17:00:00Z');
    await move(boris, ids.B, 'in_progress', '2026-03-10T17:00:00Z');
    await move(boris, ids.B, 'resolved', '2026-03-10T19:00:00Z');
    await answer(customer, ids.B, '2026-03-11T16:00:00Z');
    await answer(boris, ids.B, '2026-03-11T16:15:00Z');
    await move(boris, ids.B, 'resolved', '2026-03-11T18:00:00Z');
    at('2026-03-11T19:00:00Z');
    await ratings.rate(customer, ids.B, { score: 5 });
    await move(customer, ids.B, 'closed', '2026-03-12T17:00:00Z');

    ids.C = await open('2026-03-14T19:00:00Z', billing, 'api');
    at('2026-03-20T12:00:00Z');
  });
  afterAll(() => t.close());

  it('counts the fortnight and the one before it', async () => {
    const overview = await t.container.stats.overview({ from, to });
    expect(overview.time_zone).toBe('America/Los_Angeles');
    const { current: now, previous } = overview;
    expect(now).toMatchObject({ created: 3, resolved: 4, closed: 2, reopened: 1, backlog: 1 });
    // First answers: A 7200/3600, B 232200/5400, B again 900/900.
    expect(now.first_response).toEqual({
      count: 3,
      calendar: { median_s: 7200, p90_s: 187_200 },
      support: { median_s: 3600, p90_s: 5040 },
    });
    // Ends: A 28800/25200, B 327600/14400, B again 7200/7200, D 255600/25200.
    expect(now.resolution).toEqual({
      count: 4,
      calendar: { median_s: 142_200, p90_s: 306_000 },
      support: { median_s: 19_800, p90_s: 25_200 },
    });
    // Met: A both, B's resolution, B again both, D's resolution; breached: B's first answer.
    expect(now.sla).toEqual({ met: 6, breached: 1, met_pct: 85.7 });
    expect(now.csat).toEqual({ average: 4.5, count: 2 });
    expect(previous).toMatchObject({
      from: '2026-02-16T09:00:00.000Z',
      to: '2026-03-02T08:00:00.000Z',
      created: 1,
      resolved: 0,
      closed: 0,
      reopened: 0,
      backlog: 1,
      // D's first answer was due Friday 11:00 and never came.
      sla: { met: 0, breached: 1, met_pct: 0 },
      csat: { average: null, count: 0 },
    });
    expect(previous.first_response.calendar).toEqual({ median_s: null, p90_s: null });
  });

  it('reads the same counts from the hourly rollup as from the cycles themselves', async () => {
    const cycles = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      counts: 'facts',
    });
    const rolled = t.container.stats;
    const queries = [
      { from, to },
      // Edges inside hours: the parts of the first and last hour come from the cycles.
      { from: new Date('2026-03-02T16:30:00Z'), to: new Date('2026-03-11T16:10:00Z') },
      { from, to, assignedTo: boris.userId },
      { from, to, categoryId: printers, priority: 'normal' as const },
    ];
    for (const query of queries) {
      expect(await rolled.overview(query)).toEqual(await cycles.overview(query));
      expect(await rolled.heatmap(query)).toEqual(await cycles.heatmap(query));
      for (const bucket of ['hour', 'day', 'week'] as const) {
        expect(await rolled.timeseries({ ...query, bucket })).toEqual(
          await cycles.timeseries({ ...query, bucket }),
        );
      }
    }
    for (const query of [
      ...queries,
      { from, to, categoryId: printers },
      { from, to, priority: 'normal' as const },
      { from: new Date('2026-03-05T16:30:00Z'), to: new Date('2026-03-30T00:00:00Z') },
    ]) {
      for (const by of ['category', 'priority', 'channel', 'status'] as const) {
        expect([by, await rolled.breakdown({ ...query, by, language: 'en' })]).toEqual([
          by,
          await cycles.breakdown({ ...query, by, language: 'en' }),
        ]);
      }
    }
  });

  it('reads the breakdown’s medians of many values from the daily histograms within ±9.5 %', async () => {
    const histograms = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      exactUpTo: 0,
    });
    for (const by of ['category', 'priority', 'channel'] as const) {
      const exact = (await t.container.stats.breakdown({ from, to, by, language: 'en' })).rows;
      const rough = (await histograms.breakdown({ from, to, by, language: 'en' })).rows;
      expect(rough.map((row) => [row.key, row.created, row.resolved, row.backlog])).toEqual(
        exact.map((row) => [row.key, row.created, row.resolved, row.backlog]),
      );
      rough.forEach((row, index) => {
        for (const at of ['first_response_median_s', 'resolution_median_s'] as const) {
          const want = exact[index]?.[at] ?? null;
          const got = row[at];
          expect([
            by,
            row.key,
            at,
            got === null
              ? want === null
              : want !== null && Math.abs(got - want) <= want * 0.095 + 1,
          ]).toEqual([by, row.key, at, true]);
        }
      });
    }
  });

  it('reads percentiles of many values from the daily histograms within ±9.5 %', async () => {
    const histograms = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      exactUpTo: 0,
    });
    for (const query of [
      { from, to },
      { from, to, assignedTo: boris.userId },
    ]) {
      const exact = (await t.container.stats.overview(query)).current;
      const rough = (await histograms.overview(query)).current;
      expect(rough).toMatchObject({ created: exact.created, resolved: exact.resolved });
      for (const figure of ['first_response', 'resolution'] as const) {
        for (const clock_ of ['calendar', 'support'] as const) {
          for (const at of ['median_s', 'p90_s'] as const) {
            const want = exact[figure][clock_][at] ?? 0;
            const got = rough[figure][clock_][at] ?? 0;
            expect([
              figure,
              clock_,
              at,
              Math.abs(got - want) <= want * 0.095 + 1,
              got,
              want,
            ]).toEqual([figure, clock_, at, true, got, want]);
          }
        }
      }
    }
  });

  it('applies the filters by the ticket’s current category, assignee and priority', async () => {
    const anna_ = await t.container.stats.overview({ from, to, assignedTo: anna.userId });
    expect(anna_.current).toMatchObject({ created: 1, resolved: 1, backlog: 0 });
    const nobody = await t.container.stats.overview({ from, to, assignedTo: 'none' });
    expect(nobody.current).toMatchObject({ created: 1, resolved: 0, backlog: 1 });
    const billed = await t.container.stats.overview({ from, to, categoryId: billing });
    expect(billed.current).toMatchObject({ created: 1, resolved: 0, backlog: 1 });
    const high = await t.container.stats.overview({ from, to, priority: 'high' });
    expect(high.current).toMatchObject({ created: 0, resolved: 0, backlog: 0 });
  });

  it('draws days on the support clock, 23 hours long on the day the clocks spring forward', async () => {
    const series = await t.container.stats.timeseries({ from, to, bucket: 'day' });
    expect(series.points).toHaveLength(14);
    expect(series.points[6]?.start).toBe('2026-03-08T08:00:00.000Z');
    expect(series.points[7]?.start).toBe('2026-03-09T07:00:00.000Z');
    const byDay = series.points.map((point) => [point.created, point.resolved, point.backlog]);
    expect(byDay[0]).toEqual([1, 2, 0]); // Mon 2: A opened; D closed, A resolved
    expect(byDay[4]).toEqual([1, 0, 1]); // Fri 6: B opened
    expect(byDay[7]).toEqual([0, 0, 1]); // Mon 9: answered, waiting
    expect(byDay[8]).toEqual([0, 1, 0]); // Tue 10: B resolved
    expect(byDay[9]).toEqual([0, 1, 0]); // Wed 11: B reopened and resolved again
    expect(byDay[12]).toEqual([1, 0, 1]); // Sat 14: C opened
    expect(byDay[13]).toEqual([0, 0, 1]);
  });

  it('starts weeks on Monday midnight and hours on the hour of the support clock', async () => {
    const weeks = await t.container.stats.timeseries({ from, to, bucket: 'week' });
    expect(weeks.points.map((point) => point.start)).toEqual([
      '2026-03-02T08:00:00.000Z',
      '2026-03-09T07:00:00.000Z',
    ]);
    expect(weeks.points.map((point) => point.created)).toEqual([2, 1]);
    const hours = await t.container.stats.timeseries({
      from: new Date('2026-03-08T08:00:00Z'),
      to: new Date('2026-03-09T07:00:00Z'),
      bucket: 'hour',
    });
    expect(hours.points).toHaveLength(23);
  });

  it('puts the tickets opened on their weekday and hour of the support clock', async () => {
    const { cells } = await t.container.stats.heatmap({ from, to });
    expect(cells).toHaveLength(168);
    const busy = cells.filter((cell) => cell.count > 0);
    expect(busy).toEqual([
      { weekday: 1, hour: 8, count: 1 },
      { weekday: 5, hour: 16, count: 1 },
      { weekday: 6, hour: 12, count: 1 },
    ]);
  });

  it('breaks the figures down by category (in the reader’s language), channel and status', async () => {
    const byCategory = await t.container.stats.breakdown({
      from,
      to,
      by: 'category',
      language: 'ru',
    });
    expect(byCategory.rows).toEqual(
      expect.arrayContaining([
        {
          key: printers,
          label: 'Printers',
          created: 2,
          resolved: 4,
          backlog: 0,
          first_response_median_s: 7200,
          resolution_median_s: 142_200,
        },
        {
          key: billing,
          label: 'Оплата',
          created: 1,
          resolved: 0,
          backlog: 1,
          first_response_median_s: null,
          resolution_median_s: null,
        },
      ]),
    );
    expect(byCategory.rows).toHaveLength(2);
    const byChannel = await t.container.stats.breakdown({
      from,
      to,
      by: 'channel',
      language: 'en',
    });
    expect(byChannel.rows).toEqual([
      {
        key: 'telegram',
        label: 'telegram',
        created: 1,
        resolved: 1,
        backlog: 0,
        first_response_median_s: 7200,
        resolution_median_s: 28_800,
      },
      {
        key: 'mini_app',
        label: 'mini_app',
        created: 1,
        resolved: 2,
        backlog: 0,
        first_response_median_s: 116_550,
        resolution_median_s: 167_400,
      },
      {
        key: 'api',
        label: 'api',
        created: 1,
        resolved: 1,
        backlog: 1,
        first_response_median_s: null,
        resolution_median_s: 255_600,
      },
    ]);
    const byStatus = await t.container.stats.breakdown({ from, to, by: 'status', language: 'en' });
    expect(byStatus.rows.map((row) => [row.key, row.created, row.resolved, row.backlog])).toEqual([
      ['open', 1, 0, 1],
      ['in_progress', 0, 0, 0],
      ['waiting', 0, 0, 0],
      ['resolved', 1, 1, 0],
      ['closed', 1, 2, 0],
    ]);
    const byPriority = await t.container.stats.breakdown({
      from,
      to,
      by: 'priority',
      language: 'en',
    });
    expect(byPriority.rows.find((row) => row.key === 'normal')).toMatchObject({
      created: 3,
      resolved: 4,
    });
  });

  it('gives each staff member their assignments, resolutions, times, SLA, CSAT and messages', async () => {
    const { rows } = await t.container.stats.staff({ from, to });
    expect(rows).toEqual([
      {
        user_id: anna.userId,
        name: 'Anna',
        assigned: 1,
        resolved: 1,
        first_response_median_s: 119_700,
        resolution_median_s: 28_800,
        sla_met_pct: 100,
        csat_average: 4,
        csat_count: 1,
        messages: 2,
      },
      {
        user_id: boris.userId,
        name: 'Boris',
        assigned: 1,
        resolved: 3,
        first_response_median_s: 900,
        resolution_median_s: 255_600,
        sla_met_pct: 80,
        csat_average: 5,
        csat_count: 1,
        messages: 1,
      },
    ]);
  });

  it('gives the bot’s /stats today and this week on the support clock', async () => {
    at('2026-03-11T20:00:00Z'); // Wed 11 March 13:00 PDT
    try {
      const stats = await t.container.stats.ticketStats();
      expect(stats.todayFrom.toISOString()).toBe('2026-03-11T07:00:00.000Z');
      expect(stats.weekFrom.toISOString()).toBe('2026-03-09T07:00:00.000Z');
      expect(stats.today).toEqual({ created: 0, resolved: 1, medianFirstResponseS: 900 });
      // This week: Anna's answer to B on Monday (232200 s) and Boris's today (900 s).
      expect(stats.week).toEqual({ created: 0, resolved: 2, medianFirstResponseS: 116_550 });
      expect(stats.backlog).toBe(0);
    } finally {
      at('2026-03-20T12:00:00Z');
    }
  });
});
