import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotHarness, type BotHarness } from '../../../../test/bot.js';
import type { RecordedCall, UploadedFile } from '../../../../test/fake-bot-api.js';
import { manualClock } from '../../../../test/manual-clock.js';
import { renderPdfPages } from '../../../../test/pdf-pages.js';
import { addCategory, callAs, openTicket, signInAs } from '../../../../test/people.js';
import type { UserRole } from '../../../db/schema.js';

let nextTelegramId = 7_300_000;

/** A Telegram user with a bot chat, known to the app with `role`. */
async function member(h: BotHarness, role: UserRole, language: string) {
  nextTelegramId += 1;
  const person = { id: nextTelegramId, first_name: 'Sam', language_code: language };
  const user = await h.testApp.container.users.upsertFromTelegram(person);
  if (role !== 'user') await h.testApp.container.users.setRole(user.id, role);
  return { chat: h.chat(person), telegramId: person.id };
}

const documentTo = (h: BotHarness, chatId: number) =>
  h.fake.waitFor('sendDocument', (c) => Number(c.params.chat_id) === chatId, 20_000);

const uploaded = (call: RecordedCall) => call.params.document as UploadedFile;

describe('/report and POST /reports/send, through the Bot API', () => {
  let h: BotHarness;
  // Monday 7 December 2026, 09:00 UTC (the support clock's default zone).
  const clock = manualClock('2026-12-07T09:00:00.000Z');

  beforeAll(async () => {
    h = await startBotHarness({ clock });
    const customer = await signInAs(h.testApp, 'user', { first_name: 'Cleo' });
    const categoryId = await addCategory(h.testApp, { name: 'Доставка' });
    clock.advance(-2 * 86_400_000);
    await openTicket(h.testApp, customer, categoryId, { title: 'Где посылка?' });
    clock.advance(2 * 86_400_000);
  });
  afterAll(() => h.close());

  it('answers a moderator’s /report with the PDF of the last 7 days and its figures', async () => {
    const moderator = await member(h, 'moderator', 'ru');
    moderator.chat.send('/report');
    const call = await documentTo(h, moderator.telegramId);
    const document = uploaded(call);
    expect(document.file_name).toBe('report-2026-11-30-2026-12-06.pdf');
    expect(document.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(call.params.parse_mode).toBe('HTML');
    expect(call.params.caption).toContain('Отчёт поддержки');
    expect(call.params.caption).toContain('30.11.2026 – 06.12.2026');
    expect(call.params.caption).toContain('Создано: <b>1</b>');
    const { pages, text } = await renderPdfPages(document.bytes);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('Ключевые показатели');
    expect(text).toContain('Доставка');
  });

  it('takes /report month: the last 30 days, in the sender’s language', async () => {
    const admin = await member(h, 'admin', 'en');
    admin.chat.send('/report month');
    const call = await documentTo(h, admin.telegramId);
    expect(uploaded(call).file_name).toBe('report-2026-11-07-2026-12-06.pdf');
    expect(call.params.caption).toContain('Support report');
    expect(call.params.caption).toContain('Created: <b>1</b>');
  });

  it('refuses /report to an agent', async () => {
    const agent = await member(h, 'agent', 'en');
    agent.chat.send('/report');
    const reply = await agent.chat.next();
    expect(reply.method).toBe('sendMessage');
    expect(reply.text).toMatch(/not|нет/i);
    expect(
      h.fake.calls.some(
        (c) => c.method === 'sendDocument' && Number(c.params.chat_id) === agent.telegramId,
      ),
    ).toBe(false);
  });

  it('sends the report asked for in the app to the requester’s chat, as a document', async () => {
    const moderator = await signInAs(h.testApp, 'moderator', { language_code: 'en' });
    const { telegramId } = await h.testApp.container.users.getById(moderator.id);
    const response = await callAs(h.testApp, moderator, 'POST', '/reports/send', {
      format: 'xlsx',
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-07T00:00:00Z',
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ queued: true });
    const call = await documentTo(h, telegramId);
    expect(uploaded(call).file_name).toBe('report-2026-12-01-2026-12-06.xlsx');
    expect(uploaded(call).bytes.subarray(0, 2).toString()).toBe('PK');
    expect(call.params.caption).toContain('Support report for 01.12.2026 – 06.12.2026');
  });

  it('marks a requester who blocked the bot as unreachable: the next ask is a 409', async () => {
    const moderator = await signInAs(h.testApp, 'moderator', { language_code: 'en' });
    const { telegramId } = await h.testApp.container.users.getById(moderator.id);
    h.fake.blockChat(telegramId);
    const first = await callAs(h.testApp, moderator, 'POST', '/reports/send', { format: 'pdf' });
    expect(first.statusCode).toBe(202);
    await expect
      .poll(async () => (await h.testApp.container.users.getById(moderator.id)).botBlockedAt)
      .not.toBeNull();
    const second = await callAs(h.testApp, moderator, 'POST', '/reports/send', { format: 'pdf' });
    expect(second.statusCode).toBe(409);
  });
});
