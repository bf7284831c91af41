import { and, eq } from 'drizzle-orm';
import { Api } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications, users } from '../db/schema.js';
import { claimLeaseMs, renderNotification } from './deliver-notification.js';
import { createSendLimiter } from './send-limiter.js';
import { deliveryQueue } from './service.js';
import { manualClock } from '../../test/manual-clock.js';

/** The follow-up window these tests run with (the default). */
const windowMs = 5 * 60_000;

describe('a customer’s follow-ups on a ticket nobody has taken', () => {
  const clock = manualClock('2031-03-10T09:00:00.000Z');
  let fake: FakeBotApi;
  let t: TestApp;
  let customer: Person;
  let agent: Person;
  let moderator: Person;
  let muted: Person;
  let blocked: Person;
  let category: string;
  const chats = new Map<string, number>();

  /** The Telegram chat of a person. */
  const chatOf = (person: Person) => chats.get(person.id) ?? -1;

  /** Telegram calls to this person's chat about this ticket. */
  const about = (person: Person, ticketNumber: number) => (c: RecordedCall) =>
    Number(c.params.chat_id) === chatOf(person) &&
    String(c.params.text).includes(`#${ticketNumber}`);

  /** A successful call of `method` to the person about the ticket, whose text has `words`. */
  const saying = (person: Person, ticketNumber: number, words: string) => (c: RecordedCall) =>
    about(person, ticketNumber)(c) && String(c.params.text).includes(words);

  const messageIdOf = (call: RecordedCall) => (call.result as { message_id: number }).message_id;

  /** Staff whom Telegram tells of new tickets (not the one who blocked the bot). */
  const reachable: Person[] = [];

  /** Opens a ticket as the customer and waits until staff have been told of it. */
  async function freshTicket(title = 'The site is slow') {
    const ticket = await openTicket(t, customer, category, { title });
    for (const person of reachable) {
      await fake.waitFor('sendMessage', saying(person, ticket.number, 'New ticket'));
    }
    return ticket;
  }

  async function post(person: Person, ticketId: string, content: string, isInternal = false) {
    const response = await callAs(t, person, 'POST', `/tickets/${ticketId}/messages`, {
      content,
      ...(isInternal ? { is_internal: true } : {}),
    });
    expect(response.statusCode).toBe(201);
  }

  /** The person's in-app notifications about the ticket of this type. */
  async function rowsOf(person: Person, ticketId: string) {
    return t.container.database.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, person.id),
          eq(notifications.ticketId, ticketId),
          eq(notifications.type, 'new_message'),
        ),
      );
  }

  /**
   * Posts a follow-up while Telegram's flood limit (a 429 seen by any worker) holds every sender
   * back for a few seconds: its notices are queued, not yet taken by a worker.
   */
  async function heldBack(ticket: { id: string }, content: string) {
    const limiter = createSendLimiter({
      store: t.container.rateLimitStore,
      cache: t.container.cache,
      perSecond: 25,
    });
    await limiter.pause(4);
    await post(customer, ticket.id, content);
  }

  /** How many delivery jobs were ever queued for the notification. */
  async function jobsOf(notificationId: string | undefined): Promise<number> {
    const jobs = await t.container.database.executeSql(
      `select id from pgboss.job where name = '${deliveryQueue}' and data->>'notification_id' = '${notificationId ?? ''}'`,
    );
    return jobs.rows.length;
  }

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    fake = await startFakeBotApi();
    t = await createTestApp({
      startQueue: true,
      clock,
      env: {
        TELEGRAM_API_ROOT: fake.url,
        MINI_APP_URL: 'https://app.example.com/',
        RATE_LIMIT_MAX: '10000',
        NOTIFY_FOLLOW_UP_WINDOW_S: String(windowMs / 1000),
      },
    });
    // Everyone here reads English, the language the expected notices below are in.
    customer = await signInAs(t, 'user', { first_name: 'Cora', language_code: 'en' });
    agent = await signInAs(t, 'agent', { first_name: 'Artem', language_code: 'en' });
    moderator = await signInAs(t, 'moderator', { first_name: 'Mira', language_code: 'en' });
    muted = await signInAs(t, 'agent', { first_name: 'Quinn', language_code: 'en' });
    blocked = await signInAs(t, 'agent', { first_name: 'Bea', language_code: 'en' });
    await t.container.users.updateProfile(muted.id, {
      notification_settings: { muted_types: ['new_message'] },
    });
    await t.container.users.markBotBlocked(blocked.id, clock.now());
    for (const person of [customer, agent, moderator, muted, blocked]) {
      const [row] = await t.container.database.db
        .select({ telegramId: users.telegramId })
        .from(users)
        .where(eq(users.id, person.id));
      chats.set(person.id, row?.telegramId ?? -1);
    }
    reachable.push(agent, moderator, muted);
    category = await addCategory(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('reach the staff who hear of new tickets, but not those who muted it or blocked the bot', async () => {
    const ticket = await freshTicket('Checkout broken');
    await post(customer, ticket.id, 'It is urgent, the site is down');
    for (const person of [agent, moderator]) {
      const call = await fake.waitFor(
        'sendMessage',
        saying(person, ticket.number, 'the site is down'),
      );
      expect(call.params.text).toBe(
        `<b>New message in ticket #${ticket.number}</b>\nCheckout broken\n\nIt is urgent, the site is down`,
      );
      expect(call.params.reply_markup).toMatchObject({
        inline_keyboard: [[{ text: 'Open ticket' }]],
      });
    }
    await pause(500);
    // Muted: kept in the app, not sent. Blocked the bot: not tried. The author: never.
    expect(fake.calls.filter(saying(muted, ticket.number, 'site is down'))).toEqual([]);
    expect(await rowsOf(muted, ticket.id)).toHaveLength(1);
    expect(fake.calls.filter(about(blocked, ticket.number))).toEqual([]);
    expect(fake.calls.filter(about(customer, ticket.number))).toEqual([]);
  });

  it('come as one Telegram message per window, edited in place to count them, then a new one', async () => {
    const ticket = await freshTicket();
    await post(customer, ticket.id, 'Hello? Anyone?');
    const first = await fake.waitFor('sendMessage', saying(agent, ticket.number, 'Anyone?'));
    await fake.waitFor('sendMessage', saying(moderator, ticket.number, 'Anyone?'));
    const messageId = messageIdOf(first);

    clock.advance(60_000);
    await post(customer, ticket.id, 'Orders are failing too');
    const second = await fake.waitFor(
      'editMessageText',
      saying(agent, ticket.number, '2 new messages'),
    );
    expect(second.params.message_id).toBe(messageId);
    clock.advance(60_000);
    await post(customer, ticket.id, 'Please call me: +1 555 0100');
    const third = await fake.waitFor(
      'editMessageText',
      saying(agent, ticket.number, '3 new messages'),
    );
    expect(third.params).toMatchObject({ message_id: messageId, parse_mode: 'HTML' });
    expect(third.params.text).toBe(
      `<b>3 new messages in ticket #${ticket.number}</b>\nThe site is slow\n\nPlease call me: +1 555 0100`,
    );
    // The button stays on the edited message.
    expect(third.params.reply_markup).toEqual(first.params.reply_markup);
    await fake.waitFor('editMessageText', saying(moderator, ticket.number, '3 new messages'));
    // Beside the new-ticket notice, one message in each chat; in the app, one notice.
    const sends = fake.sent('sendMessage').filter(about(agent, ticket.number));
    expect(sends).toHaveLength(2);
    const rows = await rowsOf(agent, ticket.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      title: `3 new messages in ticket #${ticket.number}`,
      isRead: false,
    });

    // The window is over: the next follow-up is a message of its own.
    clock.advance(windowMs);
    await post(customer, ticket.id, 'Still down.');
    const fresh = await fake.waitFor('sendMessage', saying(agent, ticket.number, 'Still down.'));
    expect(String(fresh.params.text)).toContain(`<b>New message in ticket #${ticket.number}</b>`);
    expect(messageIdOf(fresh)).not.toBe(messageId);
    expect(await rowsOf(agent, ticket.id)).toHaveLength(2);
  });

  it('update a notification still waiting to be sent instead of queuing another', async () => {
    const ticket = await freshTicket('Queued while paused');
    await heldBack(ticket, 'First');
    const [pending] = await rowsOf(agent, ticket.id);
    expect(pending).toMatchObject({ claimedAt: null, deliveredAt: null });
    // Two more follow-ups come while it waits.
    clock.advance(10_000);
    await post(customer, ticket.id, 'Second');
    clock.advance(10_000);
    await post(customer, ticket.id, 'Third');
    const sent = await fake.waitFor(
      'sendMessage',
      saying(agent, ticket.number, '3 new messages'),
      15_000,
    );
    expect(String(sent.params.text)).toContain('Third');
    await fake.waitFor('sendMessage', saying(moderator, ticket.number, '3 new messages'));
    await pause(500);
    expect(fake.sent('sendMessage').filter(about(agent, ticket.number))).toHaveLength(2);
    expect(
      fake.calls.filter((c) => c.method === 'editMessageText' && about(agent, ticket.number)(c)),
    ).toEqual([]);
    // One delivery job: none for the later follow-ups.
    expect(await jobsOf(pending?.id)).toBe(1);
  });

  it('edit what a worker was sending when the next follow-up came', async () => {
    const ticket = await freshTicket('Sent meanwhile');
    await heldBack(ticket, 'First');
    const [row] = await rowsOf(agent, ticket.id);
    if (!row) throw new Error('no notice');
    // A worker holds the notice and is sending it …
    expect((await t.container.notifications.claim(row.id, claimLeaseMs)).state).toBe('claimed');
    clock.advance(10_000);
    await post(customer, ticket.id, 'Second');
    // … so the follow-up queues an edit for when it is done,
    expect(await jobsOf(row.id)).toBe(2);
    const sent = await new Api(fake.token, { apiRoot: fake.url }).sendMessage(
      chatOf(agent),
      renderNotification(row),
      { parse_mode: 'HTML' },
    );
    await t.container.notifications.markDelivered(row.id, {
      messageId: sent.message_id,
      shownCount: 1,
    });
    t.container.queue.wake(deliveryQueue);
    // … which brings the message it sent up to date.
    const edit = await fake.waitFor(
      'editMessageText',
      saying(agent, ticket.number, '2 new messages'),
      15_000,
    );
    expect(edit.params.message_id).toBe(sent.message_id);
    expect(String(edit.params.text)).toContain('Second');
    await pause(500);
    expect(fake.sent('sendMessage').filter(about(agent, ticket.number))).toHaveLength(2);
  });

  it('send a fresh message when the old one is gone, and take “not modified” as shown', async () => {
    const ticket = await freshTicket('Deleted notice');
    await post(customer, ticket.id, 'One');
    const first = await fake.waitFor('sendMessage', saying(agent, ticket.number, 'One'));
    // The agent deleted the notice in their chat: it cannot be edited any more.
    fake.deleteByUser(chatOf(agent), messageIdOf(first));
    // The moderator's notice already shows what the edit would say (as after an edit whose
    // job was retried): Telegram answers "message is not modified".
    const modNotice = await fake.waitFor('sendMessage', saying(moderator, ticket.number, 'One'));
    await new Api(fake.token, { apiRoot: fake.url }).editMessageText(
      chatOf(moderator),
      messageIdOf(modNotice),
      `<b>2 new messages in ticket #${ticket.number}</b>\nDeleted notice\n\nTwo`,
      { parse_mode: 'HTML', reply_markup: modNotice.params.reply_markup as InlineKeyboardMarkup },
    );
    clock.advance(30_000);
    await post(customer, ticket.id, 'Two');
    const replacement = await fake.waitFor(
      'sendMessage',
      saying(agent, ticket.number, '2 new messages'),
    );
    expect(messageIdOf(replacement)).not.toBe(messageIdOf(first));
    const modEdits = (c: RecordedCall) =>
      c.method === 'editMessageText' && about(moderator, ticket.number)(c);
    await expect.poll(() => fake.calls.filter(modEdits).length, { timeout: 10_000 }).toBe(2);
    await pause(500);
    expect((await rowsOf(moderator, ticket.id))[0]?.claimedAt).toBeNull();
    expect(fake.sent('sendMessage').filter(about(moderator, ticket.number))).toHaveLength(2);
    expect((await rowsOf(moderator, ticket.id))[0]?.givenUpAt).toBeNull();

    // The next follow-up edits the replacement.
    clock.advance(30_000);
    await post(customer, ticket.id, 'Three');
    const edit = await fake.waitFor('editMessageText', saying(agent, ticket.number, '3 new'));
    expect(edit.params.message_id).toBe(messageIdOf(replacement));
  });

  it('stop reaching someone who blocked the bot since, without retrying', async () => {
    const ticket = await freshTicket('Blocked later');
    const leaver = await signInAs(t, 'agent', { first_name: 'Lev', language_code: 'en' });
    const [row] = await t.container.database.db
      .select({ telegramId: users.telegramId })
      .from(users)
      .where(eq(users.id, leaver.id));
    chats.set(leaver.id, row?.telegramId ?? -1);
    reachable.push(leaver);
    await post(customer, ticket.id, 'Ping');
    await fake.waitFor('sendMessage', saying(leaver, ticket.number, 'Ping'));
    await fake.waitFor('sendMessage', saying(agent, ticket.number, 'Ping'));
    fake.blockChat(chatOf(leaver));
    reachable.pop();
    clock.advance(30_000);
    await post(customer, ticket.id, 'Ping again');
    await fake.waitFor('editMessageText', saying(agent, ticket.number, '2 new'));
    await expect
      .poll(async () => {
        const [profile] = await t.container.users.deliveryProfiles(t.container.database.db, [
          leaver.id,
        ]);
        return profile?.botBlockedAt ?? null;
      })
      .not.toBeNull();
    const tries = fake.calls.filter(about(leaver, ticket.number)).length;
    clock.advance(30_000);
    await post(customer, ticket.id, 'Ping thrice');
    await fake.waitFor('editMessageText', saying(agent, ticket.number, '3 new'));
    await pause(500);
    expect(fake.calls.filter(about(leaver, ticket.number))).toHaveLength(tries);
  });

  it('are not staff’s own notes or answers, and after assignment reach only the assignee', async () => {
    const ticket = await freshTicket('Taken later');
    await post(customer, ticket.id, 'Is anyone there?');
    await fake.waitFor('sendMessage', saying(moderator, ticket.number, 'anyone there'));
    await fake.waitFor('sendMessage', saying(agent, ticket.number, 'anyone there'));
    // An internal note and a public answer by staff: not the customer's follow-ups.
    clock.advance(10_000);
    await post(agent, ticket.id, 'Looks like the payment gateway', true);
    await post(agent, ticket.id, 'We are looking into it');
    await fake.waitFor('sendMessage', saying(customer, ticket.number, 'looking into it'));

    const taken = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/assign`, {
      assigned_to: agent.id,
    });
    expect(taken.statusCode).toBe(200);
    clock.advance(10_000);
    await post(customer, ticket.id, 'Thank you!');
    const told = await fake.waitFor('sendMessage', saying(agent, ticket.number, 'Thank you!'));
    expect(String(told.params.text)).toContain(`<b>New message in ticket #${ticket.number}</b>`);
    await pause(500);
    // The moderator heard of the ticket and its one follow-up, and of nothing since; the agent
    // who muted messages of the ticket only.
    expect(fake.calls.filter(about(moderator, ticket.number))).toHaveLength(2);
    expect(fake.calls.filter(about(muted, ticket.number))).toHaveLength(1);
    expect((await rowsOf(moderator, ticket.id))[0]?.title).toBe(
      `New message in ticket #${ticket.number}`,
    );
  });
});
