import { eq } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import { startBotHarness, type BotHarness, type TelegramPerson } from '../../test/bot.js';
import type { FakeBotApi } from '../../test/fake-bot-api.js';
import { addCategory, callAs, openTicket, signInAs } from '../../test/people.js';
import {
  inTopic,
  staffGroup,
  startStaffGroupWorld,
  telegramIdOf,
  type StaffGroupWorld,
} from '../../test/staff-group.js';
import type { Principal } from '../auth/service.js';
import { users } from '../db/schema.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

let nextId = 7_900_000;
function person(language: 'ru' | 'en', first_name: string, last_name?: string): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name, language_code: language, ...(last_name ? { last_name } : {}) };
}

interface Article {
  type: string;
  id: string;
  title: string;
  description: string;
  input_message_content: { message_text: string };
}

let nextQuery = 1;

/** Types `@bot <query>` as `who`; resolves to the bot's answer (its results and options). */
async function inlineQuery(fake: FakeBotApi, who: TelegramPerson, query: string) {
  nextQuery += 1;
  const id = `iq-${nextQuery}`;
  fake.pushUpdate({
    inline_query: { id, from: { is_bot: false, ...who }, query, offset: '' },
  });
  const call = await fake.waitFor('answerInlineQuery', (c) => c.params.inline_query_id === id);
  return { results: call.params.results as Article[], params: call.params };
}

/** The bot as Telegram names it in `via_bot` of a message sent through its inline mode. */
function viaBot(fake: FakeBotApi): Partial<Message> {
  return {
    via_bot: {
      id: Number(fake.token.split(':')[0]),
      is_bot: true,
      first_name: 'Ticket Bot',
      username: 'ticket_test_bot',
    },
  };
}

const body = 'Hello {customer_name}, {ticket_number} is fixed. — {agent_name}';

describe('canned replies in Telegram', () => {
  let harness: BotHarness;
  let category: string;
  let moderator: Principal;

  beforeAll(async () => {
    harness = await startBotHarness();
    const mod = await signInAs(harness.testApp, 'moderator');
    moderator = { userId: mod.id, role: mod.role, sessionId: 'test' };
    category = await addCategory(harness.testApp);
  });
  afterAll(() => harness.close());

  const container = () => harness.testApp.container;

  async function staffMember(who: TelegramPerson) {
    const signedIn = await signIn(harness.testApp, who);
    await container().users.setRole(signedIn.user.id, 'agent');
    return { userId: signedIn.user.id, role: 'agent' as const, sessionId: 'test' };
  }

  it('answers staff’s inline query with their own and the shared replies, exact shortcut first', async () => {
    const who = person('en', 'Artem', 'Belov');
    const agent = await staffMember(who);
    const own = await container().cannedReplies.create(agent, {
      title: 'Fixed',
      shortcut: 'fixed',
      body,
      language: 'en',
      scope: 'personal',
    });
    const shared = await container().cannedReplies.create(moderator, {
      title: 'Fixed for good',
      shortcut: 'fixedforgood',
      body: 'It is fixed for good.',
      language: 'any',
      scope: 'shared',
    });
    const { results, params } = await inlineQuery(harness.fake, who, 'FIXED');
    expect(params).toMatchObject({ is_personal: true });
    expect(results.map((r) => r.id)).toEqual([own.id, shared.id]);
    expect(results[0]).toMatchObject({
      type: 'article',
      title: 'Fixed',
      description: `/fixed · ${body}`,
      // The agent is known now; the customer and ticket once it is sent as a ticket reply.
      input_message_content: {
        message_text: 'Hello {customer_name}, {ticket_number} is fixed. — Artem Belov',
      },
    });
    // Another agent sees the shared one, not the first agent's own.
    const other = person('en', 'Boris');
    await staffMember(other);
    expect((await inlineQuery(harness.fake, other, 'fixed')).results.map((r) => r.id)).toEqual([
      shared.id,
    ]);
    // Words of the body find it too; an empty query lists them all.
    expect((await inlineQuery(harness.fake, who, 'good')).results.map((r) => r.id)).toEqual([
      shared.id,
    ]);
    expect((await inlineQuery(harness.fake, who, '')).results.map((r) => r.id)).toEqual(
      expect.arrayContaining([own.id, shared.id]),
    );
  });

  it('gives customers an empty answer, whatever they type', async () => {
    await container().cannedReplies.create(moderator, {
      title: 'Secret',
      shortcut: 'secret',
      body: 'Internal wording',
      language: 'any',
      scope: 'shared',
    });
    const customer = person('en', 'Cora');
    for (const query of ['secret', '']) {
      const { results, params } = await inlineQuery(harness.fake, customer, query);
      expect(results).toEqual([]);
      expect(params).toMatchObject({ is_personal: true });
    }
  });

  it('gives a blocked staff member an empty answer too', async () => {
    const who = person('en', 'Bea');
    const blocked = await staffMember(who);
    await container().cannedReplies.create(blocked, {
      title: 'Mine',
      shortcut: 'mine',
      body: 'Text',
      language: 'any',
      scope: 'personal',
    });
    expect((await inlineQuery(harness.fake, who, 'mine')).results).toHaveLength(1);
    await container()
      .database.db.update(users)
      .set({ isActive: false })
      .where(eq(users.id, blocked.userId));
    expect((await inlineQuery(harness.fake, who, 'mine')).results).toEqual([]);
  });

  it('fills the ticket’s placeholders when staff send a canned reply as a reply to a ticket notice', async () => {
    const agentPerson = person('ru', 'Артём');
    const agent = await staffMember(agentPerson);
    await container().cannedReplies.create(agent, {
      title: 'Готово',
      shortcut: 'gotovo',
      body: 'Здравствуйте, {customer_name}! Обращение {ticket_number} решено. {agent_name}',
      language: 'ru',
      scope: 'personal',
    });
    const customerPerson = person('ru', 'Кира', 'Орлова');
    const customer = await signIn(harness.testApp, customerPerson);
    const ticket = await harness.testApp.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: bearer(customer.access_token),
      payload: { category_id: category, title: 'Не печатает принтер', description: 'Совсем.' },
    });
    const { id: ticketId, number } = ticket.json<{ id: string; number: number }>();

    const agentChat = harness.chat(agentPerson);
    let notice: number | undefined;
    for (;;) {
      const reply = await agentChat.next();
      if (reply.text.includes('Не печатает принтер')) {
        notice = reply.message_id;
        break;
      }
    }
    const ticketMessages = createTicketMessages(container().database.db);
    await vi.waitFor(async () => {
      expect(await ticketMessages.subjectOf(agentPerson.id, notice ?? 0)).toBeDefined();
    });

    const [picked] = (await inlineQuery(harness.fake, agentPerson, 'gotovo')).results;
    const sent = picked?.input_message_content.message_text ?? '';
    expect(sent).toBe('Здравствуйте, {customer_name}! Обращение {ticket_number} решено. Артём');
    agentChat.send(sent, {
      ...viaBot(harness.fake),
      reply_to_message: {
        message_id: notice ?? 0,
        date: Math.floor(Date.now() / 1000),
        chat: { id: agentPerson.id, type: 'private', first_name: agentPerson.first_name },
        text: '',
      } as Message['reply_to_message'],
    });
    expect((await agentChat.next()).text).toBe(`✅ Добавлено в обращение #${number}`);

    const filled = `Здравствуйте, Кира Орлова! Обращение #${number} решено. Артём`;
    const messages = await container().messages.list(agent, ticketId, {
      limit: 20,
      sort: 'created_at',
    });
    expect(messages.items.map((m) => m.content)).toEqual([filled]);
    // The customer reads it filled.
    await harness.fake.waitFor(
      'sendMessage',
      (c) =>
        Number(c.params.chat_id) === customerPerson.id && String(c.params.text).includes(filled),
    );

    // Braces typed by hand (not through the bot) stay as written.
    agentChat.send('Пишите {customer_name} как есть', {
      reply_to_message: {
        message_id: notice ?? 0,
        date: Math.floor(Date.now() / 1000),
        chat: { id: agentPerson.id, type: 'private', first_name: agentPerson.first_name },
        text: '',
      } as Message['reply_to_message'],
    });
    expect((await agentChat.next()).text).toBe(`✅ Добавлено в обращение #${number}`);
    const after = await container().messages.list(agent, ticketId, {
      limit: 20,
      sort: 'created_at',
    });
    expect(after.items.map((m) => m.content)).toEqual([filled, 'Пишите {customer_name} как есть']);
  });
});

describe('canned replies sent in a ticket’s topic of the staff group', () => {
  let w: StaffGroupWorld;
  beforeAll(async () => {
    w = await startStaffGroupWorld({ speed: 5 });
  });
  afterAll(() => w.close());

  it('fill the ticket’s placeholders', async () => {
    const { fake, t } = w;
    const customer = await signInAs(t, 'user', { first_name: 'Kira', language_code: 'en' });
    const agent = await signInAs(t, 'agent', { first_name: 'Artem', language_code: 'en' });
    const category = await addCategory(t);
    const ticket = await openTicket(t, customer, category, { title: 'Printer jam' });
    const created = await fake.waitFor(
      'createForumTopic',
      (c) => String(c.params.name).startsWith(`#${ticket.number} `),
      30_000,
    );
    const threadId = (created.result as { message_thread_id: number }).message_thread_id;
    // The topic is known to the bot once its card is posted (saved after createForumTopic answers).
    await fake.waitFor('sendMessage', inTopic(threadId), 30_000);
    const agentTelegramId = await telegramIdOf(t, agent.id);

    fake.pushUpdate({
      message: {
        message_id: 8_800_001,
        date: Math.floor(Date.now() / 1000),
        chat: { id: staffGroup, type: 'supergroup', title: 'Support team', is_forum: true },
        from: { id: agentTelegramId, is_bot: false, first_name: 'Artem', language_code: 'en' },
        message_thread_id: threadId,
        is_topic_message: true,
        text: 'Hi {customer_name}, {ticket_number} is done. Artem',
        ...viaBot(fake),
      },
    });
    await expect
      .poll(
        async () =>
          (await callAs(t, agent, 'GET', `/tickets/${ticket.id}/messages`))
            .json<{ items: { content: string }[] }>()
            .items.map((m) => m.content),
        { timeout: 15_000 },
      )
      .toEqual([`Hi Kira, #${ticket.number} is done. Artem`]);
  });
});
