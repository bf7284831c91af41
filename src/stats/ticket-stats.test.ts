import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/service.js';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, signInAs } from '../../test/people.js';
import { startOfUtcDay, startOfUtcWeek, ticketStats } from './ticket-stats.js';

/** A clock the test moves by hand. */
let current = new Date('2026-11-25T12:00:00Z');
const clock = { now: () => new Date(current) };
const at = (iso: string) => {
  current = new Date(iso);
};

describe('ticket stats', () => {
  let t: TestApp;
  let customer: Principal;
  let agent: Principal;
  let categoryId: string;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    const user = await signInAs(t, 'user');
    const staff = await signInAs(t, 'agent');
    customer = { userId: user.id, role: 'user', sessionId: '' };
    agent = { userId: staff.id, role: 'agent', sessionId: '' };
    categoryId = await addCategory(t);
  });
  afterAll(() => t.close());

  async function ticket(createdAt: string, answeredAt?: string): Promise<string> {
    at(createdAt);
    const created = await t.container.tickets.create(customer, {
      category_id: categoryId,
      title: `Ticket of ${createdAt}`,
      description: 'Something is broken.',
      priority: 'normal',
    });
    if (answeredAt) {
      at(answeredAt);
      await t.container.messages.create(agent, created.id, {
        content: 'On it!',
        is_internal: false,
      });
    }
    return created.id;
  }

  it('counts today and this week (UTC) with the median first response', async () => {
    const lastWeek = await ticket('2026-11-22T23:00:00Z');
    await ticket('2026-11-23T10:00:00Z', '2026-11-23T10:20:00Z'); // Monday: 1200 s
    const b = await ticket('2026-11-25T09:00:00Z', '2026-11-25T09:05:00Z'); // 300 s
    await ticket('2026-11-25T10:00:00Z', '2026-11-25T10:15:00Z'); // 900 s
    await ticket('2026-11-25T11:00:00Z'); // no answer yet
    at('2026-11-25T11:30:00Z');
    await t.container.tickets.changeStatus(agent, b, 'resolved');
    await t.container.tickets.changeStatus(agent, lastWeek, 'closed');
    // A resolved ticket later closed still counts once.
    await t.container.tickets.changeStatus(agent, b, 'closed');

    const stats = await ticketStats(t.container.database.db, new Date('2026-11-25T12:00:00Z'));
    expect(stats.today).toEqual({ created: 3, resolved: 2, medianFirstResponseS: 600 });
    expect(stats.week).toEqual({ created: 4, resolved: 2, medianFirstResponseS: 900 });
    expect(stats.backlog).toBe(3);
    expect(stats.todayFrom.toISOString()).toBe('2026-11-25T00:00:00.000Z');
    expect(stats.weekFrom.toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('has no median when nothing was answered in the period', async () => {
    const stats = await ticketStats(t.container.database.db, new Date('2026-12-02T08:00:00Z'));
    expect(stats.today).toEqual({ created: 0, resolved: 0, medianFirstResponseS: null });
    expect(stats.week).toEqual({ created: 0, resolved: 0, medianFirstResponseS: null });
    expect(stats.backlog).toBe(3);
  });

  it('starts weeks on Monday, also from a Sunday', () => {
    const sunday = new Date('2026-11-29T23:59:00Z');
    expect(startOfUtcDay(sunday).toISOString()).toBe('2026-11-29T00:00:00.000Z');
    expect(startOfUtcWeek(sunday).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });
});
