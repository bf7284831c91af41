import { Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotHarness, type BotHarness } from '../../test/bot.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { Conflict, DomainError, Forbidden, Invalid, NotFound } from '../errors.js';
import type { BotContext } from './context.js';
import { answerRefusal, refusalText } from './refusals.js';
import { textsFor } from './texts/index.js';

const person = { id: 7_500_001, is_bot: false, first_name: 'Ира' };
const chat = { id: person.id, type: 'private' as const, first_name: person.first_name };

function message(text: string): Update {
  return {
    update_id: 1,
    message: { message_id: 10, date: 0, chat, from: person, text },
  };
}

function press(data: string): Update {
  return {
    update_id: 2,
    callback_query: { id: 'q1', from: person, chat_instance: 'c', data },
  };
}

describe('the words for a service’s refusal', () => {
  const en = textsFor('en');
  const ru = textsFor('ru');

  it('follows the kind of refusal, in the user’s language', () => {
    expect(refusalText(new Forbidden(), en)).toBe('You are not allowed to do that.');
    expect(refusalText(new NotFound('Ticket not found'), ru)).toBe(
      'Не найдено — возможно, это уже удалили.',
    );
    expect(refusalText(new Invalid('Some fields are invalid'), en)).toBe(
      'Not accepted: please check what you sent.',
    );
    expect(refusalText(new DomainError(502, 'Telegram did not give the file'), en)).toBe(
      'That cannot be done right now. Please try again a little later.',
    );
  });

  it('says what did not happen when it knows what the user was doing', () => {
    const closed = new Conflict('The ticket is closed; reopen it first', 'ticket_closed');
    expect(refusalText(closed, en, { what: 'reply', number: 42 })).toContain(
      'Ticket #42 is closed',
    );
    expect(refusalText(new NotFound(), ru, { what: 'ticket', number: 7 })).toBe(
      'Обращение #7 не найдено. Возможно, номер неверный или оно не ваше.',
    );
    expect(refusalText(new Conflict('Changed'), en, { what: 'panel' })).toBe(
      'That did not work: the ticket changed meanwhile. Panel refreshed',
    );
    expect(refusalText(new Invalid('Bad'), en, { what: 'reply', number: 1 })).toBe(
      'Your message could not be added. Not accepted: please check what you sent.',
    );
  });

  it('has no words for a failure that is not a refusal', () => {
    expect(refusalText(new Error('connection lost'), en)).toBeUndefined();
  });
});

describe('the error boundary around the bot’s features', () => {
  let fake: FakeBotApi;
  let bot: Bot<BotContext>;
  let fail: () => Error;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    bot = new Bot<BotContext>(fake.token, { client: { apiRoot: fake.url } });
    await bot.init();
    // As the bot's `identify` does: the sender's texts (here Russian for messages, English for
    // button presses), then the features behind the boundary.
    bot.use(async (ctx, next) => {
      ctx.t = textsFor(ctx.callbackQuery ? 'en' : 'ru');
      await next();
    });
    bot.errorBoundary(answerRefusal, () => {
      throw fail();
    });
  });
  afterAll(() => fake.close());

  it('answers a refusal raised in a handler with the translated words', async () => {
    fail = () => new Conflict('The ticket was changed by someone else');
    await bot.handleUpdate(message('/take'));
    const reply = await fake.waitFor('sendMessage', (c) => c.params.chat_id === person.id);
    expect(reply.params.text).toBe(
      'Не получилось: за это время что-то изменилось. Попробуйте ещё раз.',
    );
  });

  it('answers a refused button press on the button', async () => {
    fail = () => new NotFound('Ticket not found');
    await bot.handleUpdate(press('adm:take:1'));
    const answer = await fake.waitFor('answerCallbackQuery');
    expect(answer.params.text).toBe('Not found — it may have been deleted.');
  });

  it('passes any other error on to the bot’s error handler', async () => {
    fail = () => new Error('connection lost');
    await expect(bot.handleUpdate(message('/take'))).rejects.toThrow('connection lost');
  });
});

describe('a refusal in a real handler', () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(() => h.close());

  it('answers a panel button in the staff member’s language', async () => {
    const person = { id: 7_500_101, first_name: 'Артём', language_code: 'ru' };
    const agent = await h.testApp.container.users.upsertFromTelegram(person);
    await h.testApp.container.users.setRole(agent.id, 'agent');
    const chat = h.chat(person);
    chat.send('/admin');
    const panel = await chat.next();
    chat.press(panel.message_id ?? 0, 'adm:take:999999');
    const answer = await h.fake.waitFor('answerCallbackQuery', (c) => c.params.text !== undefined);
    expect(answer.params.text).toBe('Обращение не найдено — возможно, его удалили');
  });
});
