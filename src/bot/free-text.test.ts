import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, signIn } from '../../test/app.js';
import { paced, startBotHarness, type BotHarness, type TelegramPerson } from '../../test/bot.js';
import { signInAs } from '../../test/people.js';

let nextId = 7_200_000;
function person(language: 'ru' | 'en'): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name: 'Lev', language_code: language };
}

describe('a free-text message outside any flow', () => {
  let harness: BotHarness;
  let category: string;

  beforeAll(async () => {
    harness = await startBotHarness();
    const admin = await signInAs(harness.testApp, 'admin');
    category = (
      await harness.testApp.container.categories.create(
        { userId: admin.id, role: admin.role, sessionId: 'test' },
        {
          name: 'Accounts',
          description: '',
          icon: '👤',
          color: '#336699',
          sort_order: 0,
          is_active: true,
        },
      )
    ).id;
  });
  afterAll(() => harness.close());

  async function titlesOf(who: TelegramPerson): Promise<{ title: string; description: string }[]> {
    const session = await signIn(harness.testApp, who);
    const response = await harness.testApp.app.inject({
      method: 'GET',
      url: '/api/v1/tickets',
      headers: bearer(session.access_token),
    });
    return response.json<{ items: { title: string; description: string }[] }>().items;
  }

  it('is offered as a ticket and becomes one, its first line suggested as the title', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('I can’t sign in <again>\nThe code never arrives & I waited an hour.');
    const offer = await chat.next();
    expect(offer.text).toContain('Open a support ticket with this text?');
    expect(offer.text).toContain('I can’t sign in &lt;again&gt;');
    expect(offer.buttons.flat().map((b) => b.callback_data)).toEqual([
      'support:from_text',
      'support:no',
    ]);
    const formId = offer.message_id ?? 0;

    await chat.press(formId, 'support:from_text');
    const form = await chat.next();
    expect(form).toMatchObject({ method: 'editMessageText', message_id: formId });
    expect(form.text).toContain('Choose a category:');
    expect(form.text).toContain('Description: I can’t sign in &lt;again&gt;');
    await chat.press(formId, `support:cat:${category}`);
    await chat.next();
    await chat.press(formId, 'support:prio:high');
    const title = await chat.next();
    expect(title.buttons[0]?.[0]).toMatchObject({
      text: 'Use “I can’t sign in <again>”',
      callback_data: 'support:use_title',
    });
    await chat.press(formId, 'support:use_title');
    expect((await chat.next()).text).toContain('You can attach photos');
    await chat.press(formId, 'support:files_done');
    expect((await chat.next()).text).toContain('Check and send:');
    await chat.press(formId, 'support:send');
    expect((await chat.next()).text).toContain('created');
    expect(await titlesOf(who)).toEqual([
      expect.objectContaining({
        title: 'I can’t sign in <again>',
        description: 'I can’t sign in <again>\nThe code never arrives & I waited an hour.',
      }),
    ]);
  });

  it('takes a typed title instead of the suggestion, in Russian', async () => {
    const who = person('ru');
    const chat = paced(harness.chat(who));
    await chat.send('Не приходит письмо');
    const offer = await chat.next();
    expect(offer.text).toContain('Создать обращение в поддержку с этим текстом?');
    expect(offer.buttons.flat().map((b) => b.text)).toEqual(['Создать', 'Нет']);
    const formId = offer.message_id ?? 0;
    await chat.press(formId, 'support:from_text');
    await chat.next();
    await chat.press(formId, `support:cat:${category}`);
    await chat.next();
    await chat.press(formId, 'support:prio:low');
    expect((await chat.next()).buttons[0]?.[0]?.text).toBe('Взять: «Не приходит письмо»');
    await chat.send('Письмо с кодом');
    expect((await chat.next()).text).toContain('Тема: <b>Письмо с кодом</b>');
    await chat.press(formId, 'support:files_done');
    await chat.next();
    await chat.press(formId, 'support:send');
    expect((await chat.next()).text).toContain('создано');
    expect(await titlesOf(who)).toMatchObject([
      { title: 'Письмо с кодом', description: 'Не приходит письмо' },
    ]);
  });

  it('asks for a description when the text is longer than a ticket takes', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('z'.repeat(2001));
    const offer = await chat.next();
    expect(offer.text).toContain('…</blockquote>');
    await chat.press(offer.message_id ?? 0, 'support:from_text');
    const form = await chat.next();
    expect(form.text).toContain('The description is too long — 2000 characters at most.');
    expect(form.text).not.toContain('Description:');
  });

  it('cuts long texts without splitting an emoji in two', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    const firstLine = `${'b'.repeat(198)}😀${'c'.repeat(98)}😀`;
    await chat.send(`${firstLine}\nmore`);
    const offer = await chat.next();
    expect(offer.text).toContain('Open a support ticket with this text?');
    expect(offer.text).toContain('c…</blockquote>');
    await chat.press(offer.message_id ?? 0, 'support:from_text');
    const form = await chat.next();
    expect(form.text).toContain('Choose a category:');
    await chat.press(offer.message_id ?? 0, `support:cat:${category}`);
    await chat.next();
    await chat.press(offer.message_id ?? 0, 'support:prio:low');
    await chat.next();
    await chat.press(offer.message_id ?? 0, 'support:use_title');
    await chat.next();
    await chat.press(offer.message_id ?? 0, 'support:files_done');
    await chat.next();
    await chat.press(offer.message_id ?? 0, 'support:send');
    expect((await chat.next()).text).toContain('created');
    expect(await titlesOf(who)).toMatchObject([{ title: `${'b'.repeat(198)}…` }]);
  });

  it('says no, forgets stale offers and points unknown commands to /help', async () => {
    const who = person('en');
    const chat = paced(harness.chat(who));
    await chat.send('First thought');
    const first = await chat.next();
    await chat.send('Second thought');
    const second = await chat.next();
    await chat.press(first.message_id ?? 0, 'support:from_text');
    await harness.fake.waitFor(
      'answerCallbackQuery',
      (c) => c.params.text === 'This offer is no longer active.',
    );
    await chat.press(second.message_id ?? 0, 'support:no');
    const declined = await chat.next();
    expect(declined).toMatchObject({ message_id: second.message_id, text: 'Okay, no ticket.' });
    await chat.press(second.message_id ?? 0, 'support:from_text');
    const expired = () =>
      harness.fake
        .sent('answerCallbackQuery')
        .filter((c) => c.params.text === 'This offer is no longer active.');
    await expect.poll(() => expired().length).toBe(2);
    await chat.send('/frobnicate');
    expect((await chat.next()).text).toBe('I don’t know that command. See /help for the list.');
    expect(await titlesOf(who)).toHaveLength(0);
  });
});
