import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  paced,
  startBotHarness,
  type BotHarness,
  type BotReply,
  type PacedChat,
  type TelegramPerson,
} from '../../test/bot.js';
import { defaultCategory } from '../categories/default-category.js';
import type { UserRole } from '../db/schema.js';

let nextId = 7_600_000;
function person(language: 'ru' | 'en', first_name: string, username?: string): TelegramPerson {
  nextId += 1;
  return { id: nextId, first_name, language_code: language, ...(username ? { username } : {}) };
}

/** /start, then what the bot answers until (and with) the answer to a following /help. */
async function startAnswers(chat: PacedChat): Promise<BotReply[]> {
  await chat.send('/start');
  const answers = [await chat.next()];
  // /help's answer marks the end: anything /start sent came before it.
  await chat.send('/help');
  for (;;) {
    const reply = await chat.next();
    if (reply.text.includes('/help — ')) return answers;
    answers.push(reply);
  }
}

const defaultLabel = `${defaultCategory.icon} ${defaultCategory.name}`;

describe('the owner’s setup checklist in /start, on a fresh install', () => {
  let harness: BotHarness;
  const owner = person('en', 'Olga');
  const ownerRu = person('ru', 'Oleg');

  beforeAll(async () => {
    harness = await startBotHarness({
      defaultCategory: true,
      env: { OWNER_TELEGRAM_IDS: `${owner.id},${ownerRu.id}` },
    });
  });
  afterAll(() => harness.close());

  it('follows the greeting with what is set up and what is not, and where to do it', async () => {
    const chat = paced(harness.chat(owner));
    const [welcome, checklist, ...rest] = await startAnswers(chat);
    expect(welcome!.text).toContain('Hi, Olga!');
    expect(rest).toEqual([]);
    expect(checklist!.text.split('\n\n')).toEqual([
      '🛠 <b>Setup</b>: 2 of 4 done',
      `✅ <b>Categories</b>: 1 active — ${defaultLabel}.\n` +
        'Customers choose one in /support. Add, rename or switch off categories through the ' +
        'API: docs/api.md, “Categories”.',
      '❌ <b>Staff</b>: only the owners so far.\n' +
        'To add someone: they send /start to this bot, then you send ' +
        '<code>/role @username agent</code> (or <code>admin</code>). They need a Telegram username.',
      '❌ <b>Mini App</b>: MINI_APP_URL is not set, so the bot shows no app button.\n' +
        'Set MINI_APP_URL to the public https:// address of this server and restart: ' +
        'docs/operations.md, “Telegram bot”.',
      '✅ <b>New ticket alerts</b>: 1 of 1 staff get them in Telegram.',
      '<i>Only owners see this list. More: docs/operations.md, “First start”.</i>',
    ]);
  });

  it('speaks Russian to a Russian owner', async () => {
    const chat = paced(harness.chat(ownerRu));
    const [, checklist] = await startAnswers(chat);
    const lines = checklist!.text.split('\n\n');
    expect(lines[0]).toBe('🛠 <b>Настройка</b>: готово 2 из 4');
    expect(lines[1]).toContain('✅ <b>Категории</b>: активных 1 — 💬 Общие вопросы.');
    expect(lines[2]).toContain('❌ <b>Сотрудники</b>: пока только владельцы.');
    expect(lines[2]).toContain('<code>/role @username agent</code>');
    expect(lines[3]).toContain('❌ <b>Mini App</b>: MINI_APP_URL не задан');
    // Both owners have written to the bot now.
    expect(lines[4]).toBe(
      '✅ <b>Уведомления о новых обращениях</b>: в Telegram их получат 2 из 2 сотрудников.',
    );
    expect(lines).toHaveLength(6);
  });

  it('says customers cannot open tickets, and that nobody hears of them, when so', async () => {
    const { categories, users } = harness.testApp.container;
    const [category] = (await categories.list({ includeInactive: false, limit: 10 })).items;
    const muted = { notification_settings: { muted_types: ['ticket_created' as const] } };
    const ownerRow = await users.findByTelegramId(owner.id);
    const otherOwner = await users.findByTelegramId(ownerRu.id);
    const admin = { userId: ownerRow!.id, role: 'owner' as const, sessionId: '' };
    await categories.update(admin, category!.id, { is_active: false });
    await users.updateProfile(ownerRow!.id, muted);
    await users.markBotBlocked(otherOwner!.id, harness.testApp.container.clock.now());
    try {
      const [, checklist] = await startAnswers(paced(harness.chat(owner)));
      const lines = checklist!.text.split('\n\n');
      expect(lines[0]).toBe('🛠 <b>Setup</b>: 0 of 4 done');
      expect(lines[1]).toBe(
        '❌ <b>Categories</b>: none active (1 switched off), so customers cannot open tickets.\n' +
          'Customers choose one in /support. Add, rename or switch off categories through the ' +
          'API: docs/api.md, “Categories”.',
      );
      expect(lines[4]).toBe(
        '❌ <b>New ticket alerts</b>: no staff member gets them in Telegram ' +
          '(1 blocked the bot, 1 muted new tickets).\n' +
          'Whoever blocked the bot opens it and presses Start again; muted alerts are turned ' +
          'back on in the profile’s notification settings (PUT /api/v1/auth/profile).',
      );
    } finally {
      await categories.update(admin, category!.id, { is_active: true });
      await users.updateProfile(ownerRow!.id, { notification_settings: { muted_types: [] } });
      await users.markBotReachable(otherOwner!.id);
    }
  });
});

describe('the owner’s setup checklist in /start, on a configured install', () => {
  let harness: BotHarness;
  const owner = person('en', 'Olga');
  const miniAppUrl = 'https://help.example.test/app?x=1&y=2';

  beforeAll(async () => {
    harness = await startBotHarness({
      defaultCategory: true,
      env: { OWNER_TELEGRAM_IDS: String(owner.id), MINI_APP_URL: miniAppUrl },
    });
    const { categories, users, clock } = harness.testApp.container;
    async function staff(role: UserRole, username: string) {
      const row = await users.upsertFromTelegram({ id: ++nextId, first_name: username, username });
      return users.setRole(row.id, role);
    }
    const admin = await staff('admin', 'dana');
    await staff('agent', 'boris');
    const blocked = await staff('agent', 'chen');
    await users.markBotBlocked(blocked.id, clock.now());
    await users.updateProfile(admin.id, {
      notification_settings: { muted_types: ['ticket_created'] },
    });
    const actor = { userId: admin.id, role: admin.role, sessionId: '' };
    const base = { description: '', color: '#336699', sort_order: 1 };
    await categories.create(actor, { ...base, name: 'Printers <3F>', icon: '🖨', is_active: true });
    await categories.create(actor, { ...base, name: 'Old', icon: '', is_active: false });
  });
  afterAll(() => harness.close());

  it('shows every item done, with what it found', async () => {
    const [, checklist] = await startAnswers(paced(harness.chat(owner)));
    const lines = checklist!.text.split('\n\n');
    expect(lines[0]).toBe('🛠 <b>Setup</b>: all done');
    expect(lines[1]).toContain(
      `✅ <b>Categories</b>: 2 active — ${defaultLabel}, 🖨 Printers &lt;3F&gt;.`,
    );
    expect(lines[2]).toContain('✅ <b>Staff</b>: 3 besides the owners.');
    expect(lines[3]).toBe(
      '✅ <b>Mini App</b>: https://help.example.test/app?x=1&amp;y=2 opens from the menu button ' +
        'and the bot’s messages.',
    );
    expect(lines[4]).toBe(
      '✅ <b>New ticket alerts</b>: 2 of 4 staff get them in Telegram ' +
        '(1 blocked the bot, 1 muted new tickets).',
    );
  });

  it('is not shown to anyone but owners', async () => {
    const { users } = harness.testApp.container;
    const admin = person('en', 'Adam');
    await users.setRole((await users.upsertFromTelegram(admin)).id, 'admin');
    for (const who of [admin, person('ru', 'Ulla')]) {
      const answers = await startAnswers(paced(harness.chat(who)));
      expect(answers).toHaveLength(1);
      expect(answers[0]!.text).toMatch(/^(Hi|Здравствуйте), /);
    }
  });
});
