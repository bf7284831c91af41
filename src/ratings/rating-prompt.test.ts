import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, signInAs, type Person } from '../../test/people.js';
import type { Principal } from '../auth/principal.js';
import { notifications, users } from '../db/schema.js';
import { createDeliveryHandler } from '../notifications/deliver-notification.js';
import { createSendLimiter } from '../notifications/send-limiter.js';
import { deliveryQueue, type DeliveryJob } from '../notifications/service.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import type { JobHandler } from '../platform/queue.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import { createBotApi } from '../telegram/bot-api.js';

const hour = 3_600_000;

describe('the rating question under a resolved ticket’s notice, and quiet hours', () => {
  let t: TestApp;
  let fake: FakeBotApi;
  let clock: ManualClock;
  let deliver: JobHandler<DeliveryJob>;
  let category: string;
  let customer: Principal;
  let agent: Principal;
  let customerChat: number;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // 21:00 UTC. No delivery worker: the handler is called by hand on the clock the test moves.
    clock = manualClock('2026-06-01T21:00:00Z');
    t = await createTestApp({
      clock,
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, ROLES: 'api', RATE_LIMIT_MAX: '10000' },
    });
    deliver = createDeliveryHandler({
      db: t.container.database.db,
      notifications: t.container.notifications,
      users: t.container.users,
      tickets: t.container.tickets,
      ratings: t.container.ratings,
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
      quietHoursZone: () => 'UTC',
    });
    category = await addCategory(t);
    const person: Person = await signInAs(t, 'user', { language_code: 'en' });
    const set = await callAs(t, person, 'PUT', '/auth/profile', {
      notification_settings: { muted_types: [], quiet_hours: { start: '22:00', end: '08:00' } },
    });
    expect(set.statusCode).toBe(200);
    customer = { userId: person.id, role: 'user', sessionId: '' };
    const staff = await signInAs(t, 'agent');
    agent = { userId: staff.id, role: 'agent', sessionId: '' };
    const [row] = await t.container.database.db
      .select({ telegramId: users.telegramId })
      .from(users)
      .where(eq(users.id, person.id));
    customerChat = row?.telegramId ?? 0;
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const job = (id: string) => ({
    id: 'job',
    name: deliveryQueue,
    data: { notification_id: id },
    retryCount: 0,
  });

  /** A ticket of the customer, resolved by the agent now; its resolution notice's id. */
  async function resolvedNotice(title: string) {
    const { tickets } = t.container;
    const ticket = await tickets.create(customer, {
      category_id: category,
      title,
      description: 'Details.',
      priority: 'normal',
    });
    await tickets.changeStatus(agent, ticket.id, 'resolved');
    const [row] = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(eq(notifications.ticketId, ticket.id), eq(notifications.userId, customer.userId)))
      .orderBy(asc(notifications.createdAt));
    if (!row) throw new Error('no resolution notice');
    return { ticket, noticeId: row.id };
  }

  const toCustomer = () =>
    fake.sent('sendMessage').filter((call) => call.params.chat_id === customerChat);

  /** The callback data of the buttons of a sent message. */
  const buttonData = (params: Record<string, unknown>) =>
    (
      (params.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)
        ?.inline_keyboard ?? []
    )
      .flat()
      .flatMap((button) => (button.callback_data ? [button.callback_data] : []));

  it('holds the question with its notice through quiet hours, then asks it', async () => {
    clock.advance(2 * hour); // 23:00 UTC: quiet
    const { ticket, noticeId } = await resolvedNotice('Mail does not sync');
    await deliver(job(noticeId));
    expect(toCustomer()).toHaveLength(0);

    clock.advance(9 * hour); // 08:00 UTC: quiet hours are over
    await deliver(job(noticeId));
    const [sent] = toCustomer();
    expect(String(sent?.params.text)).toContain('How did we do? Rate our help:');
    expect(buttonData(sent?.params ?? {})).toEqual(
      [1, 2, 3, 4, 5].map((score) => `rate:${ticket.id}:${score}`),
    );
  });

  it('asks nothing when the ticket was reopened while its notice was held', async () => {
    clock.advance(15 * hour); // 23:00 UTC the next day: quiet
    const before = toCustomer().length;
    const { ticket, noticeId } = await resolvedNotice('Calendar is empty');
    await deliver(job(noticeId));
    await t.container.messages.create(customer, ticket.id, {
      content: 'Still empty',
      is_internal: false,
    });

    clock.advance(9 * hour);
    await deliver(job(noticeId));
    const sent = toCustomer().slice(before);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]?.params.text)).not.toContain('How did we do?');
    expect(buttonData(sent[0]?.params ?? {})).toEqual([]);
  });
});
