import { and, eq } from 'drizzle-orm';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, bearer } from '../../test/app.js';
import { startBotHarness, type BotHarness, type TelegramPerson } from '../../test/bot.js';
import type { FakeBotApi, RecordedCall } from '../../test/fake-bot-api.js';
import { jpegWithExif } from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { customerTopics, notifications } from '../db/schema.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';

let nextId = 7_700_000;

/** A customer with a Telegram chat with the bot, signed in to the Mini App too. */
async function customer(
  harness: BotHarness,
  language: 'ru' | 'en' = 'en',
): Promise<{ tg: TelegramPerson; person: Person }> {
  nextId += 1;
  const tg: TelegramPerson = { id: nextId, first_name: 'Cora', language_code: language };
  const pair = await signIn(harness.testApp, tg);
  return {
    tg,
    person: {
      id: pair.user.id,
      role: 'user',
      token: pair.access_token,
      headers: bearer(pair.access_token),
    },
  };
}

/** Makes a message one written in the topic `threadId`. */
function inTopic(threadId: number): Partial<Message> {
  return { message_thread_id: threadId, is_topic_message: true };
}

const toChat = (chat: number) => (call: RecordedCall) => Number(call.params.chat_id) === chat;
const saying = (chat: number, words: string) => (call: RecordedCall) =>
  toChat(chat)(call) && String(call.params.text).includes(words);
const resultOf = (call: RecordedCall) =>
  call.result as { message_id: number; message_thread_id?: number };

interface ApiMessage {
  id: string;
  content: string;
  edited_at: string | null;
  attachments: { file_name: string }[];
}

/** The ticket's conversation as `person` reads it. */
async function conversation(
  harness: BotHarness,
  person: Person,
  ticketId: string,
): Promise<ApiMessage[]> {
  const response = await callAs(harness.testApp, person, 'GET', `/tickets/${ticketId}/messages`);
  expect(response.statusCode).toBe(200);
  return response.json<{ items: ApiMessage[] }>().items;
}

/** The topic the bot made in `chat` (the nth, from 1) and the card it put in it. */
async function topicIn(fake: FakeBotApi, chat: number, nth = 1) {
  let created: RecordedCall | undefined;
  await expect
    .poll(
      () => {
        created = fake.sent('createForumTopic').filter(toChat(chat))[nth - 1];
        return created;
      },
      { timeout: 10_000 },
    )
    .toBeDefined();
  const call = created as RecordedCall;
  const threadId = (call.result as { message_thread_id: number }).message_thread_id;
  const card = await fake.waitFor(
    'sendMessage',
    (c) => toChat(chat)(c) && c.params.message_thread_id === threadId,
  );
  return { name: String(call.params.name), threadId, card };
}

describe('a ticket’s topic in the customer’s chat (bot with topics in private chats)', () => {
  let harness: BotHarness;
  let fake: FakeBotApi;
  let category: string;
  let agent: Person;
  let moderator: Person;

  beforeAll(async () => {
    harness = await startBotHarness({
      fake: { privateTopics: true },
      env: { RATE_LIMIT_MAX: '10000', MINI_APP_URL: 'https://app.example.com/' },
    });
    fake = harness.fake;
    category = await addCategory(harness.testApp);
    agent = await signInAs(harness.testApp, 'agent', { first_name: 'Artem' });
    moderator = await signInAs(harness.testApp, 'moderator', { first_name: 'Mira' });
  });
  afterAll(() => harness.close());

  it('lives the whole life of a ticket: card, answers, the customer’s messages and status, in one topic', async () => {
    const { tg, person } = await customer(harness);
    const chat = harness.chat(tg);
    const ticket = await openTicket(harness.testApp, person, category, { title: 'Printer jams' });

    const topic = await topicIn(fake, tg.id);
    expect(topic.name).toBe(`#${ticket.number} · Printer jams`);
    expect(topic.card.params.text).toContain(`Ticket <b>#${ticket.number}</b> created`);
    expect(topic.card.params.text).toContain('will arrive in this topic');
    expect(topic.card.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          {
            text: 'Open in the app',
            web_app: { url: `https://app.example.com/?startapp=ticket_${ticket.number}` },
          },
        ],
      ],
    });

    // A staff answer lands in the topic.
    const answer = await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Please turn it off and on',
    });
    expect(answer.statusCode).toBe(201);
    const answered = await fake.waitFor('sendMessage', saying(tg.id, 'turn it off and on'));
    expect(answered.params.message_thread_id).toBe(topic.threadId);

    // Whatever the customer writes in the topic joins the ticket, text and photo alike, unanswered.
    const written = chat.send('Did that, it still jams', inTopic(topic.threadId));
    chat.sendPhoto(await jpegWithExif(), 'The jam', inTopic(topic.threadId));
    await expect
      .poll(async () => (await conversation(harness, person, ticket.id)).map((m) => m.content))
      .toEqual(['Please turn it off and on', 'Did that, it still jams', 'The jam']);
    const photo = (await conversation(harness, person, ticket.id))[2];
    expect(photo?.attachments).toHaveLength(1);
    expect(fake.sent().filter(saying(tg.id, 'Added to'))).toHaveLength(0);

    // A status change lands in the topic too.
    await callAs(harness.testApp, agent, 'PUT', `/tickets/${ticket.id}/status`, {
      status: 'in_progress',
    });
    const status = await fake.waitFor(
      'sendMessage',
      saying(tg.id, `Ticket #${ticket.number} status`),
    );
    expect(status.params.message_thread_id).toBe(topic.threadId);

    // The main chat still offers a new ticket.
    chat.send('Another thing: the scanner');
    const offer = await chat.next();
    expect(offer.text).toContain('Open a support ticket with this text?');
    expect(offer.params.message_thread_id).toBeUndefined();
    expect((await conversation(harness, person, ticket.id)).map((m) => m.content)).not.toContain(
      'Another thing: the scanner',
    );

    // One topic for the ticket, however many messages.
    expect(fake.sent('createForumTopic').filter(toChat(tg.id))).toHaveLength(1);
    expect(written).toBeGreaterThan(0);
  });

  it('carries edits both ways: the customer’s in Telegram to the ticket, staff’s to the customer’s copy', async () => {
    const { tg, person } = await customer(harness);
    const chat = harness.chat(tg);
    const ticket = await openTicket(harness.testApp, person, category, { title: 'Wrong invoice' });
    const topic = await topicIn(fake, tg.id);

    // The customer edits a message they wrote in the topic: the ticket message follows.
    const mine = chat.send('Invoice 1234 is wrong', inTopic(topic.threadId));
    await expect.poll(async () => (await conversation(harness, person, ticket.id)).length).toBe(1);
    chat.edit(mine, 'Invoice 1235 is wrong', inTopic(topic.threadId));
    await expect
      .poll(async () => (await conversation(harness, person, ticket.id))[0]?.content)
      .toBe('Invoice 1235 is wrong');
    expect((await conversation(harness, person, ticket.id))[0]?.edited_at).not.toBeNull();
    // Its history keeps the words before, for staff; the customer sees the edit, not the text.
    const history = await callAs(harness.testApp, agent, 'GET', `/tickets/${ticket.id}/history`);
    const edit = history
      .json<{ items: { action: string; before: { content?: string } | null }[] }>()
      .items.find((entry) => entry.action === 'message.updated');
    expect(edit?.before?.content).toBe('Invoice 1234 is wrong');
    const own = await callAs(harness.testApp, person, 'GET', `/tickets/${ticket.id}/history`);
    const seen = own
      .json<{ items: { action: string; before: { content?: string } | null }[] }>()
      .items.find((entry) => entry.action === 'message.updated');
    expect(seen).toBeDefined();
    expect(seen?.before?.content).toBeUndefined();

    // Staff edit their public answer in the Mini App: the customer's copy is edited.
    const posted = await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Refund of 10 EUR is on its way',
    });
    const answerId = posted.json<{ id: string }>().id;
    const copy = await fake.waitFor('sendMessage', saying(tg.id, 'Refund of 10 EUR'));
    // An internal note edited on the way: never a word of it in the customer's chat.
    const note = await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Secret: check the ledger',
      is_internal: true,
    });
    const noteEdit = await callAs(
      harness.testApp,
      agent,
      'PUT',
      `/messages/${note.json<{ id: string }>().id}`,
      { content: 'Secret: ledger checked' },
    );
    expect(noteEdit.statusCode).toBe(200);
    const edited = await callAs(harness.testApp, agent, 'PUT', `/messages/${answerId}`, {
      content: 'Refund of 12 EUR is on its way',
    });
    expect(edited.statusCode).toBe(200);
    const copyEdit = await fake.waitFor('editMessageText', saying(tg.id, 'Refund of 12 EUR'));
    expect(copyEdit.params.message_id).toBe(resultOf(copy).message_id);
    expect(fake.calls.filter(saying(tg.id, 'Secret'))).toHaveLength(0);

    // A message deleted in the app leaves the customer's chat too.
    const removed = await callAs(harness.testApp, moderator, 'DELETE', `/messages/${answerId}`);
    expect(removed.statusCode).toBe(204);
    const deletion = await fake.waitFor(
      'deleteMessage',
      (c) => toChat(tg.id)(c) && c.params.message_id === resultOf(copy).message_id,
    );
    expect(deletion).toBeDefined();
  });

  it('makes a deleted topic again, with a fresh card, and loses no message', async () => {
    const { tg, person } = await customer(harness);
    const ticket = await openTicket(harness.testApp, person, category, { title: 'Lost topic' });
    const first = await topicIn(fake, tg.id);
    fake.deleteTopicByUser(tg.id, first.threadId);

    await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Are you still there?',
    });
    const second = await topicIn(fake, tg.id, 2);
    expect(second.threadId).not.toBe(first.threadId);
    expect(second.card.params.text).toContain(`Ticket <b>#${ticket.number}</b> created`);
    const answer = await fake.waitFor('sendMessage', saying(tg.id, 'Are you still there?'));
    expect(answer.params.message_thread_id).toBe(second.threadId);
    // Tried once in the deleted topic (refused), sent once in the new one.
    expect(fake.calls.filter(saying(tg.id, 'Are you still there?'))).toHaveLength(2);
    expect(fake.sent('sendMessage').filter(saying(tg.id, 'Are you still there?'))).toHaveLength(1);
    const thread = (await harness.testApp.container.customerTopics?.ofTicket(ticket.id))
      ?.messageThreadId;
    expect(thread).toBe(second.threadId);
  });

  it('sends to the main chat when Telegram refuses the topic', async () => {
    const { tg, person } = await customer(harness);
    fake.failNext('createForumTopic', {
      status: 400,
      description: 'Bad Request: BOT_FORUM_CREATE_FORBIDDEN',
    });
    const ticket = await openTicket(harness.testApp, person, category, { title: 'No topic' });
    await expect
      .poll(
        async () => (await harness.testApp.container.customerTopics?.ofTicket(ticket.id))?.state,
      )
      .toBe('failed');
    await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Answer without a topic',
    });
    const answer = await fake.waitFor('sendMessage', saying(tg.id, 'Answer without a topic'));
    expect(answer.params.message_thread_id).toBeUndefined();
    expect(fake.sent('createForumTopic').filter(toChat(tg.id))).toHaveLength(0);
  });

  it('lets a message in a topic that is no ticket’s go on to the offer of a new ticket', async () => {
    const { tg } = await customer(harness);
    const chat = harness.chat(tg);
    // A topic of the user's own (where the bot lets users make topics).
    const own = await harness.running.bot.api.createForumTopic(tg.id, 'My notes');
    chat.send('Hello from my own topic', inTopic(own.message_thread_id));
    const offer = await chat.next();
    expect(offer.text).toContain('Open a support ticket with this text?');
    expect(offer.params.message_thread_id).toBe(own.message_thread_id);
  });

  it('keeps notices of a ticket in the main chat for a person who is not its author', async () => {
    const { tg, person } = await customer(harness);
    const ticket = await openTicket(harness.testApp, person, category, { title: 'Whose topic' });
    await topicIn(fake, tg.id);
    const [row] = await harness.testApp.container.database.db
      .select({ userId: customerTopics.userId })
      .from(customerTopics)
      .where(eq(customerTopics.ticketId, ticket.id));
    expect(row?.userId).toBe(person.id);
    // The agent writes; the customer answers: the agent's notice goes to the agent's main chat.
    await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Agent here',
    });
    await callAs(harness.testApp, person, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Customer answers the agent',
    });
    await expect
      .poll(async () => {
        const rows = await harness.testApp.container.database.db
          .select({ deliveredAt: notifications.deliveredAt })
          .from(notifications)
          .where(and(eq(notifications.userId, agent.id), eq(notifications.ticketId, ticket.id)));
        return rows.some((r) => r.deliveredAt !== null);
      })
      .toBe(true);
    const toAgent = fake
      .sent('sendMessage')
      .filter((c) => String(c.params.text).includes(`#${ticket.number}`))
      .filter((c) => !toChat(tg.id)(c));
    expect(toAgent.length).toBeGreaterThan(0);
    for (const call of toAgent) expect(call.params.message_thread_id).toBeUndefined();
  });
});

describe('a bot without topics in private chats', () => {
  let harness: BotHarness;
  let category: string;
  let agent: Person;

  beforeAll(async () => {
    harness = await startBotHarness({ env: { RATE_LIMIT_MAX: '10000' } });
    category = await addCategory(harness.testApp);
    agent = await signInAs(harness.testApp, 'agent');
  });
  afterAll(() => harness.close());

  it('makes no topic and answers in the main chat, where a reply still joins the ticket', async () => {
    const { tg, person } = await customer(harness);
    const chat = harness.chat(tg);
    // Once this process has read that the bot has no topics, a ticket owes none: no row, no job.
    expect(await harness.testApp.container.botProfile?.topicsEnabled()).toBe(false);
    const ticket = await openTicket(harness.testApp, person, category, { title: 'Plain chat' });
    const owed = await harness.testApp.container.database.db
      .select()
      .from(customerTopics)
      .where(eq(customerTopics.ticketId, ticket.id));
    expect(owed).toEqual([]);
    await callAs(harness.testApp, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Plain answer',
    });
    const answer = await harness.fake.waitFor('sendMessage', saying(tg.id, 'Plain answer'));
    expect(answer.params.message_thread_id).toBeUndefined();
    expect(harness.fake.calls.filter((c) => c.method === 'createForumTopic')).toHaveLength(0);

    // Replying to it joins the ticket, as before; an edit of that reply follows.
    await expect.poll(() => linked(harness, tg.id, resultOf(answer).message_id)).toBe(true);
    const reply = chat.reply(resultOf(answer).message_id, 'Thanks, but no');
    await expect
      .poll(async () => (await conversation(harness, person, ticket.id)).map((m) => m.content))
      .toContain('Thanks, but no');
    chat.edit(reply, 'Thanks, it works now');
    await expect
      .poll(async () => (await conversation(harness, person, ticket.id)).map((m) => m.content))
      .toContain('Thanks, it works now');
  });
});

/** Whether the bot knows what its message `messageId` in `chat` is about. */
async function linked(harness: BotHarness, chat: number, messageId: number): Promise<boolean> {
  const links = createTicketMessages(harness.testApp.container.database.db);
  return (await links.subjectOf(chat, messageId)) !== undefined;
}
