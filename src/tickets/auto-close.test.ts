import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { auditLog, notifications, tickets } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import { createLogger } from '../platform/logger.js';
import { autoCloseQueue, createAutoCloseRun } from './jobs.js';

const day = 86_400_000;

describe('auto-close of resolved tickets', () => {
  let t: TestApp;
  let clock: ManualClock;
  let category: string;
  let run: () => Promise<number>;
  const events: DomainEvent[] = [];

  beforeAll(async () => {
    clock = manualClock('2026-03-02T09:00:00.000Z');
    t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '100000' } });
    category = await addCategory(t);
    run = createAutoCloseRun({
      tickets: t.container.tickets,
      settings: t.container.settings,
      clock,
      logger: createLogger('silent'),
    });
    await t.container.events.subscribe((event) => events.push(event));
  });
  afterAll(() => t.close());

  /** People signed in now (tokens minted by the moved clock expire when it moves on). */
  async function cast() {
    return {
      customer: await signInAs(t, 'user', { language_code: 'en' }),
      agent: await signInAs(t, 'agent'),
      admin: await signInAs(t, 'admin'),
    };
  }

  async function afterDays(admin: Person, days: number): Promise<void> {
    const saved = await callAs(t, admin, 'PUT', '/settings', { auto_close: { after_days: days } });
    expect(saved.statusCode).toBe(200);
  }

  async function resolvedTicket(customer: Person, agent: Person) {
    const ticket = await openTicket(t, customer, category);
    const resolved = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, {
      status: 'resolved',
    });
    expect(resolved.statusCode).toBe(200);
    return ticket;
  }

  async function statusOf(id: string) {
    const [row] = await t.container.database.db
      .select({ status: tickets.status, closedAt: tickets.closedAt })
      .from(tickets)
      .where(eq(tickets.id, id));
    return row;
  }

  it('closes a ticket resolved longer ago than after_days, as the system, and tells its customer', async () => {
    const { customer, agent, admin } = await cast();
    await afterDays(admin, 7);
    const ticket = await resolvedTicket(customer, agent);

    clock.advance(6 * day);
    expect(await run()).toBe(0);
    expect((await statusOf(ticket.id))?.status).toBe('resolved');

    clock.advance(day + 60_000);
    expect(await run()).toBe(1);
    expect(await statusOf(ticket.id)).toEqual({ status: 'closed', closedAt: clock.now() });

    const [entry] = await t.container.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.ticketId, ticket.id), eq(auditLog.action, 'ticket.status_changed')))
      .orderBy(auditLog.createdAt)
      .offset(1);
    expect(entry).toMatchObject({
      actorId: null,
      before: { status: 'resolved', closed_at: null },
      after: { status: 'closed' },
    });
    const [told] = await t.container.database.db
      .select({ title: notifications.title, content: notifications.content })
      .from(notifications)
      .where(
        and(
          eq(notifications.ticketId, ticket.id),
          eq(notifications.userId, customer.id),
          eq(notifications.createdAt, clock.now()),
        ),
      );
    expect(told?.title).toBe(`Ticket #${ticket.number} status`);
    expect(told?.content).toContain('was closed automatically: no reply for 7 days');
    expect(told?.content).toContain('Reopen it in the app');
    await expect
      .poll(() =>
        events.find(
          (event) =>
            event.type === 'ticket.status_changed' &&
            event.ticket_id === ticket.id &&
            event.data.status === 'closed',
        ),
      )
      .toMatchObject({ actor_id: null, changes: { status: { from: 'resolved', to: 'closed' } } });
  });

  it('counts a message after the resolution as activity', async () => {
    const first = await cast();
    await afterDays(first.admin, 7);
    const ticket = await resolvedTicket(first.customer, first.agent);
    clock.advance(5 * day);
    const later = await cast();
    const note = await callAs(t, later.agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Checking in: all good?',
    });
    expect(note.statusCode).toBe(201);
    clock.advance(3 * day);
    await run();
    expect((await statusOf(ticket.id))?.status).toBe('resolved');
    clock.advance(5 * day);
    await run();
    expect((await statusOf(ticket.id))?.status).toBe('closed');
  });

  it('leaves a ticket its customer answered after the resolution: the answer reopened it', async () => {
    const first = await cast();
    await afterDays(first.admin, 2);
    const ticket = await resolvedTicket(first.customer, first.agent);
    const answer = await callAs(t, first.customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Not fixed after all',
    });
    expect(answer.statusCode).toBe(201);
    expect((await statusOf(ticket.id))?.status).toBe('open');
    clock.advance(30 * day);
    expect(await run()).toBe(0);
    expect((await statusOf(ticket.id))?.status).toBe('open');
  });

  it('closes nothing with after_days 0, and never a ticket that is not resolved', async () => {
    const { customer, agent, admin } = await cast();
    await afterDays(admin, 0);
    const resolved = await resolvedTicket(customer, agent);
    const open = await openTicket(t, customer, category);
    clock.advance(400 * day);
    expect(await run()).toBe(0);
    expect((await statusOf(resolved.id))?.status).toBe('resolved');

    await afterDays((await cast()).admin, 3);
    await run();
    expect((await statusOf(resolved.id))?.status).toBe('closed');
    expect((await statusOf(open.id))?.status).toBe('open');
  });
});

describe('the auto-close schedule', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
  });
  afterAll(() => t.close());

  it('is registered with the job queue by the worker', async () => {
    const schedules = await t.container.database.executeSql(
      `select name, cron from pgboss.schedule where name = '${autoCloseQueue}'`,
    );
    expect(schedules.rows).toEqual([{ name: autoCloseQueue, cron: '7,22,37,52 * * * *' }]);
  });
});
