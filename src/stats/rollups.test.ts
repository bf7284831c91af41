import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, gte, lt } from 'drizzle-orm';
import type { Principal } from '../auth/service.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { addCategory, principalOf, signInAs } from '../../test/people.js';
import { ticketCycles } from '../db/schema.js';
import { bucketCount, bucketOf, percentileOf } from './histogram.js';
import type { StatsQuery } from './schemas.js';
import { createStatsService } from './service.js';

/**
 * Three days of a small team (UTC), with ratings given, changed, moved with their ticket's
 * category and assignee, and deleted with their ticket, so that the CSAT and backlog rollups
 * (migration 0023) and the histograms' edges are read over periods that cut hours and days:
 *
 *   T1 Mon 6 Apr 09:10 printers/normal, Anna 09:20, answered 09:40, resolved 11:30, rated 4
 *      at 11:45 and changed to 2 at 12:10; moved to billing Wed 10:00.
 *   T2 Mon 10:50 billing/high, Boris 11:00, answered 12:05, resolved 23:30, rated 5 at 23:50;
 *      given to Anna Wed 11:00.
 *   T3 Tue 7 Apr 00:20 printers/low, nobody's, resolved 02:00, rated 3 at 02:30.
 *   T4 Tue 08:00 printers/normal, Boris, answered 08:10, resolved 09:00, rated 1 at 09:15; the
 *      customer writes 09:30 (reopened); billing 10:00, critical 10:05, Anna 10:30; answered
 *      11:00, resolved 12:00, rated 5 at 12:40.
 *   T5 Tue 13:00 billing/normal, Anna, resolved 14:00, rated 4 at 14:20; deleted 15:00.
 *   T6 Wed 8 Apr 09:00 printers/normal, Boris, open.   T7 Wed 16:00 billing/low, open.
 */
describe('stats rollups of CSAT and backlog, and histogram edges', () => {
  const clock = manualClock('2026-04-06T08:00:00Z');
  const at = (iso: string) => clock.set(iso);
  let t: TestApp;
  let anna: Principal;
  let boris: Principal;
  let printers: string;
  let billing: string;
  const from = new Date('2026-04-06T00:00:00Z');
  const to = new Date('2026-04-09T00:00:00Z');

  beforeAll(async () => {
    t = await createTestApp({ clock });
    const customer = principalOf(await signInAs(t, 'user', { first_name: 'Carl' }));
    const admin = principalOf(await signInAs(t, 'admin', { first_name: 'Adam' }));
    anna = principalOf(await signInAs(t, 'agent', { first_name: 'Anna' }));
    boris = principalOf(await signInAs(t, 'agent', { first_name: 'Boris' }));
    printers = await addCategory(t, { name: 'Printers' });
    billing = await addCategory(t, { name: 'Billing' });
    t.container.categories.forgetLists();
    const { tickets, messages, ratings } = t.container;
    const open = async (
      when: string,
      category: string,
      priority: 'low' | 'normal' | 'high' | 'critical',
    ) => {
      at(when);
      const ticket = await tickets.create(
        customer,
        { category_id: category, title: `Opened ${when}`, description: 'Broken.', priority },
        'telegram',
      );
      return ticket.id;
    };
    const write = async (who: Principal, id: string, when: string) => {
      at(when);
      await messages.create(who, id, { content: 'Looking.', is_internal: false });
    };
    const resolve = async (id: string, when: string) => {
      at(when);
      await tickets.changeStatus(boris, id, 'resolved');
    };
    const assign = async (id: string, who: Principal, when: string) => {
      at(when);
      await tickets.assign(boris, id, who.userId);
    };
    const rate = async (id: string, score: number, when: string) => {
      at(when);
      await ratings.rate(customer, id, { score });
    };
    const update = async (
      id: string,
      when: string,
      patch: Parameters<typeof tickets.update>[2],
    ) => {
      at(when);
      await tickets.update(boris, id, patch);
    };

    const t1 = await open('2026-04-06T09:10:00Z', printers, 'normal');
    await assign(t1, anna, '2026-04-06T09:20:00Z');
    await write(anna, t1, '2026-04-06T09:40:00Z');
    await resolve(t1, '2026-04-06T11:30:00Z');
    await rate(t1, 4, '2026-04-06T11:45:00Z');
    await rate(t1, 2, '2026-04-06T12:10:00Z');

    const t2 = await open('2026-04-06T10:50:00Z', billing, 'high');
    await assign(t2, boris, '2026-04-06T11:00:00Z');
    await write(boris, t2, '2026-04-06T12:05:00Z');
    await resolve(t2, '2026-04-06T23:30:00Z');
    await rate(t2, 5, '2026-04-06T23:50:00Z');

    const t3 = await open('2026-04-07T00:20:00Z', printers, 'low');
    await resolve(t3, '2026-04-07T02:00:00Z');
    await rate(t3, 3, '2026-04-07T02:30:00Z');

    const t4 = await open('2026-04-07T08:00:00Z', printers, 'normal');
    await assign(t4, boris, '2026-04-07T08:02:00Z');
    await write(boris, t4, '2026-04-07T08:10:00Z');
    await resolve(t4, '2026-04-07T09:00:00Z');
    await rate(t4, 1, '2026-04-07T09:15:00Z');
    await write(customer, t4, '2026-04-07T09:30:00Z');
    await update(t4, '2026-04-07T10:00:00Z', { category_id: billing });
    await update(t4, '2026-04-07T10:05:00Z', { priority: 'critical' });
    await assign(t4, anna, '2026-04-07T10:30:00Z');
    await write(anna, t4, '2026-04-07T11:00:00Z');
    await resolve(t4, '2026-04-07T12:00:00Z');
    await rate(t4, 5, '2026-04-07T12:40:00Z');

    const t5 = await open('2026-04-07T13:00:00Z', billing, 'normal');
    await assign(t5, anna, '2026-04-07T13:05:00Z');
    await resolve(t5, '2026-04-07T14:00:00Z');
    await rate(t5, 4, '2026-04-07T14:20:00Z');
    at('2026-04-07T15:00:00Z');
    await tickets.remove(admin, t5);

    const t6 = await open('2026-04-08T09:00:00Z', printers, 'normal');
    await assign(t6, boris, '2026-04-08T09:01:00Z');
    await update(t1, '2026-04-08T10:00:00Z', { category_id: billing });
    await assign(t2, anna, '2026-04-08T11:00:00Z');
    await open('2026-04-08T16:00:00Z', billing, 'low');
    at('2026-04-10T12:00:00Z');
  });
  afterAll(() => t.close());

  /** The periods compared: whole days, and edges inside hours and days. */
  const periods = () => [
    { from, to },
    { from: new Date('2026-04-06T09:30:00Z'), to: new Date('2026-04-08T12:45:00Z') },
    { from: new Date('2026-04-06T11:50:00Z'), to: new Date('2026-04-07T12:20:00Z') },
    { from: new Date('2026-04-07T00:25:00Z'), to: new Date('2026-04-07T00:55:00Z') },
  ];
  /** Every filter the rollups answer, and two together (which they do not). */
  const filters = (): Omit<StatsQuery, 'from' | 'to'>[] => [
    {},
    { categoryId: printers },
    { categoryId: billing },
    { priority: 'normal' },
    { priority: 'critical' },
    { assignedTo: anna.userId },
    { assignedTo: boris.userId },
    { assignedTo: 'none' },
    { categoryId: billing, priority: 'critical' },
  ];

  it('gives the CSAT of the ratings by their ticket’s current category and assignee', async () => {
    const csat = async (filter: Omit<StatsQuery, 'from' | 'to'>) =>
      (await t.container.stats.overview({ from, to, ...filter })).current.csat;
    // T1 2 (changed from 4), T2 5, T3 3, T4 1 and 5; T5's went with the ticket.
    expect(await csat({})).toEqual({ average: 3.2, count: 5 });
    // T1 and T4 moved to billing: T1 2, T2 5, T4 1 and 5.
    expect(await csat({ categoryId: billing })).toEqual({ average: 3.25, count: 4 });
    expect(await csat({ categoryId: printers })).toEqual({ average: 3, count: 1 });
    // T2 given to Anna after it was rated.
    expect(await csat({ assignedTo: anna.userId })).toEqual({ average: 3.25, count: 4 });
    expect(await csat({ assignedTo: boris.userId })).toEqual({ average: null, count: 0 });
    expect(await csat({ assignedTo: 'none' })).toEqual({ average: 3, count: 1 });
    expect(await csat({ priority: 'critical' })).toEqual({ average: 3, count: 2 });
  });

  it('gives the backlog at the end of the period from the daily rollup', async () => {
    const backlog = async (end: string, filter: Omit<StatsQuery, 'from' | 'to'> = {}) =>
      (await t.container.stats.overview({ from, to: new Date(end), ...filter })).current.backlog;
    expect(await backlog('2026-04-09T00:00:00Z')).toBe(2); // T6, T7
    expect(await backlog('2026-04-09T00:00:00Z', { categoryId: billing })).toBe(1);
    expect(await backlog('2026-04-07T10:10:00Z')).toBe(1); // T4 reopened
    expect(await backlog('2026-04-07T10:10:00Z', { priority: 'critical' })).toBe(1);
    expect(await backlog('2026-04-06T12:00:00Z', { assignedTo: boris.userId })).toBe(0);
    expect(await backlog('2026-04-06T12:00:00Z')).toBe(1); // T2
  });

  it('reads the same CSAT, backlog and breakdown from the rollups as from the facts', async () => {
    const facts = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      counts: 'facts',
    });
    const rolled = t.container.stats;
    for (const period of periods()) {
      for (const filter of filters()) {
        const query = { ...period, ...filter };
        expect([query, await rolled.overview(query)]).toEqual([query, await facts.overview(query)]);
        for (const by of ['category', 'priority', 'channel'] as const) {
          expect([query, by, await rolled.breakdown({ ...query, by, language: 'en' })]).toEqual([
            query,
            by,
            await facts.breakdown({ ...query, by, language: 'en' }),
          ]);
        }
      }
    }
  });

  it('reads the histograms of a period exactly as its values would fill them', async () => {
    const histograms = createStatsService({
      db: t.container.database.db,
      clock,
      settings: t.container.settings,
      exactUpTo: 0,
    });
    const cycles = await t.container.database.db
      .select()
      .from(ticketCycles)
      .where(and(gte(ticketCycles.startedAt, from), lt(ticketCycles.startedAt, to)));
    for (const period of periods()) {
      for (const filter of filters().filter((given) => Object.keys(given).length < 2)) {
        const query = { ...period, ...filter };
        const mine = cycles.filter(
          (cycle) =>
            (!filter.categoryId || cycle.categoryId === filter.categoryId) &&
            (!filter.priority || cycle.priority === filter.priority) &&
            (!filter.assignedTo ||
              (filter.assignedTo === 'none'
                ? cycle.assignedTo === null
                : cycle.assignedTo === filter.assignedTo)),
        );
        const within = (instant: Date | null) =>
          instant !== null && instant >= query.from && instant < query.to;
        const histogramOf = (seconds: (number | null)[]) => {
          const counts = new Array<number>(bucketCount).fill(0);
          for (const value of seconds) {
            if (value === null) continue;
            const bucket = bucketOf(value) - 1;
            counts[bucket] = (counts[bucket] ?? 0) + 1;
          }
          return { median_s: percentileOf(counts, 0.5), p90_s: percentileOf(counts, 0.9) };
        };
        const since = (end: Date | null, start: Date) =>
          end === null ? null : (end.getTime() - start.getTime()) / 1000;
        const answered = mine.filter((cycle) => within(cycle.firstResponseAt));
        const ended = mine.filter((cycle) => within(cycle.endedAt));
        const { current } = await histograms.overview(query);
        expect([query, current.first_response.calendar, current.resolution.calendar]).toEqual([
          query,
          histogramOf(answered.map((cycle) => since(cycle.firstResponseAt, cycle.startedAt))),
          histogramOf(ended.map((cycle) => since(cycle.endedAt, cycle.startedAt))),
        ]);
        expect([query, current.first_response.support, current.resolution.support]).toEqual([
          query,
          histogramOf(answered.map((cycle) => cycle.firstResponseSupportS)),
          histogramOf(ended.map((cycle) => cycle.resolutionSupportS)),
        ]);
      }
    }
  });
});
