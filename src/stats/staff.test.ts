import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/service.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { addCategory, principalOf, signInAs } from '../../test/people.js';
import type { StatsQuery } from './schemas.js';
import { createStatsService } from './service.js';

/**
 * One Monday (6 April 2026, support clock UTC) of a team of Anna, Boris, Olga (an agent until
 * the evening) and Oscar (the owner), hours in UTC:
 *
 *   T1 printers, normal: opened 09:10, assigned to Anna 09:20; Olga answers 09:40; reassigned
 *      to Boris 10:05; Boris answers 10:30, the customer 10:45; Boris resolves 11:15; rated 5 at
 *      11:30; the customer writes 12:10 (reopened), Anna answers 12:20; Boris moves it to
 *      billing 12:30 and resolves it 13:50.
 *   T2 billing, high: opened 09:30, assigned to Anna 09:35, answered by her 09:50, resolved by
 *      her 14:20, rated 2 at 14:30; Anna makes it critical 14:40.
 *   T3 printers, normal: opened 10:00, never assigned; Boris answers 10:20.
 *   T4 printers: opened 11:00, assigned to Boris 11:05, answered by him 11:10; Oscar deletes
 *      it 15:00.
 *   Olga becomes a customer 16:00.
 */
describe('the staff table from the per-user rollups', () => {
  const clock = manualClock('2026-04-01T00:00:00Z');
  const at = (iso: string) => clock.set(iso);
  let t: TestApp;
  let anna: Principal;
  let boris: Principal;
  let olga: Principal;
  let printers: string;
  let billing: string;
  const from = new Date('2026-04-06T00:00:00Z');
  const to = new Date('2026-04-07T00:00:00Z');

  beforeAll(async () => {
    t = await createTestApp({ clock });
    const oscar = principalOf(await signInAs(t, 'owner', { first_name: 'Oscar' }));
    const customer = principalOf(await signInAs(t, 'user', { first_name: 'Carl' }));
    anna = principalOf(await signInAs(t, 'agent', { first_name: 'Anna' }));
    boris = principalOf(await signInAs(t, 'agent', { first_name: 'Boris' }));
    olga = principalOf(await signInAs(t, 'agent', { first_name: 'Olga' }));
    printers = await addCategory(t, { name: 'Printers' });
    billing = await addCategory(t, { name: 'Billing' });
    await t.container.settings.update(oscar, {
      support_hours: { time_zone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' },
      sla: {
        low: { first_response: 30, resolution: 240 },
        normal: { first_response: 30, resolution: 240 },
        high: { first_response: 30, resolution: 240 },
        critical: { first_response: 30, resolution: 240 },
      },
    });
    const { tickets, messages, ratings } = t.container;
    const day = (time: string) => `2026-04-06T${time}:00Z`;
    const open = async (time: string, category: string, priority: 'normal' | 'high') => {
      at(day(time));
      const ticket = await tickets.create(
        customer,
        { category_id: category, title: `Opened ${time}`, description: 'Broken.', priority },
        'api',
      );
      return ticket.id;
    };
    const write = async (who: Principal, id: string, time: string) => {
      at(day(time));
      await messages.create(who, id, { content: 'Looking.', is_internal: false });
    };
    const assign = async (id: string, who: Principal, time: string) => {
      at(day(time));
      await tickets.assign(boris, id, who.userId);
    };
    const resolve = async (who: Principal, id: string, time: string) => {
      at(day(time));
      await tickets.changeStatus(who, id, 'resolved');
    };
    const rate = async (id: string, score: number, time: string) => {
      at(day(time));
      await ratings.rate(customer, id, { score });
    };

    const t1 = await open('09:10', printers, 'normal');
    await assign(t1, anna, '09:20');
    await write(olga, t1, '09:40');
    const t2 = await open('09:30', billing, 'high');
    await assign(t2, anna, '09:35');
    await write(anna, t2, '09:50');
    const t3 = await open('10:00', printers, 'normal');
    await assign(t1, boris, '10:05');
    await write(boris, t3, '10:20');
    await write(boris, t1, '10:30');
    await write(customer, t1, '10:45');
    const t4 = await open('11:00', printers, 'normal');
    await assign(t4, boris, '11:05');
    await write(boris, t4, '11:10');
    await resolve(boris, t1, '11:15');
    await rate(t1, 5, '11:30');
    await write(customer, t1, '12:10');
    await write(anna, t1, '12:20');
    at(day('12:30'));
    await tickets.update(boris, t1, { category_id: billing });
    await resolve(boris, t1, '13:50');
    await resolve(anna, t2, '14:20');
    await rate(t2, 2, '14:30');
    at(day('14:40'));
    await tickets.update(anna, t2, { priority: 'critical' });
    at(day('15:00'));
    await tickets.remove(oscar, t4);
    at(day('16:00'));
    await t.container.users.setRole(olga.userId, 'user');
    at('2026-04-08T12:00:00Z');
  });
  afterAll(() => t.close());

  const facts = () =>
    createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      counts: 'facts',
    });

  it('counts each person’s work of the day, the former staff member’s and the deleted ticket’s too', async () => {
    const { rows } = await t.container.stats.staff({ from, to });
    const figures = (user: Principal) => rows.find((row) => row.user_id === user.userId);
    expect(rows.map((row) => row.name)).toEqual(['Anna', 'Boris', 'Olga', 'Oscar']);
    // Anna: T1 and T2 assigned; T2's end (4 h 50 min); first answers 20 min (T2) and 10 min
    // (T1 reopened); T2's rating 2; two messages.
    expect(figures(anna)).toMatchObject({
      assigned: 2,
      resolved: 1,
      first_response_median_s: 900,
      resolution_median_s: 17_400,
      csat_average: 2,
      csat_count: 1,
      messages: 2,
    });
    // Boris: T1 reassigned to him (T4 went with its deletion); T1's two ends (2 h 5 min and
    // 1 h 40 min); T3's first answer (20 min); T1's rating 5; his messages on T3 and T1.
    expect(figures(boris)).toMatchObject({
      assigned: 1,
      resolved: 2,
      first_response_median_s: 1200,
      resolution_median_s: 6750,
      csat_average: 5,
      csat_count: 1,
      messages: 2,
    });
    // Olga, a customer now, answered T1 first (30 min).
    expect(figures(olga)).toMatchObject({
      assigned: 0,
      resolved: 0,
      first_response_median_s: 1800,
      messages: 1,
    });
  });

  it('gives the same table as the raw tables for every filter and edge', async () => {
    const queries: StatsQuery[] = [
      { from, to },
      // Edges inside hours: their parts come from the raw tables.
      { from: new Date('2026-04-06T09:25:00Z'), to: new Date('2026-04-06T13:55:00Z') },
      { from: new Date('2026-04-06T10:10:00Z'), to: new Date('2026-04-06T10:50:00Z') },
      // Whole days from the daily sums, the hours around them from the hourly rows.
      { from: new Date('2026-04-05T22:30:00Z'), to: new Date('2026-04-07T01:30:00Z') },
      // Ending after now: the hours up to now only.
      { from, to: new Date('2026-04-10T00:00:00Z') },
      { from, to, categoryId: printers },
      { from, to, categoryId: billing },
      { from, to, priority: 'normal' },
      { from, to, priority: 'critical' },
      { from, to, assignedTo: boris.userId },
      { from, to, assignedTo: anna.userId },
      { from, to, assignedTo: 'none' },
      { from, to, categoryId: billing, assignedTo: boris.userId },
    ];
    const raw = facts();
    for (const query of queries) {
      expect(await t.container.stats.staff(query), JSON.stringify(query)).toEqual(
        await raw.staff(query),
      );
    }
  });

  it('moves a ticket’s assignments, messages and rating with its category, priority and assignee', async () => {
    // T1 went to billing at 12:30 with all its earlier work; T2 became critical with its rating.
    const inBilling = await t.container.stats.staff({ from, to, categoryId: billing });
    expect(inBilling.rows.find((row) => row.user_id === boris.userId)).toMatchObject({
      assigned: 1,
      resolved: 2,
      csat_count: 1,
      messages: 1,
    });
    const inPrinters = await t.container.stats.staff({ from, to, categoryId: printers });
    expect(inPrinters.rows.find((row) => row.user_id === boris.userId)).toMatchObject({
      assigned: 0,
      resolved: 0,
      csat_count: 0,
      messages: 1,
    });
    const critical = await t.container.stats.staff({ from, to, priority: 'critical' });
    expect(critical.rows.find((row) => row.user_id === anna.userId)).toMatchObject({
      assigned: 1,
      csat_average: 2,
    });
  });

  it('reads the medians of many values from the daily histograms within ±9.5 %', async () => {
    const histograms = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      exactUpTo: 0,
    });
    const periods = [
      { from, to },
      // A whole day of histograms with parts of days at either end from the cycles.
      { from: new Date('2026-04-05T12:00:00Z'), to: new Date('2026-04-07T06:00:00Z') },
      { from, to, categoryId: billing },
      // April as a whole month of histograms, the days around it from the daily ones.
      { from: new Date('2026-03-15T00:00:00Z'), to: new Date('2026-05-03T00:00:00Z') },
    ];
    at('2026-05-20T12:00:00Z');
    for (const query of periods) {
      const exact = await facts().staff(query);
      const read = await histograms.staff(query);
      expect(read.rows.map((row) => row.user_id)).toEqual(exact.rows.map((row) => row.user_id));
      read.rows.forEach((row, index) => {
        const want = exact.rows[index];
        expect(row).toMatchObject({ assigned: want?.assigned, messages: want?.messages });
        for (const field of ['first_response_median_s', 'resolution_median_s'] as const) {
          const wanted = want?.[field] ?? null;
          if (wanted === null) expect(row[field]).toBeNull();
          else expect(Math.abs((row[field] ?? 0) / wanted - 1)).toBeLessThanOrEqual(0.095);
        }
      });
    }
    at('2026-04-08T12:00:00Z');
  });
});
