import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { manualClock, type ManualClock } from '../../test/manual-clock.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications } from '../db/schema.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import type { JobHandler, QueuedJob } from '../platform/queue.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import { createBotApi } from '../telegram/bot-api.js';
import { createCopySyncHandler } from './copy-sync.js';
import { copySyncQueue, type CopySyncJob } from './copy-sync-queue.js';
import { createDeliveryHandler } from './deliver-notification.js';
import { createSendLimiter } from './send-limiter.js';
import type { DeliveryJob } from './service.js';

const hour = 3_600_000;

function job<T>(data: T): QueuedJob<T> {
  return { id: 'test', name: 'test', data, retryCount: 0 };
}

describe('Telegram copies follow their message’s edits and deletion', () => {
  let fake: FakeBotApi;
  let t: TestApp;
  let clock: ManualClock;
  let category: string;
  let agent: Person;
  let moderator: Person;
  let deliver: JobHandler<DeliveryJob>;
  let follow: JobHandler<CopySyncJob>;
  let nextTelegramId = 7_800_000;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    clock = manualClock('2026-03-02T10:00:00Z');
    // An API process on a clock the test moves: jobs are written, and run here by hand.
    t = await createTestApp({
      startQueue: true,
      clock,
      env: { TELEGRAM_API_ROOT: fake.url, ROLES: 'api', RATE_LIMIT_MAX: '10000' },
    });
    const deps = {
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
    };
    deliver = createDeliveryHandler({ ...deps, settings: t.container.settings });
    follow = createCopySyncHandler(deps);
    category = await addCategory(t);
    agent = await signInAs(t, 'agent');
    moderator = await signInAs(t, 'moderator');
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** A customer's ticket with a staff answer whose notice reached the customer's chat. */
  async function answered(content: string) {
    nextTelegramId += 1;
    const chat = nextTelegramId;
    const pair = await signIn(t, { id: chat, first_name: 'Cora' });
    const customer: Person = {
      id: pair.user.id,
      role: 'user',
      token: pair.access_token,
      headers: bearer(pair.access_token),
    };
    const ticket = await openTicket(t, customer, category);
    const agentNow = await signInAgain(agent);
    const posted = await callAs(t, agentNow, 'POST', `/tickets/${ticket.id}/messages`, {
      content,
    });
    const messageId = posted.json<{ id: string }>().id;
    const [row] = await t.container.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, customer.id), eq(notifications.messageId, messageId)));
    if (!row) throw new Error('the customer was not told');
    await deliver(job({ notification_id: row.id }));
    const copy = fake.sent('sendMessage').find((c) => Number(c.params.chat_id) === chat);
    const copyId = (copy?.result as { message_id: number }).message_id;
    return { chat, messageId, notificationId: row.id, copyId };
  }

  /** A fresh token: the clock moves by days, past any access token's life. */
  async function signInAgain(person: Person): Promise<Person> {
    const [user] = await t.container.users.deliveryProfiles(t.container.database.db, [person.id]);
    const pair = await signIn(t, { id: user?.telegramId ?? 0, first_name: 'Test' });
    return { ...person, token: pair.access_token, headers: bearer(pair.access_token) };
  }

  /** The copy-sync jobs queued for this notice (the edit or deletion's own transaction wrote them). */
  async function queued(notificationId: string): Promise<CopySyncJob[]> {
    const result = await t.container.database.executeSql(
      `select data from pgboss.job where name = $1 and data->>'notification_id' = $2`,
      [copySyncQueue, notificationId],
    );
    return result.rows.map((row) => {
      const { notification_id, action } = (row as { data: CopySyncJob }).data;
      return { notification_id, action };
    });
  }

  const editsOf = (chat: number, messageId: number) =>
    fake
      .sent('editMessageText')
      .filter((c: RecordedCall) => Number(c.params.chat_id) === chat)
      .filter((c) => Number(c.params.message_id) === messageId);

  it('edits the customer’s copy of a staff answer edited within 48 hours', async () => {
    const sent = await answered('Your refund is 10 EUR');
    clock.advance(47 * hour);
    const edit = await callAs(t, await signInAgain(agent), 'PUT', `/messages/${sent.messageId}`, {
      content: 'Your refund is 12 EUR',
    });
    expect(edit.statusCode).toBe(200);
    expect(await queued(sent.notificationId)).toEqual([
      { notification_id: sent.notificationId, action: 'edit' },
    ]);
    await follow(job({ notification_id: sent.notificationId, action: 'edit' }));
    const edits = editsOf(sent.chat, sent.copyId);
    expect(edits).toHaveLength(1);
    expect(edits[0]?.params.text).toContain('Your refund is 12 EUR');
    // The app's notice says the new words too.
    const [row] = await t.container.notifications.byIds([sent.notificationId]);
    expect(row?.content).toBe('Your refund is 12 EUR');
  });

  it('leaves a copy older than 48 hours as it is, and the edit stands', async () => {
    const sent = await answered('Old words');
    clock.advance(48 * hour + 60_000);
    const edit = await callAs(t, await signInAgain(agent), 'PUT', `/messages/${sent.messageId}`, {
      content: 'New words',
    });
    expect(edit.statusCode).toBe(200);
    await follow(job({ notification_id: sent.notificationId, action: 'edit' }));
    expect(editsOf(sent.chat, sent.copyId)).toHaveLength(0);
  });

  it('takes Telegram’s refusals (copy deleted by the user, not modified) without failing', async () => {
    const sent = await answered('Words to keep');
    fake.deleteByUser(sent.chat, sent.copyId);
    await callAs(t, await signInAgain(agent), 'PUT', `/messages/${sent.messageId}`, {
      content: 'Words changed',
    });
    await expect(
      follow(job({ notification_id: sent.notificationId, action: 'edit' })),
    ).resolves.toBeUndefined();
    expect(editsOf(sent.chat, sent.copyId)).toHaveLength(0);

    const other = await answered('Same words');
    await callAs(t, await signInAgain(agent), 'PUT', `/messages/${other.messageId}`, {
      content: 'Same words, edited',
    });
    await follow(job({ notification_id: other.notificationId, action: 'edit' }));
    // Run twice (a retried job): Telegram says "not modified", which is fine.
    await expect(
      follow(job({ notification_id: other.notificationId, action: 'edit' })),
    ).resolves.toBeUndefined();
    expect(editsOf(other.chat, other.copyId)).toHaveLength(1);
  });

  it('waits out a 429 (queued again) and lets an outage fail the job for its retry', async () => {
    const sent = await answered('Flood words');
    await callAs(t, await signInAgain(agent), 'PUT', `/messages/${sent.messageId}`, {
      content: 'Flood words, edited',
    });
    fake.failNext('editMessageText', { status: 429, retryAfter: 1 });
    await follow(job({ notification_id: sent.notificationId, action: 'edit' }));
    expect(await queued(sent.notificationId)).toHaveLength(2);
    fake.failNext('editMessageText', { status: 502 });
    await expect(
      follow(job({ notification_id: sent.notificationId, action: 'edit' })),
    ).rejects.toThrow();
    await follow(job({ notification_id: sent.notificationId, action: 'edit' }));
    expect(editsOf(sent.chat, sent.copyId)).toHaveLength(1);
  });

  it('sends the new words when the edit comes before the notice went out', async () => {
    nextTelegramId += 1;
    const chat = nextTelegramId;
    const pair = await signIn(t, { id: chat, first_name: 'Dana', language_code: 'en' });
    const customer: Person = {
      id: pair.user.id,
      role: 'user',
      token: pair.access_token,
      headers: bearer(pair.access_token),
    };
    const ticket = await openTicket(t, customer, category);
    const agentNow = await signInAgain(agent);
    const posted = await callAs(t, agentNow, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Typo in here',
    });
    const messageId = posted.json<{ id: string }>().id;
    await callAs(t, agentNow, 'PUT', `/messages/${messageId}`, { content: 'No typo here' });
    const [row] = await t.container.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, customer.id), eq(notifications.messageId, messageId)));
    await follow(job({ notification_id: row?.id ?? '', action: 'edit' }));
    await deliver(job({ notification_id: row?.id ?? '' }));
    const copies = fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) === chat);
    expect(copies.map((c) => c.params.text)).toEqual([
      `<b>New message in ticket #${ticket.number}</b>\nNo typo here`,
    ]);
    expect(fake.sent('editMessageText').filter((c) => Number(c.params.chat_id) === chat)).toEqual(
      [],
    );
  });

  it('deletes the customer’s copy of a deleted message within 48 hours, not after', async () => {
    const deletes = (chat: number) =>
      fake.sent('deleteMessage').filter((c) => Number(c.params.chat_id) === chat);
    const recent = await answered('Delete me soon');
    const removed = await callAs(
      t,
      await signInAgain(moderator),
      'DELETE',
      `/messages/${recent.messageId}`,
    );
    expect(removed.statusCode).toBe(204);
    expect(await queued(recent.notificationId)).toEqual([
      { notification_id: recent.notificationId, action: 'delete' },
    ]);
    await follow(job({ notification_id: recent.notificationId, action: 'delete' }));
    expect(deletes(recent.chat).map((c) => Number(c.params.message_id))).toEqual([recent.copyId]);

    const old = await answered('Delete me late');
    clock.advance(49 * hour);
    await callAs(t, await signInAgain(moderator), 'DELETE', `/messages/${old.messageId}`);
    await follow(job({ notification_id: old.notificationId, action: 'delete' }));
    expect(deletes(old.chat)).toHaveLength(0);
  });

  it('sends nothing of a message deleted before its notice went out', async () => {
    nextTelegramId += 1;
    const chat = nextTelegramId;
    const pair = await signIn(t, { id: chat, first_name: 'Eve' });
    const customer: Person = {
      id: pair.user.id,
      role: 'user',
      token: pair.access_token,
      headers: bearer(pair.access_token),
    };
    const ticket = await openTicket(t, customer, category);
    const posted = await callAs(
      t,
      await signInAgain(agent),
      'POST',
      `/tickets/${ticket.id}/messages`,
      {
        content: 'Posted by mistake',
      },
    );
    const messageId = posted.json<{ id: string }>().id;
    const [row] = await t.container.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, customer.id), eq(notifications.messageId, messageId)));
    await callAs(t, await signInAgain(moderator), 'DELETE', `/messages/${messageId}`);
    await deliver(job({ notification_id: row?.id ?? '' }));
    expect(fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) === chat)).toEqual([]);
  });
});
