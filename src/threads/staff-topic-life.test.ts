import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeTopicIcons, type RecordedCall } from '../../test/fake-bot-api.js';
import { multipartBody, pdfBytes, pngBytes } from '../../test/multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import {
  answerTo,
  groupMember,
  inTopic,
  staffGroup,
  startStaffGroupWorld,
  telegramIdOf,
  type StaffGroupWorld,
} from '../../test/staff-group.js';
import { auditLog, messages, notifications } from '../db/schema.js';
import type { MessageDto } from '../messages/schemas.js';
import type { TicketDto } from '../tickets/schemas.js';

const iconOf = (emoji: string) =>
  fakeTopicIcons.find((icon) => icon.emoji === emoji)?.custom_emoji_id;

const textOf = (call: RecordedCall) =>
  typeof call.params.text === 'string' ? call.params.text : '';

describe('a ticket’s life in its staff topic', () => {
  let w: StaffGroupWorld;
  let customer: Person;
  let agent: Person;
  let agentTelegramId: number;
  let customerChat: number;
  let category: string;

  beforeAll(async () => {
    w = await startStaffGroupWorld();
    customer = await signInAs(w.t, 'user', { first_name: 'Cora' });
    agent = await signInAs(w.t, 'agent', { first_name: 'Artem', language_code: 'en' });
    agentTelegramId = await telegramIdOf(w.t, agent.id);
    customerChat = await telegramIdOf(w.t, customer.id);
    category = await addCategory(w.t, { name: 'Printers' });
  });
  afterAll(() => w.close());

  it('goes from a new ticket to a closed topic and back, every change told in the topic', async () => {
    const { fake, t } = w;
    const ticket = await openTicket(t, customer, category, {
      title: 'Printer <b>jams</b> & smokes',
      description: 'Paper jams at page 2 <again>.',
    });

    // A topic named after the ticket, with the icon of its status, then its card.
    const created = await fake.waitFor('createForumTopic');
    expect(created.params).toMatchObject({
      chat_id: staffGroup,
      name: `#${ticket.number} · Printer jams & smokes`,
      icon_custom_emoji_id: iconOf('💬'),
    });
    const threadId = (created.result as { message_thread_id: number }).message_thread_id;
    const card = await fake.waitFor('sendMessage', inTopic(threadId));
    expect(textOf(card)).toContain(`<b>#${ticket.number} · Printer jams &amp; smokes</b>`);
    expect(textOf(card)).toContain('Cora');
    expect(textOf(card)).toContain('Printers');
    expect(textOf(card)).toContain('Paper jams at page 2 &lt;again&gt;.');
    const cardId = (card.result as { message_id: number }).message_id;
    const buttons = (
      card.params.reply_markup as { inline_keyboard: { callback_data?: string; url?: string }[][] }
    ).inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data ?? b.url)).toEqual([
      `sg:take:${ticket.number}`,
      `sg:assign:${ticket.number}`,
      `sg:prio:${ticket.number}`,
      `sg:resolve:${ticket.number}`,
      `sg:close:${ticket.number}`,
      `https://t.me/ticket_test_bot?startapp=ticket_${ticket.number}`,
    ]);

    // The customer's message, a photo and a document appear in the topic.
    const said = await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'It smokes <now>',
    });
    expect(said.statusCode).toBe(201);
    const posted = await fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).includes('It smokes'),
    );
    expect(textOf(posted)).toBe('<b>Cora</b>\nIt smokes &lt;now&gt;');
    const upload = multipartBody([
      { name: 'smoke.png', bytes: await pngBytes(64, 48) },
      { name: 'manual.pdf', bytes: pdfBytes() },
    ]);
    const uploaded = await t.app.inject({
      method: 'POST',
      url: `/api/v1/tickets/${ticket.id}/attachments`,
      headers: { ...customer.headers, ...upload.headers },
      payload: upload.payload,
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const ids = uploaded.json<{ items: { id: string }[] }>().items.map((item) => item.id);
    await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Pictures',
      attachment_ids: ids,
    });
    const photo = await fake.waitFor('sendPhoto', inTopic(threadId));
    expect(photo.params.photo).toMatchObject({ file_name: 'smoke.png' });
    const document = await fake.waitFor('sendDocument', inTopic(threadId));
    expect(document.params.document).toMatchObject({ file_name: 'manual.pdf' });

    // The agent answers in the topic: the customer gets it, signed, through their notifications.
    const staff = groupMember(fake, {
      id: agentTelegramId,
      first_name: 'Artem',
      language_code: 'en',
    });
    staff.write(threadId, 'We are on it');
    const delivered = await fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === customerChat && textOf(c).includes('We are on it'),
    );
    expect(textOf(delivered)).toContain('— Artem');
    const list = await callAs(t, agent, 'GET', `/tickets/${ticket.id}/messages`);
    const written = list.json<{ items: MessageDto[] }>().items;
    expect(written.find((m) => m.content === 'We are on it')).toMatchObject({
      user_id: agent.id,
      is_internal: false,
    });

    // A note stays internal: never sent to the customer, nor to the app's customer view.
    staff.write(threadId, '/note the fan is broken');
    staff.write(threadId, '! order a new fan');
    await expect
      .poll(async () =>
        (
          await t.container.database.db
            .select()
            .from(messages)
            .where(eq(messages.ticketId, ticket.id))
        )
          .filter((m) => m.isInternal)
          .map((m) => m.content)
          .sort((a, b) => a.localeCompare(b)),
      )
      .toEqual(['order a new fan', 'the fan is broken']);
    const customerView = await callAs(t, customer, 'GET', `/tickets/${ticket.id}/messages`);
    expect(customerView.body).not.toContain('fan');

    // Take: the ticket is the agent's, told on the button and in the topic.
    const take = staff.press(threadId, cardId, `sg:take:${ticket.number}`);
    const taken = await fake.waitFor('answerCallbackQuery', answerTo(take));
    expect(taken.params.text).toBe('The ticket is yours');
    await fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).includes('Исполнитель: <b>Artem</b>'),
    );
    // The card shows the ticket as it is now, its buttons kept.
    const refreshed = await fake.waitFor(
      'editMessageText',
      (c) => Number(c.params.message_id) === cardId && textOf(c).includes('Исполнитель: Artem'),
    );
    expect(refreshed.params.reply_markup).toEqual(card.params.reply_markup);

    // Resolve: the line, then the icon follows the status.
    const resolve = staff.press(threadId, cardId, `sg:resolve:${ticket.number}`);
    await fake.waitFor('answerCallbackQuery', answerTo(resolve));
    await fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).includes('→ <b>Решено</b>'),
    );
    await fake.waitFor('editForumTopic', (c) => c.params.icon_custom_emoji_id === iconOf('✅'));

    // Close: the topic closes.
    const close = staff.press(threadId, cardId, `sg:close:${ticket.number}`);
    await fake.waitFor('answerCallbackQuery', answerTo(close));
    await fake.waitFor('closeForumTopic', inTopicCall(threadId));
    expect(
      fake.topics(staffGroup).find((topic) => topic.message_thread_id === threadId)?.closed,
    ).toBe(true);

    // The customer reopens and writes: the topic reopens, their message lands in it.
    const reopened = await callAs(t, customer, 'PUT', `/tickets/${ticket.id}/status`, {
      status: 'open',
    });
    expect(reopened.statusCode).toBe(200);
    await callAs(t, customer, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Smoking again',
    });
    await fake.waitFor('reopenForumTopic', inTopicCall(threadId));
    await fake.waitFor(
      'sendMessage',
      (c) => inTopic(threadId)(c) && textOf(c).includes('Smoking again'),
    );
    await fake.waitFor('editForumTopic', (c) => c.params.icon_custom_emoji_id === iconOf('💬'));
    expect(
      fake.topics(staffGroup).find((topic) => topic.message_thread_id === threadId),
    ).toMatchObject({
      closed: false,
      icon_custom_emoji_id: iconOf('💬'),
      name: `#${ticket.number} · Printer jams & smokes`,
    });

    // Nothing the staff wrote in the topic was posted back into it.
    const echoes = fake
      .sent('sendMessage')
      .filter((c) => inTopic(threadId)(c) && /We are on it|fan/.test(textOf(c)));
    expect(echoes).toEqual([]);
    const told = await t.container.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, customer.id));
    expect(told.map((n) => n.content).join('\n')).not.toContain('fan');
  }, 60_000);

  it('renames the topic when the title changes, and the edit of a staff message edits the ticket’s', async () => {
    const { fake, t } = w;
    const ticket = await openTicket(t, customer, category, { title: 'Old title' });
    const created = await fake.waitFor('createForumTopic', (c) =>
      String(c.params.name).includes(`#${ticket.number} `),
    );
    const threadId = (created.result as { message_thread_id: number }).message_thread_id;
    await fake.waitFor('sendMessage', inTopic(threadId));
    const renamed = await callAs(t, customer, 'PUT', `/tickets/${ticket.id}`, {
      title: 'New title',
    });
    expect(renamed.statusCode).toBe(200);
    await fake.waitFor('editForumTopic', (c) => c.params.name === `#${ticket.number} · New title`);

    const staff = groupMember(fake, { id: agentTelegramId, first_name: 'Artem' });
    const telegramMessage = staff.write(threadId, 'First words');
    await expect
      .poll(async () =>
        (
          await t.container.database.db
            .select()
            .from(messages)
            .where(eq(messages.ticketId, ticket.id))
        ).map((m) => m.content),
      )
      .toContain('First words');
    staff.edit(threadId, telegramMessage, 'Better words');
    await expect
      .poll(async () =>
        (
          await t.container.database.db
            .select()
            .from(messages)
            .where(eq(messages.ticketId, ticket.id))
        ).map((m) => [m.content, m.editedAt !== null]),
      )
      .toContainEqual(['Better words', true]);
    const updated = await t.container.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'message.updated'));
    expect(updated.some((e) => JSON.stringify(e.after).includes('Better words'))).toBe(true);
    const ticketNow = await callAs(t, agent, 'GET', `/tickets/${ticket.id}`);
    expect(ticketNow.json<TicketDto>().title).toBe('New title');
  }, 60_000);
});

function inTopicCall(threadId: number) {
  return (call: RecordedCall) => Number(call.params.message_thread_id) === threadId;
}
