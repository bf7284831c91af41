import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botState, broadcasts, type UserRole } from '../../../db/schema.js';
import { startBotHarness, type BotChat, type BotHarness } from '../../../../test/bot.js';

let nextTelegramId = 7_300_000;

/** Recipients of the broadcast besides the staff below. */
const audienceSize = 30;

describe('/broadcast', () => {
  let h: BotHarness;
  let admin: BotChat;
  let recipients: number[];
  let blockedBefore: number;
  let blocksNow: number;
  let below: BotChat[];

  async function member(role: UserRole, languageCode = 'en') {
    nextTelegramId += 1;
    const person = {
      id: nextTelegramId,
      first_name: `Person ${nextTelegramId}`,
      language_code: languageCode,
    };
    const users = h.testApp.container.users;
    const user = await users.upsertFromTelegram(person);
    if (role !== 'user') await users.setRole(user.id, role);
    return { chat: h.chat(person), id: user.id, telegramId: person.id };
  }

  /** Sends slowly enough for the bot's flood limit (5 updates in 2 s per user). */
  async function say(chat: BotChat, text: string) {
    await sleep(450);
    chat.send(text);
    return chat.next();
  }

  const draftOf = async (chatId: number) =>
    h.testApp.container.database.db
      .select()
      .from(botState)
      .where(eq(botState.key, `broadcast:${chatId}`));

  beforeAll(async () => {
    // Slower sends than production, so the progress report shows at least once.
    h = await startBotHarness({ env: { BROADCAST_PROGRESS_S: '1', NOTIFY_RATE_PER_S: '10' } });
    admin = (await member('admin')).chat;
    recipients = [];
    for (let i = 0; i < audienceSize; i += 1) {
      recipients.push((await member('user', i % 2 === 0 ? 'en' : 'ru')).telegramId);
    }
    const gone = await member('user');
    blockedBefore = gone.telegramId;
    await h.testApp.container.users.markBotBlocked(gone.id, new Date());
    below = [];
    for (const role of ['user', 'agent', 'moderator'] as const)
      below.push((await member(role)).chat);
    blocksNow = recipients[3] ?? 0;
    h.fake.blockChat(blocksNow);
  });
  afterAll(() => h.close());

  it('is refused to everyone below admin', async () => {
    for (const someone of below) {
      expect((await say(someone, '/broadcast')).text).toBe('This command is not available to you.');
    }
  });

  it('keeps the draft in bot_state, and /cancel drops it', async () => {
    expect((await say(admin, '/broadcast')).text).toContain('Send the broadcast text');
    expect(await draftOf(admin.person.id)).toHaveLength(1);
    await sleep(450);
    admin.sendPhoto(Buffer.from('not text'));
    expect((await admin.next()).text).toContain('A broadcast needs text');
    expect((await say(admin, '/cancel')).text).toBe('Broadcast cancelled.');
    expect(await draftOf(admin.person.id)).toHaveLength(0);
  });

  it('refuses a text too long, and Cancel on the preview drops it', async () => {
    await say(admin, '/broadcast');
    expect((await say(admin, 'x'.repeat(3501))).text).toContain('3500 characters at most');
    const preview = await say(admin, 'Draft to drop');
    admin.press(preview.message_id ?? 0, 'bc:no');
    await h.fake.waitFor('answerCallbackQuery', (c) => c.params.text === 'Broadcast cancelled.');
    // Confirm on the dropped preview does nothing but say so.
    await sleep(450);
    admin.press(preview.message_id ?? 0, 'bc:ok');
    await h.fake.waitFor('answerCallbackQuery', (c) =>
      String(c.params.text).includes('no longer current'),
    );
    expect(await h.testApp.container.database.db.select().from(broadcasts)).toHaveLength(0);
  });

  it('previews, then sends once to everyone reachable, through a 429, and reports', async () => {
    await sleep(2_000);
    await say(admin, '/broadcast');
    const preview = await say(admin, 'Maintenance <tonight> & tomorrow');
    const reachable = audienceSize + 3; // and the three of the refusal test
    expect(preview.text).toContain('Maintenance &lt;tonight&gt; &amp; tomorrow');
    expect(preview.text).toContain(`Recipients: <b>${reachable}</b>`);
    expect(preview.text).toContain('Blocked the bot, skipped: <b>1</b>');
    expect(preview.buttons.flat().map((b) => b.callback_data)).toEqual(['bc:ok', 'bc:no']);

    const mark = h.fake.calls.length;
    admin.press(preview.message_id ?? 0, 'bc:ok');
    // A second press of Confirm starts nothing more.
    admin.press(preview.message_id ?? 0, 'bc:ok');
    await h.fake.waitFor(
      'answerCallbackQuery',
      (c) => h.fake.calls.indexOf(c) >= mark && String(c.params.text).includes('no longer current'),
    );
    const status = await h.fake.waitFor(
      'sendMessage',
      (c) =>
        Number(c.params.chat_id) === admin.person.id &&
        String(c.params.text).includes('Starting the broadcast'),
    );
    h.fake.failNext('sendMessage', { status: 429, retryAfter: 1 });
    const statusId = (status.result as { message_id: number }).message_id;
    const report = await h.fake.waitFor(
      'editMessageText',
      (c) => c.params.message_id === statusId && String(c.params.text).includes('finished'),
      20_000,
    );
    expect(report.params.text).toBe(
      '📣 <b>Broadcast finished</b>\n\nDelivered: <b>32</b>\nFailed: <b>0</b>\n' +
        `Blocked the bot: <b>2</b>\nTotal: <b>${reachable + 1}</b>`,
    );
    const progress = h.fake
      .sent('editMessageText')
      .filter((c) => c.params.message_id === statusId && String(c.params.text).includes('%'));
    expect(progress.length).toBeGreaterThan(0);
    expect(String(progress[0]?.params.text)).toMatch(/[▓░]{10} \d+% — \d+\/34/);

    const delivered = h.fake
      .sent('sendMessage')
      .filter((c) =>
        /^<b>📣 (Announcement|Объявление)<\/b>\nMaintenance &lt;tonight&gt;/.test(
          String(c.params.text),
        ),
      );
    const byChat = new Map<number, number>();
    for (const call of delivered) {
      const chat = Number(call.params.chat_id);
      byChat.set(chat, (byChat.get(chat) ?? 0) + 1);
    }
    for (const chat of recipients.filter((id) => id !== blocksNow)) {
      expect(byChat.get(chat)).toBe(1);
    }
    expect(byChat.has(blocksNow)).toBe(false);
    expect(byChat.has(blockedBefore)).toBe(false);
    expect(byChat.has(admin.person.id)).toBe(false);
    expect(byChat.size).toBe(32);
    // The 429 was a real refusal, retried later: one more attempt than deliveries (and the 403s).
    const attempts = h.fake.calls.filter(
      (c) => c.method === 'sendMessage' && String(c.params.text).startsWith('<b>📣 '),
    );
    expect(attempts.length).toBeGreaterThanOrEqual(32 + 1 + 1);
    const english = delivered.find((c) => Number(c.params.chat_id) === recipients[0]);
    const russian = delivered.find((c) => Number(c.params.chat_id) === recipients[1]);
    expect(english?.params.text).toContain('<b>📣 Announcement</b>');
    expect(russian?.params.text).toContain('<b>📣 Объявление</b>');

    const rows = await h.testApp.container.database.db.select().from(broadcasts);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      status: 'done',
      total: reachable + 1,
      sent: 32,
      failed: 0,
      blocked: 2,
      text: 'Maintenance <tonight> & tomorrow',
    });
    expect(row?.finishedAt).toBeInstanceOf(Date);
    const blocked = await h.testApp.container.users.findByTelegramId(blocksNow);
    expect(blocked?.botBlockedAt).toBeInstanceOf(Date);
  });
});

describe('/broadcast when nobody can get it, and when it cannot start', () => {
  let h: BotHarness;
  let admin: BotChat;

  beforeAll(async () => {
    h = await startBotHarness();
    const person = { id: 7_390_001, first_name: 'Анна', language_code: 'ru' };
    const user = await h.testApp.container.users.upsertFromTelegram(person);
    await h.testApp.container.users.setRole(user.id, 'admin');
    admin = h.chat(person);
  });
  afterAll(() => h.close());

  async function say(text: string) {
    await sleep(450);
    admin.send(text);
    return admin.next();
  }

  it('says so when nobody would receive it', async () => {
    expect((await say('/broadcast')).text).toContain('Пришлите текст рассылки');
    expect((await say('Всем привет')).text).toBe(
      'Сейчас рассылку некому получить. Черновик удалён.',
    );
    const drafts = await h.testApp.container.database.db
      .select()
      .from(botState)
      .where(eq(botState.key, `broadcast:${admin.person.id}`));
    expect(drafts).toHaveLength(0);
  });

  it('keeps the text and the Send button when the broadcast fails to start', async () => {
    const users = h.testApp.container.users;
    await users.upsertFromTelegram({ id: 7_390_002, first_name: 'Олег', language_code: 'ru' });
    const gone = await users.upsertFromTelegram({ id: 7_390_003, first_name: 'Ира' });
    await users.markBotBlocked(gone.id, new Date());
    await say('/broadcast');
    const preview = await say('Завтра <техработы> & перерыв');
    expect(preview.text).toContain('Получателей: <b>1</b>');
    expect(preview.text).toContain('Заблокировали бота, пропустим: <b>1</b>');
    // The queue is down: starting fails inside the broadcast's transaction.
    await h.testApp.container.queue.stop();
    await sleep(450);
    admin.press(preview.message_id ?? 0, 'bc:ok');
    const failed = await h.fake.waitFor('editMessageText', (c) =>
      String(c.params.text).includes('Рассылка не началась'),
    );
    expect(failed.params.text).toContain('Текст сохранён');
    const status = h.fake
      .sent('sendMessage')
      .find((c) => String(c.params.text).includes('Запускаю рассылку'));
    expect(failed.params.message_id).toBe((status?.result as { message_id: number }).message_id);
    expect(await h.testApp.container.database.db.select().from(broadcasts)).toHaveLength(0);
    const restored = h.fake
      .sent('editMessageReplyMarkup')
      .filter((c) => c.params.message_id === preview.message_id)
      .at(-1);
    expect(JSON.stringify(restored?.params.reply_markup)).toContain('bc:ok');
    const [draft] = await h.testApp.container.database.db
      .select()
      .from(botState)
      .where(eq(botState.key, `broadcast:${admin.person.id}`));
    expect(draft?.value).toMatchObject({ step: 'confirm', text: 'Завтра <техработы> & перерыв' });
  });
});
