import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications, users } from '../db/schema.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import type { JobHandler } from '../platform/queue.js';
import { createBotApi } from '../telegram/bot-api.js';
import { createDeliveryHandler } from './deliver-notification.js';
import { deliveryQueue, type DeliveryJob } from './service.js';
import { createSendLimiter } from './send-limiter.js';

describe('quiet hours of a Telegram notification', () => {
  let t: TestApp;
  let fake: FakeBotApi;
  let clock: ManualClock;
  let agent: Person;
  let agentChat: number;
  let deliver: JobHandler<DeliveryJob>;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // An API process: the queue runs (jobs are written) but no delivery worker takes them; the
    // handler is called by hand on a clock the test moves; the settings put support in Moscow time.
    t = await createTestApp({
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, ROLES: 'api', RATE_LIMIT_MAX: '10000' },
    });
    clock = manualClock('2026-06-01T12:00:00Z');
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
    agent = await signInAs(t, 'agent', { language_code: 'en' });
    // Quiet hours are read in the support hours' time zone, as an admin saved it.
    const admin = await signInAs(t, 'admin');
    const zone = await callAs(t, admin, 'PUT', '/settings', {
      support_hours: {
        time_zone: 'Europe/Moscow',
        days: [1, 2, 3, 4, 5],
        start: '09:00',
        end: '18:00',
      },
    });
    expect(zone.statusCode).toBe(200);
    const [row] = await t.container.database.db
      .select({ telegramId: users.telegramId })
      .from(users)
      .where(eq(users.id, agent.id));
    agentChat = row?.telegramId ?? 0;
    const set = await callAs(t, agent, 'PUT', '/auth/profile', {
      notification_settings: { muted_types: [], quiet_hours: { start: '22:00', end: '08:00' } },
    });
    expect(set.statusCode).toBe(200);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** Tells the agent something titled `title`, now; the notification's id. */
  async function notice(title: string): Promise<string> {
    await t.container.uow.run((work) =>
      t.container.notifications.notifyStaff(work, { type: 'system', title, content: 'x' }),
    );
    const [row] = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      // The agent's: the admin who saved the time zone is told too.
      .where(and(eq(notifications.title, title), eq(notifications.userId, agent.id)));
    if (!row) throw new Error('no notification written');
    return row.id;
  }

  const job = (id: string) => ({
    id: 'job',
    name: deliveryQueue,
    data: { notification_id: id },
    retryCount: 0,
  });

  /** The start times of the delivery jobs of this notification, in order. */
  async function startsOf(id: string): Promise<string[]> {
    const result = await t.container.database.executeSql(
      `select start_after from pgboss.job where name = '${deliveryQueue}' and data->>'notification_id' = '${id}' order by start_after`,
    );
    return result.rows.map((row) => new Date(String(row.start_after)).toISOString());
  }

  const toAgent = () => fake.sent('sendMessage').filter((c) => c.params.chat_id === agentChat);

  it('holds a message written during quiet hours, lists it in the app at once, and sends it as they end', async () => {
    // 20:30 UTC is 23:30 in Moscow: quiet until 08:00 Moscow, 05:00 UTC.
    clock.advance(8.5 * 3_600_000);
    const id = await notice('Held overnight');
    const unread = await callAs(t, agent, 'GET', '/notifications/unread-count');
    expect(unread.json<{ unread_count: number }>().unread_count).toBe(1);
    await deliver(job(id));
    expect(toAgent()).toHaveLength(0);
    const [held] = await t.container.notifications.byIds([id]);
    expect(held).toMatchObject({ deliveredAt: null, givenUpAt: null, claimedAt: null });
    // Queued again to start as quiet hours end (besides the job written with the row).
    expect(await startsOf(id)).toContain('2026-06-02T05:00:00.000Z');

    // Still quiet at 07:59 Moscow: held again.
    clock.advance(8.5 * 3_600_000 - 60_000);
    await deliver(job(id));
    expect(toAgent()).toHaveLength(0);

    // 08:00 Moscow: the job that starts then delivers it.
    clock.advance(60_000);
    await deliver(job(id));
    expect(toAgent().map((c) => c.params.text)).toEqual(['<b>Held overnight</b>\nx']);
    expect((await t.container.notifications.byIds([id]))[0]?.deliveredAt).not.toBeNull();
  });

  it('sends at once outside quiet hours', async () => {
    // 09:00 UTC is 12:00 in Moscow.
    clock.advance(4 * 3_600_000);
    const before = toAgent().length;
    const id = await notice('Midday news');
    await deliver(job(id));
    expect(toAgent()).toHaveLength(before + 1);
  });

  it('does not hold the edit of a message already sent (an edit makes no sound)', async () => {
    // Still 12:00 in Moscow. A customer's follow-ups on a ticket nobody has are counted into one
    // notice, sent once and then edited to the latest count.
    const customer = await signInAs(t, 'user');
    const ticket = await openTicket(t, customer, await addCategory(t));
    const write = (content: string) =>
      callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, { content });
    await write('Any news?');
    const [row] = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(
        and(
          eq(notifications.ticketId, ticket.id),
          eq(notifications.type, 'new_message'),
          eq(notifications.userId, agent.id),
        ),
      );
    const id = row?.id ?? '';
    await deliver(job(id));
    const sent = toAgent().at(-1);
    expect(String(sent?.params.text)).toContain(`New message in ticket #${ticket.number}`);

    // 23:30 in Moscow: quiet hours; another follow-up is counted into the notice.
    clock.advance(11.5 * 3_600_000);
    await write('Hello?');
    await deliver(job(id));
    const edit = fake.sent('editMessageText').filter((c) => c.params.chat_id === agentChat);
    expect(edit).toHaveLength(1);
    expect(String(edit[0]?.params.text)).toContain(`2 new messages in ticket #${ticket.number}`);
  });
});
