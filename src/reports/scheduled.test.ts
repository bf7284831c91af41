import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBotHarness, type BotHarness } from '../../test/bot.js';
import type { UploadedFile } from '../../test/fake-bot-api.js';
import { manualClock } from '../../test/manual-clock.js';
import { addCategory, openTicket, signInAs } from '../../test/people.js';
import { createScheduledReportRun, duePeriod } from './scheduled.js';

const moscow = 'Europe/Moscow';
const weekly = { frequency: 'weekly', weekday: 1, time: '09:00' } as const;

describe('the scheduled report’s period', () => {
  it('on Monday 09:30 in Moscow is the week before, Monday to Sunday on that clock', () => {
    expect(duePeriod(new Date('2026-12-07T06:30:00Z'), moscow, weekly)).toEqual({
      at: new Date('2026-12-07T06:00:00Z'),
      from: new Date('2026-11-29T21:00:00Z'),
      to: new Date('2026-12-06T21:00:00Z'),
    });
  });

  it('before Monday’s 09:00 is still last Monday’s', () => {
    expect(duePeriod(new Date('2026-12-07T05:59:00Z'), moscow, weekly)?.at).toEqual(
      new Date('2026-11-30T06:00:00Z'),
    );
  });

  it('monthly: on the 1st, the previous calendar month', () => {
    const monthly = { frequency: 'monthly', weekday: 1, time: '09:00' } as const;
    expect(duePeriod(new Date('2026-12-01T07:00:00Z'), moscow, monthly)).toEqual({
      at: new Date('2026-12-01T06:00:00Z'),
      from: new Date('2026-10-31T21:00:00Z'),
      to: new Date('2026-11-30T21:00:00Z'),
    });
  });

  it('off: never', () => {
    expect(
      duePeriod(new Date('2026-12-07T06:30:00Z'), moscow, { ...weekly, frequency: 'off' }),
    ).toBeUndefined();
  });
});

describe('the scheduled report', () => {
  let h: BotHarness;
  const clock = manualClock('2026-12-02T07:00:00.000Z');

  beforeAll(async () => {
    h = await startBotHarness({ clock });
    const owner = await signInAs(h.testApp, 'owner', { language_code: 'en' });
    await h.testApp.container.settings.update(
      { userId: owner.id, role: 'owner' },
      { support_hours: { time_zone: moscow, days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' } },
    );
    const customer = await signInAs(h.testApp, 'user');
    await openTicket(h.testApp, customer, await addCategory(h.testApp));
    clock.advance(5 * 86_400_000 - 30 * 60_000); // Monday 7 December, 09:30 in Moscow
  });
  afterAll(() => h.close());

  it('goes once to every admin and owner with a chat, even from two workers at once', async () => {
    const admin = await signInAs(h.testApp, 'admin', { language_code: 'ru' });
    const moderator = await signInAs(h.testApp, 'moderator');
    const { container } = h.testApp;
    const run = createScheduledReportRun({
      db: container.database.db,
      reports: container.reports,
      settings: container.settings,
      users: container.users,
      api: container.botApi!,
      clock,
      logger: container.logger,
    });
    const sent = await Promise.all([run(), run()]);
    expect(sent[0] + sent[1]).toBe(2);
    expect(await run()).toBe(0);
    const adminChat = (await container.users.getById(admin.id)).telegramId;
    const moderatorChat = (await container.users.getById(moderator.id)).telegramId;
    const documents = h.fake.sent('sendDocument');
    expect(documents).toHaveLength(2);
    const toAdmin = documents.find((c) => Number(c.params.chat_id) === adminChat)!;
    expect((toAdmin.params.document as UploadedFile).file_name).toBe(
      'report-2026-11-30-2026-12-06.pdf',
    );
    expect(toAdmin.params.caption).toContain('Отчёт поддержки');
    expect(toAdmin.params.caption).toContain('Создано: <b>1</b>');
    expect(toAdmin.params.caption).toContain('SLA выполнен');
    expect(documents.some((c) => Number(c.params.chat_id) === moderatorChat)).toBe(false);
  });
});
