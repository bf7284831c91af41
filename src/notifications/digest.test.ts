import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, signInAs, type Person } from '../../test/people.js';
import type { Principal } from '../auth/service.js';
import { users } from '../db/schema.js';
import { createLogger } from '../platform/logger.js';
import { createDigestRun, digestQueue } from './digest.js';
import { createReminderRun } from './reminders.js';

const hour = 3_600_000;
const miniAppUrl = 'https://app.example.com/';

describe('the daily digest of overdue tickets', () => {
  let t: TestApp;
  let fake: FakeBotApi;
  let clock: ManualClock;
  let reader: Person;
  let plain: Person;
  let readerChat: number;
  let plainChat: number;
  let numbers: number[];
  let remind: () => Promise<number>;
  let digest: () => Promise<number>;

  const chatOf = async (person: Person) => {
    const [row] = await t.container.database.db
      .select({ telegramId: users.telegramId })
      .from(users)
      .where(eq(users.id, person.id));
    return row?.telegramId ?? 0;
  };
  const to = (chat: number, text: string) => (c: RecordedCall) =>
    c.params.chat_id === chat && String(c.params.text).includes(text);

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // 05:00 UTC, 08:00 in Moscow, on Sunday 22 November.
    clock = manualClock('2026-11-22T05:00:00Z');
    t = await createTestApp({
      clock,
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, MINI_APP_URL: miniAppUrl, RATE_LIMIT_MAX: '10000' },
    });
    const customer = await signInAs(t, 'user');
    reader = await signInAs(t, 'agent', { language_code: 'en' });
    plain = await signInAs(t, 'agent', { language_code: 'en' });
    readerChat = await chatOf(reader);
    plainChat = await chatOf(plain);
    await t.container.users.updateProfile(reader.id, {
      notification_settings: { muted_types: [], digest: true },
    });
    const category = await addCategory(t);
    const asCustomer: Principal = { userId: customer.id, role: 'user', sessionId: '' };
    numbers = [];
    for (const title of ['Printer jammed', 'VPN down', 'Password reset']) {
      const ticket = await t.container.tickets.create(asCustomer, {
        category_id: category,
        title,
        description: 'Please help.',
        priority: 'normal',
      });
      numbers.push(ticket.number);
    }
    const deps = {
      uow: t.container.uow,
      notifications: t.container.notifications,
      users: t.container.users,
      tickets: t.container.tickets,
      clock,
      logger: createLogger('silent'),
      settings: t.container.settings,
    };
    remind = createReminderRun(deps);
    digest = createDigestRun({ ...deps, zone: () => 'Europe/Moscow' });
    // Both agents are told of the new tickets first; what follows is about the reminders.
    await fake.waitFor('sendMessage', to(plainChat, `#${numbers[2]}`));
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('sends one message listing three overdue tickets instead of three reminders; digest off keeps a reminder each', async () => {
    // A day and an hour on: 06:00 UTC, 09:00 in Moscow, the digest hour.
    clock.advance(25 * hour);
    expect(await remind()).toBe(3);
    expect(await digest()).toBe(1);

    const sent = await fake.waitFor('sendMessage', to(readerChat, 'waiting for an answer: 3'));
    const text = String(sent.params.text);
    for (const [i, title] of ['Printer jammed', 'VPN down', 'Password reset'].entries()) {
      expect(text).toContain(`#${numbers[i]} «${title}», opened 25 h ago`);
    }
    expect(sent.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Open the app', web_app: { url: miniAppUrl } }]],
    });
    // The agent without the digest gets today's reminders, one per ticket.
    await expect
      .poll(() => fake.sent('sendMessage').filter(to(plainChat, 'waits for an answer')).length)
      .toBe(3);
    // Another run in the same hour sends no second digest.
    expect(await digest()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(fake.sent('sendMessage').filter(to(readerChat, 'waits for an answer'))).toEqual([]);
    expect(fake.sent('sendMessage').filter(to(readerChat, 'waiting for an answer'))).toHaveLength(
      1,
    );
    expect(fake.sent('sendMessage').filter(to(plainChat, 'waiting for an answer'))).toEqual([]);
    // The reminders are still in the reader's notification centre.
    const listed = await t.container.notifications.list(reader.id, {
      limit: 50,
      unread_only: false,
    });
    expect(listed.items.filter((n) => n.type === 'reminder')).toHaveLength(4);
  });

  it('is scheduled every hour, to find the digest hour of whatever zone is in force', async () => {
    const schedules = await t.container.database.executeSql(
      `select cron from pgboss.schedule where name = '${digestQueue}'`,
    );
    expect(schedules.rows).toEqual([{ cron: '0 * * * *' }]);
  });

  it('writes nothing outside the digest hour, and sends again the next day', async () => {
    // 07:00 UTC, 10:00 in Moscow.
    clock.advance(hour);
    expect(await digest()).toBe(0);
    // 09:00 in Moscow the next day: still overdue, so a new digest.
    clock.advance(23 * hour);
    expect(await digest()).toBe(1);
    await expect
      .poll(
        () => fake.sent('sendMessage').filter(to(readerChat, 'waiting for an answer: 3')).length,
      )
      .toBe(2);
  });
});
