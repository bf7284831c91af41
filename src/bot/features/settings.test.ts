import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRole } from '../../db/schema.js';
import { startBotHarness, type BotChat, type BotHarness } from '../../../test/bot.js';

let nextTelegramId = 7_300_000;

/** A Telegram user with a bot chat, already known to the app with `role`. */
async function member(
  h: BotHarness,
  role: UserRole,
  language = 'en',
): Promise<{ chat: BotChat; id: string }> {
  nextTelegramId += 1;
  const person = { id: nextTelegramId, first_name: 'Sam', language_code: language };
  const users = h.testApp.container.users;
  const user = await users.upsertFromTelegram(person);
  if (role !== 'user') await users.setRole(user.id, role);
  return { chat: h.chat(person), id: user.id };
}

/** Presses a button, slowly enough for the bot's flood limit. */
async function press(chat: BotChat, messageId: number, data: string): Promise<void> {
  await sleep(450);
  chat.press(messageId, data);
}

/** Every button's callback data, row by row flattened. */
const dataOf = (buttons: Record<string, unknown>[][]) =>
  buttons.flat().map((button) => String(button.callback_data));

/** The button whose callback data is `data`. */
const buttonOf = (buttons: Record<string, unknown>[][], data: string) =>
  buttons.flat().find((button) => button.callback_data === data);

describe('/settings', () => {
  let h: BotHarness;

  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(() => h.close());

  it('shows a customer their kinds and quiet hours, and no digest', async () => {
    const customer = await member(h, 'user');
    customer.chat.send('/settings');
    const shown = await customer.chat.next();
    expect(shown.method).toBe('sendMessage');
    expect(shown.text).toContain('Notification settings');
    expect(shown.text).toContain('Quiet hours: off');
    expect(shown.text).not.toContain('digest');
    expect(dataOf(shown.buttons)).toEqual([
      'set:mute:new_message',
      'set:mute:status_changed',
      'set:mute:broadcast',
      'set:quiet:off',
      'set:quiet:22:00-08:00',
      'set:quiet:23:00-07:00',
    ]);
  });

  it('toggles a kind, sets quiet hours and the digest, editing the message in place and saving them', async () => {
    const agent = await member(h, 'agent');
    agent.chat.send('/settings');
    const shown = await agent.chat.next();
    const messageId = shown.message_id ?? 0;
    expect(dataOf(shown.buttons)).toContain('set:digest');
    expect(dataOf(shown.buttons)).toContain('set:mute:ticket_created');
    expect(String(buttonOf(shown.buttons, 'set:mute:reminder')?.text)).toMatch(/^🔔/);

    await press(agent.chat, messageId, 'set:mute:reminder');
    const muted = await agent.chat.next();
    expect(muted.method).toBe('editMessageText');
    expect(muted.message_id).toBe(messageId);
    expect(String(buttonOf(muted.buttons, 'set:mute:reminder')?.text)).toMatch(/^🔕/);
    expect(muted.text).toMatch(/🔕 Reminders/);

    await press(agent.chat, messageId, 'set:quiet:22:00-08:00');
    const quiet = await agent.chat.next();
    expect(quiet.method).toBe('editMessageText');
    expect(quiet.text).toContain('Quiet hours: 22:00–08:00');
    expect(String(buttonOf(quiet.buttons, 'set:quiet:22:00-08:00')?.text)).toMatch(/^✅/);

    await press(agent.chat, messageId, 'set:digest');
    const digest = await agent.chat.next();
    expect(digest.text).toContain('Daily digest: on');

    // Saved through the same service as PUT /auth/profile: the app shows the same.
    const row = await h.testApp.container.users.getById(agent.id);
    expect(row.notificationSettings).toMatchObject({
      muted_types: ['reminder'],
      quiet_hours: { start: '22:00', end: '08:00' },
      digest: true,
    });

    await press(agent.chat, messageId, 'set:mute:reminder');
    await agent.chat.next();
    await press(agent.chat, messageId, 'set:quiet:off');
    const off = await agent.chat.next();
    expect(off.text).toContain('Quiet hours: off');
    expect(off.text).toMatch(/🔔 Reminders/);
    expect((await h.testApp.container.users.getById(agent.id)).notificationSettings).toMatchObject({
      muted_types: [],
      quiet_hours: null,
      digest: true,
    });
  });

  it('answers in Russian, and refuses a customer the digest button', async () => {
    const customer = await member(h, 'user', 'ru');
    customer.chat.send('/settings');
    const shown = await customer.chat.next();
    expect(shown.text).toContain('Настройки уведомлений');
    expect(shown.text).toContain('Тихие часы: выкл.');
    await press(customer.chat, shown.message_id ?? 0, 'set:digest');
    const refused = await h.fake.waitFor(
      'answerCallbackQuery',
      (c) => c.params.text === 'Дневная сводка — только для сотрудников поддержки.',
    );
    expect(refused).toBeDefined();
    expect(
      (await h.testApp.container.users.getById(customer.id)).notificationSettings.digest,
    ).toBeFalsy();
  });

  it('is in the command menu', async () => {
    const menu = await h.fake.waitFor(
      'setMyCommands',
      (c) => (c.params as { language_code?: string }).language_code === 'en',
    );
    const commands = (menu.params.commands as { command: string }[]).map((c) => c.command);
    expect(commands).toContain('settings');
  });
});
