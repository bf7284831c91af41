import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import {
  startBotHarness,
  type BotChat,
  type BotHarness,
  type TelegramPerson,
} from '../../test/bot.js';
import { elfBytes, jpegWithExif } from '../../test/multipart.js';
import { signInAs } from '../../test/people.js';
import type { Principal } from '../auth/service.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

let nextId = 7_400_000;
function person(language: 'ru' | 'en', first_name = 'Kira'): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name, language_code: language };
}

interface ApiMessage {
  content: string;
  is_internal: boolean;
  user_id: string;
  attachments: { file_name: string; mime_type: string }[];
}

/** Makes a message a Telegram reply to the bot's message `messageId` in `who`'s chat. */
function replyTo(who: TelegramPerson, messageId: number): Partial<Message> {
  return {
    reply_to_message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: who.id, type: 'private', first_name: who.first_name },
      text: '',
    } as Message['reply_to_message'],
  };
}

describe('replies to the bot’s ticket messages', () => {
  let harness: BotHarness;
  let category: string;
  let admin: Principal;

  beforeAll(async () => {
    harness = await startBotHarness();
    const person = await signInAs(harness.testApp, 'admin');
    admin = { userId: person.id, role: person.role, sessionId: 'test' };
    category = (
      await harness.testApp.container.categories.create(admin, {
        name: 'Billing',
        description: '',
        icon: '💳',
        color: '#336699',
        sort_order: 0,
        is_active: true,
      })
    ).id;
  });
  afterAll(() => harness.close());

  const ticketMessages = () => createTicketMessages(harness.testApp.container.database.db);

  async function session(who: TelegramPerson) {
    return bearer((await signIn(harness.testApp, who)).access_token);
  }

  async function openTicket(who: TelegramPerson, title = 'Charged twice') {
    const response = await harness.testApp.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: await session(who),
      payload: { category_id: category, title, description: 'Two payments in May.' },
    });
    expect(response.statusCode).toBe(201);
    return response.json<{ id: string; number: number }>();
  }

  async function write(who: TelegramPerson, ticketId: string, content: string, internal = false) {
    const response = await harness.testApp.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticketId}/messages`,
      headers: await session(who),
      payload: { content, ...(internal ? { is_internal: true } : {}) },
    });
    expect(response.statusCode).toBe(201);
  }

  async function messagesOf(who: TelegramPerson, ticketId: string): Promise<ApiMessage[]> {
    const response = await harness.testApp.app.inject({
      method: 'GET',
      url: `/api/v1/tickets/${ticketId}/messages`,
      headers: await session(who),
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: ApiMessage[] }>().items;
  }

  /** The bot's next message in `chat` whose text contains `text`, skipping others. */
  async function nextWith(chat: BotChat, text: string) {
    for (;;) {
      const reply = await chat.next();
      if (reply.text.includes(text)) return reply;
    }
  }

  /**
   * The bot's next ticket message in `chat` whose text contains `text` (skipping others), once the bot
   * knows which ticket it is about: the worker notes that just after Telegram took the message,
   * and a person is never fast enough to reply in between.
   */
  async function nextNotice(chat: BotChat, text: string) {
    for (;;) {
      const reply = await chat.next();
      if (!reply.text.includes(text)) continue;
      const messageId = reply.message_id ?? 0;
      await vi.waitFor(async () => {
        expect(await ticketMessages().subjectOf(chat.person.id, messageId)).toBeDefined();
      });
      return reply;
    }
  }

  /** An agent with a Telegram chat, and the new-ticket notification they get for `ticket`. */
  async function agentWithNotice(language: 'ru' | 'en') {
    const who = person(language, 'Artem');
    const signedIn = await signIn(harness.testApp, who);
    await harness.testApp.container.users.setRole(signedIn.user.id, 'agent');
    return { who, chat: harness.chat(who), id: signedIn.user.id };
  }

  it('adds a customer’s reply to a delivered notification to the ticket, text and photo', async () => {
    const customer = person('en');
    const agent = await agentWithNotice('en');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    await write(agent.who, ticket.id, 'Which card did you pay with?');

    const notice = await nextNotice(chat, 'Which card did you pay with?');
    chat.reply(notice.message_id ?? 0, 'The Visa <ending 42>');
    const confirmation = await chat.next();
    expect(confirmation.text).toBe(`✅ Added to #${ticket.number}`);

    chat.sendPhoto(
      await jpegWithExif(640, 480),
      'Here is the statement',
      replyTo(customer, confirmation.message_id ?? 0),
    );
    expect((await chat.next()).text).toBe(`✅ Added to #${ticket.number}`);

    chat.sendPhoto(
      await jpegWithExif(320, 240),
      undefined,
      replyTo(customer, notice.message_id ?? 0),
    );
    expect((await chat.next()).text).toBe(`✅ Added to #${ticket.number}`);

    const messages = await messagesOf(customer, ticket.id);
    expect(messages.map((m) => m.content)).toEqual([
      'Which card did you pay with?',
      'The Visa <ending 42>',
      'Here is the statement',
      '📎 photo',
    ]);
    expect(messages[2]?.attachments).toEqual([
      expect.objectContaining({ mime_type: 'image/jpeg' }),
    ]);
    expect(messages[3]?.attachments).toHaveLength(1);
  });

  it('lets staff answer by replying to their notification', async () => {
    const customer = person('ru');
    const agent = await agentWithNotice('ru');
    const ticket = await openTicket(customer, 'Не проходит оплата');
    const customerChat = harness.chat(customer);
    const notice = await nextNotice(agent.chat, 'Не проходит оплата');
    agent.chat.reply(notice.message_id ?? 0, 'Проверим платёж сегодня.');
    expect((await agent.chat.next()).text).toBe(`✅ Добавлено в обращение #${ticket.number}`);

    const messages = await messagesOf(customer, ticket.id);
    expect(messages).toEqual([
      expect.objectContaining({ content: 'Проверим платёж сегодня.', user_id: agent.id }),
    ]);
    // The customer hears of the answer, and may reply to it in turn.
    const answer = await nextNotice(customerChat, 'Проверим платёж сегодня.');
    expect(answer.message_id).toBeDefined();
  });

  /** The customer's notifications (their titles) through the API. */
  async function noticesOf(who: TelegramPerson): Promise<string[]> {
    const response = await harness.testApp.app.inject({
      method: 'GET',
      url: '/api/v1/notifications',
      headers: await session(who),
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ items: { content: string }[] }>().items.map((n) => n.content);
  }

  /** A customer's ticket assigned to agent B, and agent A, both staff with Telegram chats. */
  async function ticketWithTwoAgents(language: 'ru' | 'en') {
    const customer = person(language);
    const ticket = await openTicket(customer, 'Card declined');
    const agentA = await agentWithNotice(language);
    const agentB = await agentWithNotice(language);
    await harness.testApp.container.tickets.assign(admin, ticket.id, agentB.id);
    // B hears of the assignment first; nothing else of this ticket comes to B unasked.
    await nextNotice(agentB.chat, 'Card declined');
    return { customer, ticket, agentA, agentB };
  }

  it('keeps a reply to an internal note’s notification internal, and says so', async () => {
    for (const [language, said] of [
      ['en', 'as an internal note: only staff see it'],
      ['ru', 'как внутренняя заметка: её видят только сотрудники'],
    ] as const) {
      const { customer, ticket, agentA, agentB } = await ticketWithTwoAgents(language);
      await write(agentA.who, ticket.id, 'The bank flagged this card.', true);

      const notice = await nextNotice(agentB.chat, 'The bank flagged this card.');
      agentB.chat.reply(notice.message_id ?? 0, 'Then do not refund yet.');
      const confirmation = await agentB.chat.next();
      expect(await messagesOf(customer, ticket.id)).toEqual([]);
      expect(confirmation.text).toContain(`#${ticket.number}`);
      expect(confirmation.text).toContain(said);
      // A reply to that confirmation stays internal as well.
      agentB.chat.reply(confirmation.message_id ?? 0, 'Ask the bank first.');
      expect((await agentB.chat.next()).text).toContain(said);

      const staffView = await messagesOf(agentA.who, ticket.id);
      expect(staffView).toEqual([
        expect.objectContaining({ content: 'The bank flagged this card.', is_internal: true }),
        expect.objectContaining({ content: 'Then do not refund yet.', is_internal: true }),
        expect.objectContaining({ content: 'Ask the bank first.', is_internal: true }),
      ]);
      expect(await messagesOf(customer, ticket.id)).toEqual([]);
      const customerNotices = await noticesOf(customer);
      expect(customerNotices.join('\n')).not.toMatch(/refund|bank/i);
      expect(
        harness
          .chat(customer)
          .all()
          .map((m) => m.text)
          .join('\n'),
      ).not.toMatch(/refund|bank/i);
    }
  });

  it('keeps a reply to a staff-only alert about a ticket internal', async () => {
    const { customer, ticket, agentB } = await ticketWithTwoAgents('en');
    const { uow, notifications } = harness.testApp.container;
    // What the files service sends when an upload to the ticket carried malware.
    await uow.run((work) =>
      notifications.notifyStaff(work, {
        type: 'system',
        title: 'Malware blocked',
        content: 'The file “invoice.pdf” contains malware and was quarantined.',
        ticket_id: ticket.id,
      }),
    );
    const alert = await nextNotice(agentB.chat, 'invoice.pdf');
    agentB.chat.reply(alert.message_id ?? 0, 'Who uploaded this one?');
    expect((await agentB.chat.next()).text).toContain('as an internal note');
    expect(await messagesOf(customer, ticket.id)).toEqual([]);
  });

  it('keeps a reply to a public message’s notification public', async () => {
    const { customer, ticket, agentA, agentB } = await ticketWithTwoAgents('en');
    await write(agentA.who, ticket.id, 'Could you try another card?');

    const notice = await nextNotice(agentB.chat, 'Could you try another card?');
    agentB.chat.reply(notice.message_id ?? 0, 'Or pay by bank transfer.');
    expect((await agentB.chat.next()).text).toBe(`✅ Added to #${ticket.number}`);

    expect(await messagesOf(customer, ticket.id)).toEqual([
      expect.objectContaining({ content: 'Could you try another card?', is_internal: false }),
      expect.objectContaining({ content: 'Or pay by bank transfer.', is_internal: false }),
    ]);
    expect(await noticesOf(customer)).toContain('Or pay by bank transfer.');
  });

  it('keeps the text when the file is refused, and says so', async () => {
    const customer = person('en');
    const agent = await agentWithNotice('en');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    await write(agent.who, ticket.id, 'Please send the receipt.');
    const notice = await nextNotice(chat, 'Please send the receipt.');

    chat.sendDocument(
      elfBytes(),
      'receipt.exe',
      'application/octet-stream',
      'Receipt attached',
      replyTo(customer, notice.message_id ?? 0),
    );
    expect((await chat.next()).text).toBe(
      `✅ Added to #${ticket.number}\nThis type of file is not accepted. Your text was added without it.`,
    );
    chat.sendDocument(
      elfBytes(),
      'again.exe',
      'application/octet-stream',
      undefined,
      replyTo(customer, notice.message_id ?? 0),
    );
    expect((await chat.next()).text).toBe('This type of file is not accepted. Nothing was added.');

    const messages = await messagesOf(customer, ticket.id);
    expect(messages.slice(1)).toEqual([
      expect.objectContaining({ content: 'Receipt attached', attachments: [] }),
    ]);
  });

  it('refuses a reply longer than a message may be, and adds nothing', async () => {
    const customer = person('en');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    chat.send(`/start ticket_${ticket.number}`);
    const card = await chat.next();
    chat.reply(card.message_id ?? 0, 'x'.repeat(4001));
    expect((await chat.next()).text).toBe(
      'That message is too long: 4000 characters at most. Please shorten it or split it up.',
    );
    chat.reply(card.message_id ?? 0, 'x'.repeat(4000));
    expect((await chat.next()).text).toBe(`✅ Added to #${ticket.number}`);
    expect(await messagesOf(customer, ticket.id)).toHaveLength(1);
  });

  it('explains that a closed ticket takes no replies', async () => {
    const customer = person('ru');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    chat.send(`/start ticket_${ticket.number}`);
    const card = await chat.next();
    await harness.testApp.container.tickets.changeStatus(admin, ticket.id, 'closed');
    chat.reply(card.message_id ?? 0, 'Ещё вопрос');
    const refusal = await nextWith(chat, 'закрыто');
    expect(refusal.text).toBe(
      `Обращение #${ticket.number} закрыто, в него нельзя написать. Если вопрос остался — создайте новое: /support`,
    );
    expect(await messagesOf(customer, ticket.id)).toEqual([]);
  });

  it('answers clearly when the ticket is no longer the replier’s to see', async () => {
    const customer = person('en');
    const agent = await agentWithNotice('en');
    const ticket = await openTicket(customer, 'Refund please');
    const notice = await nextNotice(agent.chat, 'Refund please');
    await harness.testApp.container.users.setRole(agent.id, 'user');
    agent.chat.reply(notice.message_id ?? 0, 'On it');
    expect((await agent.chat.next()).text).toBe(
      'This ticket is no longer available; your message was not added.',
    );
    expect(await messagesOf(customer, ticket.id)).toEqual([]);
  });

  it('refuses a reply that is not well-formed Unicode, and adds nothing', async () => {
    const customer = person('en');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    chat.send(`/start ticket_${ticket.number}`);
    const card = await chat.next();
    // Only a Bot API that is not Telegram could send this: Telegram's UTF-8 cannot hold it.
    chat.reply(card.message_id ?? 0, 'half an emoji \ud83c');
    expect((await chat.next()).text).toContain('Your message could not be added');
    expect(await messagesOf(customer, ticket.id)).toEqual([]);
  });

  it('says what a reply may hold when it holds nothing to add', async () => {
    const customer = person('en');
    const ticket = await openTicket(customer);
    const chat = harness.chat(customer);
    chat.send(`/start ticket_${ticket.number}`);
    const card = await chat.next();
    chat.send('', {
      ...replyTo(customer, card.message_id ?? 0),
      text: undefined,
      sticker: {
        file_id: 'sticker',
        file_unique_id: 'sticker',
        type: 'regular',
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
      },
    });
    expect((await chat.next()).text).toBe('You can add text, a photo or a document to a ticket.');
  });

  it('lets a reply to a message not about a ticket go on to the free-text offer', async () => {
    const chat = harness.chat(person('en'));
    chat.send('/help');
    const help = await chat.next();
    chat.reply(help.message_id ?? 0, 'My printer is on fire');
    expect((await chat.next()).text).toContain('Open a support ticket with this text?');
  });
});
