import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import { startBotHarness, type BotHarness, type TelegramPerson } from '../../test/bot.js';
import { signInAs } from '../../test/people.js';
import { deliveryQueue } from '../notifications/service.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

let nextId = 7_800_000;
function person(first_name: string): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name, language_code: 'en' };
}

describe('the log lines of a Telegram update', () => {
  let harness: BotHarness;
  let category: string;
  const lines: Record<string, unknown>[] = [];
  const saying = (msg: string) => lines.filter((line) => line.msg === msg);

  beforeAll(async () => {
    harness = await startBotHarness({
      env: { LOG_LEVEL: 'info' },
      logStream: {
        write(raw: string) {
          lines.push(JSON.parse(raw) as Record<string, unknown>);
        },
      },
    });
    const admin = await signInAs(harness.testApp, 'admin');
    category = (
      await harness.testApp.container.categories.create(
        { userId: admin.id, role: admin.role, sessionId: 'test' },
        {
          name: 'Billing',
          description: '',
          icon: '💳',
          color: '#336699',
          sort_order: 0,
          is_active: true,
        },
      )
    ).id;
  });
  afterAll(() => harness.close());

  /** The id Telegram gave the update carrying the message `messageId` from `who`. */
  function updateIdOf(who: TelegramPerson, messageId: number): number | undefined {
    return harness.fake.calls
      .filter((call) => call.method === 'getUpdates')
      .flatMap((call) => (call.result ?? []) as Update[])
      .find((u) => u.message?.message_id === messageId && u.message.chat.id === who.id)?.update_id;
  }

  it('carry its update_id and request_id tg-<update_id>, the failure’s line too', async () => {
    const who = person('Fay');
    harness.fake.failNext('sendMessage', { status: 400, description: 'Bad Request: odd' });
    const messageId = harness.chat(who).send('/help');

    await vi.waitFor(() => expect(saying('bot handler failed')).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    const updateId = updateIdOf(who, messageId);
    expect(updateId).toBeDefined();
    expect(saying('bot handler failed')[0]).toMatchObject({
      level: 50,
      update: updateId,
      update_id: updateId,
      request_id: `tg-${String(updateId)}`,
    });
  });

  it('hands its request_id to the jobs it queues', async () => {
    const customer = person('Cora');
    const agent = person('Artem');
    const signedIn = await signIn(harness.testApp, agent);
    await harness.testApp.container.users.setRole(signedIn.user.id, 'agent');
    const opened = await harness.testApp.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer((await signIn(harness.testApp, customer)).access_token),
      payload: { category_id: category, title: 'Card declined', description: 'Twice.' },
    });
    expect(opened.statusCode).toBe(201);
    const agentChat = harness.chat(agent);
    const notice = await agentChat.next();
    await vi.waitFor(async () => {
      const ticketMessages = createTicketMessages(harness.testApp.container.database.db);
      expect(await ticketMessages.subjectOf(agent.id, notice.message_id ?? 0)).toBeDefined();
    });
    // The customer's delivery is refused, so the worker logs a line for it.
    harness.fake.blockChat(customer.id);

    const replyId = agentChat.reply(notice.message_id ?? 0, 'We are on it.');
    await vi.waitFor(
      () =>
        expect(saying('the user blocked the bot: no more Telegram messages to them')).toHaveLength(
          1,
        ),
      { timeout: 10_000, interval: 50 },
    );
    const updateId = updateIdOf(agent, replyId);
    expect(updateId).toBeDefined();
    expect(saying('the user blocked the bot: no more Telegram messages to them')[0]).toMatchObject({
      request_id: `tg-${String(updateId)}`,
      queue: deliveryQueue,
    });
  });
});
