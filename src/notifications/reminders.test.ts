import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications } from '../db/schema.js';
import { createNotificationService } from './service.js';
import { createLogger } from '../platform/logger.js';
import { createReminderRun, reminderQueue } from './reminders.js';

const hour = 3_600_000;

describe('reminders of tickets waiting for a staff answer', () => {
  let t: TestApp;
  /** How far the reminder run's clock is ahead of the real one. */
  let ahead = 0;
  let customer: Person;
  let agent: Person;
  let moderator: Person;
  let category: string;
  let run: () => Promise<number>;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    customer = await signInAs(t, 'user');
    agent = await signInAs(t, 'agent');
    moderator = await signInAs(t, 'moderator');
    category = await addCategory(t);
    // The run and the reminders it writes live ahead in time; tickets and messages are made
    // now, through the API (whose tokens would expire if the whole app's clock moved).
    const clock = { now: () => new Date(Date.now() + ahead) };
    const logger = createLogger('silent');
    const { db } = t.container.database;
    run = createReminderRun({
      uow: t.container.uow,
      notifications: createNotificationService({
        db,
        queue: t.container.queue,
        clock,
        users: t.container.users,
        logger,
        followUpWindowMs: t.container.config.NOTIFY_FOLLOW_UP_WINDOW_S * 1000,
        settings: t.container.settings,
      }),
      users: t.container.users,
      tickets: t.container.tickets,
      clock,
      logger,
      settings: t.container.settings,
    });
  });
  afterAll(() => t.close());

  function advance(ms: number): void {
    ahead += ms;
  }

  async function remindersOf(ticketId: string): Promise<string[]> {
    const rows = await t.container.database.db
      .select({ userId: notifications.userId, type: notifications.type })
      .from(notifications)
      .where(eq(notifications.ticketId, ticketId));
    return rows
      .filter((row) => row.type === 'reminder')
      .map((row) => row.userId)
      .sort((a, b) => a.localeCompare(b));
  }

  it('reminds all staff of an unassigned ticket, and only the assignee of an assigned one', async () => {
    const unassigned = await openTicket(t, customer, category, { title: 'Nobody has it' });
    const assigned = await openTicket(t, customer, category, { title: 'Artem has it' });
    await callAs(t, moderator, 'PUT', `/tickets/${assigned.id}/assign`, { assigned_to: agent.id });
    advance(23 * hour);
    expect(await run()).toBe(0);
    advance(2 * hour);
    expect(await run()).toBe(2);
    expect(await remindersOf(unassigned.id)).toEqual(
      [agent.id, moderator.id].sort((a, b) => a.localeCompare(b)),
    );
    expect(await remindersOf(assigned.id)).toEqual([agent.id]);
    const [row] = await t.container.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.ticketId, assigned.id))
      .orderBy(notifications.createdAt);
    expect(row).toBeDefined();
  });

  it('reminds all staff when the assignee can no longer act (blocked)', async () => {
    const leaver = await signInAs(t, 'agent');
    const ticket = await openTicket(t, customer, category, { title: 'Orphaned' });
    await callAs(t, moderator, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: leaver.id });
    await t.container.users.setActive(leaver.id, false);
    advance(25 * hour);
    await run();
    expect(await remindersOf(ticket.id)).toEqual(
      [agent.id, moderator.id].sort((a, b) => a.localeCompare(b)),
    );
  });

  it('reminds once per period however often it runs, even two runs at once', async () => {
    const ticket = await openTicket(t, customer, category);
    advance(25 * hour);
    const results = await Promise.all([run(), run()]);
    expect(results.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1);
    expect(await remindersOf(ticket.id)).toHaveLength(2);
    await run();
    advance(12 * hour);
    await run();
    expect(await remindersOf(ticket.id)).toHaveLength(2);
    advance(13 * hour);
    await run();
    expect(await remindersOf(ticket.id)).toHaveLength(4);
  });

  it('leaves answered, resolved and closed tickets alone, until the customer writes again', async () => {
    const answered = await openTicket(t, customer, category);
    const resolved = await openTicket(t, customer, category);
    const closed = await openTicket(t, customer, category);
    advance(hour);
    await callAs(t, agent, 'POST', `/tickets/${answered.id}/messages`, { content: 'Looking' });
    await callAs(t, agent, 'POST', `/tickets/${answered.id}/messages`, {
      content: 'internal only',
      is_internal: true,
    });
    await callAs(t, agent, 'PUT', `/tickets/${resolved.id}/status`, { status: 'resolved' });
    await callAs(t, customer, 'PUT', `/tickets/${closed.id}/status`, { status: 'closed' });
    advance(30 * hour);
    await run();
    for (const [name, ticket] of Object.entries({ answered, resolved, closed })) {
      expect(await remindersOf(ticket.id), name).toEqual([]);
    }
    // The customer writes again (now, which the run's clock sees as long ago): due again.
    await callAs(t, customer, 'POST', `/tickets/${answered.id}/messages`, { content: 'Hello?' });
    await run();
    expect(await remindersOf(answered.id)).toEqual(
      [agent.id, moderator.id].sort((a, b) => a.localeCompare(b)),
    );
  });
  it('uses the threshold an admin saves at its next run, without a restart', async () => {
    const admin = await signInAs(t, 'admin');
    const saved = await callAs(t, admin, 'PUT', '/settings', {
      reminders: { cron: '0 9 * * *', after_hours: 48 },
    });
    expect(saved.statusCode).toBe(200);
    ahead = 0; // the run's clock back to the present: this ticket's age is what the test moves
    const ticket = await openTicket(t, customer, category, { title: 'Two days' });
    advance(25 * hour);
    await run();
    expect(await remindersOf(ticket.id)).toEqual([]);
    advance(24 * hour);
    await run();
    expect(await remindersOf(ticket.id)).toHaveLength(3); // the agent, the moderator, the admin
    const [row] = await t.container.database.db
      .select({ content: notifications.content })
      .from(notifications)
      .where(and(eq(notifications.ticketId, ticket.id), eq(notifications.type, 'reminder')));
    expect(row?.content).toContain('48');
  });
});

describe('the reminder schedule', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      startQueue: true,
      env: { REMINDER_CRON: '*/5 * * * *', REMINDER_AFTER_H: '1' },
    });
  });
  afterAll(() => t.close());

  it('is registered with REMINDER_CRON and its jobs run the reminders', async () => {
    const schedules = await t.container.database.executeSql(
      `select name, cron from pgboss.schedule where name = '${reminderQueue}'`,
    );
    expect(schedules.rows).toEqual([{ name: reminderQueue, cron: '*/5 * * * *' }]);
    const customer = await signInAs(t, 'user');
    const agent = await signInAs(t, 'agent');
    const ticket = await openTicket(t, customer, await addCategory(t));
    await t.container.database.db
      .update(notifications)
      .set({ createdAt: new Date(Date.now() - 2 * hour) })
      .where(eq(notifications.ticketId, ticket.id));
    await t.container.database.executeSql(
      `update tickets set created_at = now() - interval '2 hours' where id = '${ticket.id}'`,
    );
    await t.container.queue.send(reminderQueue, {});
    t.container.queue.wake(reminderQueue);
    await expect
      .poll(
        async () =>
          (
            await t.container.database.db
              .select({ userId: notifications.userId })
              .from(notifications)
              .where(eq(notifications.type, 'reminder'))
          ).map((row) => row.userId),
        { timeout: 10_000 },
      )
      .toEqual([agent.id]);
  });
  it('moves when an admin saves a new schedule, and a worker started later keeps it', async () => {
    const admin = await signInAs(t, 'admin');
    const saved = await callAs(t, admin, 'PUT', '/settings', {
      reminders: { cron: '15 7 * * 1-5', after_hours: 1 },
    });
    expect(saved.statusCode).toBe(200);
    const cronNow = async (app: TestApp) =>
      (
        await app.container.database.executeSql(
          `select cron from pgboss.schedule where name = '${reminderQueue}'`,
        )
      ).rows;
    expect(await cronNow(t)).toEqual([{ cron: '15 7 * * 1-5' }]);
    // Another process starting on the same database (its env still says */5) keeps the saved one.
    const later = await createTestApp({
      startQueue: true,
      database: t.container.database,
      env: { REMINDER_CRON: '*/5 * * * *' },
    });
    try {
      expect(await cronNow(later)).toEqual([{ cron: '15 7 * * 1-5' }]);
    } finally {
      await later.close();
    }
  });
});
