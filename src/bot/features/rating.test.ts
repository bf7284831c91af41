import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotHarness, type BotChat, type BotHarness } from '../../../test/bot.js';
import { manualClock, type ManualClock } from '../../../test/manual-clock.js';
import { addCategory } from '../../../test/people.js';
import type { Principal } from '../../auth/principal.js';

const hour = 3_600_000;
let nextTelegramId = 7_600_000;

/** Presses a button, slowly enough for the bot's flood limit. */
async function press(chat: BotChat, messageId: number, data: string): Promise<void> {
  await sleep(300);
  chat.press(messageId, data);
}

/** Every button's callback data, row by row flattened. */
const dataOf = (buttons: Record<string, unknown>[][]) =>
  buttons
    .flat()
    .flatMap((button) => (typeof button.callback_data === 'string' ? [button.callback_data] : []));

describe('rating a resolved ticket in Telegram', () => {
  let h: BotHarness;
  let clock: ManualClock;
  let category: string;

  beforeAll(async () => {
    clock = manualClock('2026-05-04T09:00:00Z');
    h = await startBotHarness({ clock, env: { MINI_APP_URL: 'https://app.example.com' } });
    category = await addCategory(h.testApp);
  });
  afterAll(() => h.close());

  /** A Telegram user known to the app with `role`, with their chat and principal. */
  async function member(role: 'user' | 'agent', language: string) {
    nextTelegramId += 1;
    const person = { id: nextTelegramId, first_name: 'Kim', language_code: language };
    const users = h.testApp.container.users;
    const user = await users.upsertFromTelegram(person);
    if (role !== 'user') await users.setRole(user.id, role);
    const principal: Principal = { userId: user.id, role, sessionId: '' };
    return { chat: h.chat(person), principal };
  }

  /** A ticket of `customer`, taken and resolved by `agent`: the notice goes out. */
  async function resolvedTicket(customer: Principal, agent: Principal) {
    const { tickets } = h.testApp.container;
    const ticket = await tickets.create(customer, {
      category_id: category,
      title: 'VPN drops every hour',
      description: 'Since the update.',
      priority: 'normal',
    });
    await tickets.assign(agent, ticket.id, agent.userId);
    await tickets.changeStatus(agent, ticket.id, 'resolved');
    return ticket;
  }

  it('asks with 1–5 buttons, saves a press, edits the notice and takes the next text as the comment', async () => {
    const customer = await member('user', 'en');
    const agent = await member('agent', 'en');
    const ticket = await resolvedTicket(customer.principal, agent.principal);

    const asked = await customer.chat.next(15_000);
    expect(asked.method).toBe('sendMessage');
    expect(asked.text).toContain(`Ticket #${ticket.number} status`);
    expect(asked.text).toContain('How did we do? Rate our help:');
    expect(dataOf(asked.buttons)).toEqual([1, 2, 3, 4, 5].map((n) => `rate:${ticket.id}:${n}`));
    expect(asked.buttons[0]?.map((button) => button.text)).toEqual([
      '⭐ 1',
      '⭐ 2',
      '⭐ 3',
      '⭐ 4',
      '⭐ 5',
    ]);
    expect(asked.buttons[1]?.[0]).toMatchObject({ text: 'Open ticket' });
    const messageId = asked.message_id ?? 0;

    await press(customer.chat, messageId, `rate:${ticket.id}:4`);
    const rated = await customer.chat.next();
    expect(rated.method).toBe('editMessageText');
    expect(rated.message_id).toBe(messageId);
    expect(rated.text).toContain('Your rating: ★★★★☆ 4/5');
    expect(rated.buttons[0]?.map((button) => button.text)).toContain('✅ 4');
    expect(dataOf(rated.buttons)).toContain(`rate:${ticket.id}:comment`);
    await expect
      .poll(() => h.fake.sent('answerCallbackQuery').map((call) => call.params.text))
      .toContain('Thank you! Your rating: 4/5');
    const { ratings } = h.testApp.container;
    expect((await ratings.current(customer.principal, ticket.id)).rating).toMatchObject({
      score: 4,
      comment: null,
    });

    await press(customer.chat, messageId, `rate:${ticket.id}:comment`);
    const prompt = await customer.chat.next();
    expect(prompt.text).toContain('Write your comment in one message');
    await sleep(300);
    customer.chat.send('Fixed fast, thanks!');
    expect((await customer.chat.next()).text).toBe('Thank you! Your comment is saved.');
    expect((await ratings.current(customer.principal, ticket.id)).rating).toMatchObject({
      score: 4,
      comment: 'Fixed fast, thanks!',
    });

    // Pressed again within the day, the score changes and the comment stays.
    clock.advance(20 * hour);
    await press(customer.chat, messageId, `rate:${ticket.id}:2`);
    expect((await customer.chat.next()).text).toContain('Your rating: ★★☆☆☆ 2/5');
    expect((await ratings.current(customer.principal, ticket.id)).rating).toMatchObject({
      score: 2,
      comment: 'Fixed fast, thanks!',
    });

    // The assignee heard of each change in Telegram, with the score and the comment.
    await expect
      .poll(() => agent.chat.all().map((reply) => reply.text), { timeout: 15_000 })
      .toEqual(
        expect.arrayContaining([
          expect.stringContaining(`Ticket #${ticket.number} rated 4/5`),
          expect.stringContaining('Comment: Fixed fast, thanks!'),
          expect.stringContaining(`Ticket #${ticket.number} rated 2/5`),
        ]),
      );

    // A day after it was first given the rating stands: the press is refused in words.
    clock.advance(5 * hour);
    const answered = h.fake.sent('answerCallbackQuery').length;
    await press(customer.chat, messageId, `rate:${ticket.id}:5`);
    await expect
      .poll(() =>
        h.fake
          .sent('answerCallbackQuery')
          .slice(answered)
          .map((c) => c.params.text),
      )
      .toEqual(['Your rating stands: it can be changed for a day after it was given.']);
    expect((await ratings.current(customer.principal, ticket.id)).rating?.score).toBe(2);
  });

  it('speaks Russian to a Russian customer, and refuses a press once the ticket is reopened', async () => {
    const customer = await member('user', 'ru');
    const agent = await member('agent', 'ru');
    const ticket = await resolvedTicket(customer.principal, agent.principal);
    const asked = await customer.chat.next(15_000);
    expect(asked.text).toContain('Как мы справились? Оцените нашу помощь:');

    await h.testApp.container.tickets.changeStatus(agent.principal, ticket.id, 'in_progress');
    const reopened = await customer.chat.next(15_000);
    expect(reopened.text).not.toContain('Как мы справились');
    expect(dataOf(reopened.buttons)).toEqual([]);
    const answered = h.fake.sent('answerCallbackQuery').length;
    await press(customer.chat, asked.message_id ?? 0, `rate:${ticket.id}:5`);
    await expect
      .poll(() =>
        h.fake
          .sent('answerCallbackQuery')
          .slice(answered)
          .map((c) => c.params.text),
      )
      .toEqual(['Обращение сейчас не решено — оценивать пока нечего.']);
    const state = await h.testApp.container.ratings.current(customer.principal, ticket.id);
    expect(state).toEqual({ rating: null, can_rate: false });
  });

  it('asks again for a comment that is too long, and takes the next one', async () => {
    const customer = await member('user', 'en');
    const agent = await member('agent', 'en');
    const ticket = await resolvedTicket(customer.principal, agent.principal);
    const asked = await customer.chat.next(15_000);
    const messageId = asked.message_id ?? 0;
    await press(customer.chat, messageId, `rate:${ticket.id}:3`);
    await customer.chat.next();
    await press(customer.chat, messageId, `rate:${ticket.id}:comment`);
    await customer.chat.next();
    await sleep(300);
    customer.chat.send('x'.repeat(1001));
    expect((await customer.chat.next()).text).toBe(
      'That is too long: up to 1000 characters, please.',
    );
    await sleep(300);
    customer.chat.send('Took two calls');
    expect((await customer.chat.next()).text).toBe('Thank you! Your comment is saved.');
    const state = await h.testApp.container.ratings.current(customer.principal, ticket.id);
    expect(state.rating).toMatchObject({ score: 3, comment: 'Took two calls' });
  });
});
