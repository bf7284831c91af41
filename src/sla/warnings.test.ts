import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications, users, type UserRole } from '../db/schema.js';
import type { DomainEvent } from '../events/domain-events.js';
import { createDeliveryHandler } from '../notifications/deliver-notification.js';
import { deliveryQueue, type DeliveryJob } from '../notifications/service.js';
import { createSendLimiter } from '../notifications/send-limiter.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import type { JobHandler } from '../platform/queue.js';
import { createBotApi } from '../telegram/bot-api.js';
import type { TicketDto } from '../tickets/schemas.js';
import { createSlaRun } from './jobs.js';

const minute = 60_000;

/**
 * SLA warnings as time passes: the job moves the state and writes the notices, which reach
 * Telegram (the fake Bot API) through the outbox, once each. Support hours count every minute
 * (no days named), critical tickets have 10 minutes to a first answer (warned at 8).
 */
describe('SLA warnings in Telegram', () => {
  let t: TestApp;
  let fake: FakeBotApi;
  let clock: ManualClock;
  let deliver: JobHandler<DeliveryJob>;
  let run: () => Promise<number>;
  let category: string;
  const events: DomainEvent[] = [];

  beforeAll(async () => {
    fake = await startFakeBotApi();
    clock = manualClock('2026-03-02T10:00:00.000Z');
    t = await createTestApp({
      clock,
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, ROLES: 'api', RATE_LIMIT_MAX: '100000' },
    });
    deliver = createDeliveryHandler({
      db: t.container.database.db,
      notifications: t.container.notifications,
      users: t.container.users,
      tickets: t.container.tickets,
      queue: t.container.queue,
      api: createBotApi({ token: fake.token, apiRoot: fake.url }),
      limiter: createSendLimiter({
        store: createMemoryRateLimitStore(),
        cache: createMemoryCache(),
        perSecond: 25,
      }),
      clock,
      logger: createLogger('silent'),
      miniAppUrl: undefined,
      settings: t.container.settings,
    });
    run = createSlaRun({ tickets: t.container.tickets, logger: createLogger('silent') });
    category = await addCategory(t);
    await t.container.events.subscribe((event) => events.push(event));
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** Someone signed in now, with their Telegram chat. */
  async function person(role: UserRole, languageCode = 'en'): Promise<Person & { chat: number }> {
    const signed = await signInAs(t, role, { language_code: languageCode });
    const [row] = await t.container.database.db
      .select({ telegramId: users.telegramId })
      .from(users)
      .where(eq(users.id, signed.id));
    return { ...signed, chat: row?.telegramId ?? 0 };
  }

  async function save(admin: Person, body: object): Promise<void> {
    expect((await callAs(t, admin, 'PUT', '/settings', body)).statusCode).toBe(200);
  }

  /** Delivers every notification of the ticket written so far, as the delivery worker would. */
  async function deliverAll(ticketId: string): Promise<void> {
    const rows = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.ticketId, ticketId));
    for (const row of rows) {
      await deliver({
        id: 'job',
        name: deliveryQueue,
        data: { notification_id: row.id },
        retryCount: 0,
      });
    }
  }

  const textsTo = (chat: number) =>
    fake
      .sent('sendMessage')
      .filter((call) => call.params.chat_id === chat)
      .map((call) => String(call.params.text));

  async function stateOf(agent: Person, id: string) {
    return (await callAs(t, agent, 'GET', `/tickets/${id}`)).json<TicketDto>().sla?.state;
  }

  let admin: Person & { chat: number };

  beforeAll(async () => {
    admin = await person('admin');
    const none = { first_response: null, resolution: null };
    await save(admin, {
      support_hours: { time_zone: 'UTC', days: [], start: '09:00', end: '18:00' },
      sla: {
        low: none,
        normal: none,
        high: none,
        critical: { first_response: 10, resolution: 100 },
      },
    });
  });

  it('warns the assignee at 80 % and tells assignee and admins at breach, each once', async () => {
    const agent = await person('agent');
    const ru = await person('agent', 'ru');
    const customer = await person('user');
    const ticket = await openTicket(t, customer, category, { priority: 'critical' });
    expect(
      (await callAs(t, admin, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: agent.id }))
        .statusCode,
    ).toBe(200);
    await deliverAll(ticket.id);
    const before = textsTo(agent.chat).length;

    clock.advance(8 * minute - 1);
    await run();
    expect(await stateOf(agent, ticket.id)).toBe('ok');

    clock.advance(1);
    events.length = 0;
    // Two workers at once: one notice between them.
    await Promise.all([run(), run()]);
    await run();
    await deliverAll(ticket.id);
    await deliverAll(ticket.id);
    expect(await stateOf(agent, ticket.id)).toBe('warning');
    const warned = textsTo(agent.chat).slice(before);
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(`Ticket #${ticket.number}: first response due soon`);
    expect(warned[0]).toContain('02.03 10:10 UTC');
    // The admin is not told of a warning on someone's ticket; the other agent neither.
    expect(textsTo(ru.chat).some((text) => text.includes('due soon'))).toBe(false);
    expect(
      events.some(
        (event) =>
          event.type === 'ticket.updated' &&
          event.ticket_id === ticket.id &&
          event.data.sla?.state === 'warning',
      ),
    ).toBe(true);

    clock.advance(2 * minute);
    await Promise.all([run(), run()]);
    await deliverAll(ticket.id);
    await deliverAll(ticket.id);
    expect(await stateOf(agent, ticket.id)).toBe('breached');
    const overdue = (chat: number) =>
      textsTo(chat).filter((text) => text.includes(`#${ticket.number} is overdue: first response`));
    expect(overdue(agent.chat)).toHaveLength(1);
    expect(overdue(admin.chat)).toHaveLength(1);
    expect(textsTo(ru.chat).filter((text) => text.includes(`#${ticket.number}`))).toHaveLength(
      1, // the new-ticket notice only
    );
  });

  it('warns the staff routed for the category when nobody has the ticket, in their language', async () => {
    const routed = await person('agent', 'ru');
    const other = await person('agent');
    const routedCategory = await addCategory(t, { name: 'Printers' });
    const lead = await person('admin');
    await save(lead, {
      routing: { mode: 'per_category', categories: { [routedCategory]: [routed.id] } },
    });
    const customer = await person('user');
    const ticket = await openTicket(t, customer, routedCategory, { priority: 'critical' });
    clock.advance(8 * minute);
    await run();
    await deliverAll(ticket.id);
    expect(
      textsTo(routed.chat).filter((text) => text.includes('скоро срок первого ответа')),
    ).toHaveLength(1);
    expect(textsTo(other.chat).some((text) => text.includes(`#${ticket.number}:`))).toBe(false);
    await save(await person('admin'), { routing: { mode: 'all', categories: {} } });
  });

  it('holds a warning that falls in the assignee’s quiet hours until they end', async () => {
    const agent = await person('agent');
    expect(
      (
        await callAs(t, agent, 'PUT', '/auth/profile', {
          notification_settings: { muted_types: [], quiet_hours: { start: '22:00', end: '08:00' } },
        })
      ).statusCode,
    ).toBe(200);
    // 23:00 UTC: the assignee's quiet hours (read in the support time zone, UTC).
    const now = clock.now();
    clock.advance(Date.parse('2026-03-02T23:00:00.000Z') - now.getTime());
    const customer = await person('user');
    const lead = await person('admin');
    const ticket = await openTicket(t, customer, category, { priority: 'critical' });
    await callAs(t, lead, 'PUT', `/tickets/${ticket.id}/assign`, { assigned_to: agent.id });
    clock.advance(8 * minute);
    await run();
    await deliverAll(ticket.id);
    expect(textsTo(agent.chat).some((text) => text.includes('due soon'))).toBe(false);
    // In the app at once, and sent as the quiet hours end (08:00).
    const [row] = await t.container.database.db
      .select({ title: notifications.title, deliveredAt: notifications.deliveredAt })
      .from(notifications)
      .where(
        and(
          eq(notifications.ticketId, ticket.id),
          eq(notifications.userId, agent.id),
          eq(notifications.type, 'system'),
        ),
      );
    expect(row).toEqual({
      title: `Ticket #${ticket.number}: first response due soon`,
      deliveredAt: null,
    });
    clock.advance(Date.parse('2026-03-03T08:00:00.000Z') - clock.now().getTime());
    await deliverAll(ticket.id);
    expect(textsTo(agent.chat).filter((text) => text.includes('due soon'))).toHaveLength(1);
  });
});
