import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../test/app.js';
import { startBotHarness, type BotHarness } from '../../test/bot.js';
import type { RecordedCall } from '../../test/fake-bot-api.js';
import { startBot } from './runtime.js';

const miniAppUrl = 'https://app.example.test/';

function commandNames(call: RecordedCall | undefined): string[] {
  const commands = (call?.params.commands ?? []) as { command: string }[];
  return commands.map((c) => c.command);
}

function scopeChat(call: RecordedCall): number | undefined {
  const scope = call.params.scope as { type?: string; chat_id?: number } | undefined;
  return scope?.type === 'chat' ? Number(scope.chat_id) : undefined;
}

describe('what Telegram shows around the chat', () => {
  let harness: BotHarness;
  let since = 0;
  /** Calls of the bot started in `beforeAll` (the harness's first bot made calls before). */
  const calls = () => harness.fake.calls.slice(since);
  const agent = { id: 7_500_001, first_name: 'Artem', language_code: 'en' };
  const admin = { id: 7_500_002, first_name: 'Adam', language_code: 'ru' };

  beforeAll(async () => {
    harness = await startBotHarness({ env: { MINI_APP_URL: miniAppUrl } });
    // Staff who exist when the bot starts get their menus at start.
    const users = harness.testApp.container.users;
    await users.setRole((await signIn(harness.testApp, agent)).user.id, 'agent');
    await users.setRole((await signIn(harness.testApp, admin)).user.id, 'admin');
    await harness.running.stop();
    since = harness.fake.calls.length;
    harness.running = await startBot(harness.testApp.container);
  });
  afterAll(() => harness.close());

  it('sets the user commands in Russian, English, and English for other languages', () => {
    const defaults = calls().filter(
      (c) => c.method === 'setMyCommands' && scopeChat(c) === undefined,
    );
    const byLanguage = new Map(
      defaults.map((c) => [
        typeof c.params.language_code === 'string' ? c.params.language_code : '',
        c,
      ]),
    );
    expect(new Set(byLanguage.keys())).toEqual(new Set(['', 'en', 'ru']));
    expect(commandNames(byLanguage.get('ru'))).toEqual([
      'start',
      'support',
      'status',
      'tickets',
      'settings',
      'help',
    ]);
    const descriptions = (language: string) =>
      (byLanguage.get(language)?.params.commands as { description: string }[]).map(
        (c) => c.description,
      );
    expect(descriptions('en')).toContain('My active tickets');
    expect(descriptions('ru')).toContain('Мои активные обращения');
    // A `de` client gets the menu without a language: English, as the bot's replies to it.
    expect(descriptions('')).toEqual(descriptions('en'));
  });

  it('gives staff chats the staff commands, admins theirs and /report too, in their language', () => {
    const staffCalls = calls().filter((c) => c.method === 'setMyCommands' && scopeChat(c));
    const forAgent = staffCalls.find((c) => scopeChat(c) === agent.id);
    const forAdmin = staffCalls.find((c) => scopeChat(c) === admin.id);
    expect(commandNames(forAgent)).toEqual([
      'start',
      'support',
      'status',
      'tickets',
      'settings',
      'help',
      'admin',
      'stats',
    ]);
    expect(commandNames(forAdmin)).toEqual([
      'start',
      'support',
      'status',
      'tickets',
      'settings',
      'help',
      'admin',
      'stats',
      'report',
      'role',
      'broadcast',
    ]);
    expect(JSON.stringify(forAdmin?.params.commands)).toContain('Панель поддержки');
  });

  it('points the menu button at the Mini App', () => {
    const call = calls().find((c) => c.method === 'setChatMenuButton');
    expect(call?.params.menu_button).toEqual({
      type: 'web_app',
      text: 'Обращения',
      web_app: { url: miniAppUrl },
    });
  });

  it('follows role changes: promoted staff get their menu, demoted lose it', async () => {
    const who = { id: 7_500_003, first_name: 'Mira', language_code: 'en' };
    const users = harness.testApp.container.users;
    const { user } = await signIn(harness.testApp, who);
    await users.setRole(user.id, 'moderator');
    const promoted = await harness.fake.waitFor('setMyCommands', (c) => scopeChat(c) === who.id);
    expect(commandNames(promoted)).toContain('admin');
    expect(commandNames(promoted)).not.toContain('role');

    await users.setRole(user.id, 'user');
    const demoted = await harness.fake.waitFor('deleteMyCommands', (c) => scopeChat(c) === who.id);
    expect(demoted).toBeDefined();
  });

  it('names the token when Telegram refuses it at start', async () => {
    const container = harness.testApp.container;
    const config = { ...container.config, TELEGRAM_BOT_TOKEN: '123456:not-the-token' };
    await expect(startBot({ ...container, config })).rejects.toThrow(
      'Telegram refused TELEGRAM_BOT_TOKEN',
    );
  });

  it('keeps going when Telegram refuses the set-up', async () => {
    await harness.running.stop();
    harness.fake.failNext('setMyCommands', { status: 400, description: 'Bad Request: odd' }, 3);
    harness.fake.failNext('setChatMenuButton', { status: 400, description: 'Bad Request: odd' });
    harness.running = await startBot(harness.testApp.container);
    const chat = harness.chat({ id: 7_500_004, first_name: 'Ulla', language_code: 'en' });
    chat.send('/tickets');
    expect((await chat.next()).text).toBe('All your tickets are in the app:');
  });
});

describe('without an https Mini App', () => {
  let harness: BotHarness;
  beforeAll(async () => {
    harness = await startBotHarness({ env: { MINI_APP_URL: 'http://localhost:5173/' } });
  });
  afterAll(() => harness.close());

  it('leaves the menu button as it is', () => {
    expect(harness.fake.calls.some((c) => c.method === 'setChatMenuButton')).toBe(false);
    expect(harness.fake.calls.some((c) => c.method === 'setMyCommands')).toBe(true);
  });
});
