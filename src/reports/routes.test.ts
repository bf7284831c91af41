import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { manualClock } from '../../test/manual-clock.js';
import { renderPdfPages } from '../../test/pdf-pages.js';
import { callAs, openTicket, signInAs, signInEveryRole, type Person } from '../../test/people.js';
import type { UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';

// A week on Moscow's clock: Monday 30 November to Sunday 6 December 2026.
const week = 'from=2026-11-30T00:00:00%2B03:00&to=2026-12-07T00:00:00%2B03:00';

describe('GET /reports and POST /reports/send', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let russian: Person;
  let english: Person;
  const clock = manualClock('2026-12-01T06:15:00.000Z');

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { RATE_LIMIT_MAX: '100000' } });
    people = await signInEveryRole(t);
    russian = await signInAs(t, 'moderator', { first_name: 'Вера', language_code: 'ru' });
    english = await signInAs(t, 'admin', { first_name: 'Emma', language_code: 'en' });
    const saved = await callAs(t, people.owner, 'PUT', '/settings', {
      support_hours: {
        time_zone: 'Europe/Moscow',
        days: [1, 2, 3, 4, 5],
        start: '09:00',
        end: '18:00',
      },
    });
    expect(saved.statusCode).toBe(200);
    const category = await callAs(t, people.admin, 'POST', '/categories', {
      name: 'Payments',
      translations: { ru: { name: 'Оплата', description: '' } },
    });
    const categoryId = category.json<{ id: string }>().id;
    await openTicket(t, people.user, categoryId, { title: 'Card declined', priority: 'high' });
    clock.advance(10 * 60_000);
    await openTicket(t, people.user, categoryId, { title: 'Refund =SUM(A1)' });
  });
  afterAll(() => t.close());

  const get = (person: Person, query: string) => callAs(t, person, 'GET', `/reports?${query}`);

  it('gives a moderator the PDF of the week in their language, with the figures of the period', async () => {
    const response = await get(russian, `format=pdf&${week}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="report-2026-11-30-2026-12-06.pdf"',
    );
    const { pages, text } = await renderPdfPages(response.rawPayload);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const page of pages) expect(page.inked).toBeGreaterThan(0.005);
    expect(text).toContain('30.11.2026 – 06.12.2026');
    expect(text).toContain('Europe/Moscow');
    expect(text).toContain('Ключевые показатели');
    expect(text).toMatch(/Создано\s+2\s+0\s+—/);
    expect(text).toContain('Оплата');
    expect(text).toContain('Высокий');
  });

  it('streams the spreadsheet with the raw tickets of the period, times on the support clock', async () => {
    const response = await get(
      english,
      `format=xlsx&${week}&category_id=`.replace('&category_id=', ''),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(response.headers['content-disposition']).toContain('report-2026-11-30-2026-12-06.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      'KPIs',
      'Time series',
      'Categories',
      'Priorities',
      'Staff',
      'Tickets',
    ]);
    const kpis = workbook.getWorksheet('KPIs')!;
    expect(kpis.getRow(2).values).toEqual([undefined, 'Created', 2, 0]);
    const tickets = workbook.getWorksheet('Tickets')!;
    expect(tickets.rowCount).toBe(3);
    const first = tickets.getRow(2);
    expect(first.getCell(2).value).toBe('Card declined');
    expect(first.getCell(4).value).toBe('High');
    expect(first.getCell(5).value).toBe('Payments');
    // 06:15 UTC is 09:15 in Moscow.
    expect((first.getCell(8).value as Date).toISOString()).toBe('2026-12-01T09:15:00.000Z');
    // Text a spreadsheet would take for a formula stays text in a typed cell.
    expect(tickets.getRow(3).getCell(2).value).toBe('Refund =SUM(A1)');
    const series = workbook.getWorksheet('Time series')!;
    expect(series.rowCount).toBe(8);
    expect(series.getRow(3).getCell(2).value).toBe(2);
  });

  it('applies the filters to the figures and the raw tickets', async () => {
    const response = await get(english, `format=xlsx&${week}&priority=high`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    expect(workbook.getWorksheet('KPIs')!.getRow(2).getCell(2).value).toBe(1);
    expect(workbook.getWorksheet('Tickets')!.rowCount).toBe(2);
  });

  it('refuses agents and customers', async () => {
    for (const role of ['user', 'agent'] as const) {
      for (const response of [
        await get(people[role], 'format=pdf'),
        await callAs(t, people[role], 'POST', '/reports/send', { format: 'pdf' }),
      ]) {
        expect(response.statusCode).toBe(403);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    }
  });

  const rejections: [string, string, string | undefined][] = [
    ['no format', week, 'format'],
    ['an unknown format', `format=docx&${week}`, 'format'],
    ['from after to', 'format=pdf&from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
    [
      'a period over 731 days',
      'format=pdf&from=2023-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'from',
    ],
    ['a date without an offset', 'format=pdf&from=2026-12-01T00:00:00', 'from'],
    ['not a date', 'format=xlsx&to=tomorrow', 'to'],
    ['a bad category id', 'format=pdf&category_id=7', 'category_id'],
    ['an unknown priority', 'format=pdf&priority=urgent', 'priority'],
    ['a bad assignee', 'format=pdf&assigned_to=me', 'assigned_to'],
    ['an unknown parameter', 'format=pdf&period=week', undefined],
    ['a year PostgreSQL cannot hold', 'format=pdf&from=0000-01-01T00:00:00Z', 'from'],
  ];

  it.each(rejections)('GET refuses %s with 422', async (_name, query, field) => {
    const response = await get(people.moderator, query);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) {
      const fields = response.json<Problem>().errors?.map((e) => e.field.replace(/^query\./, ''));
      expect(fields).toContain(field);
    }
  });

  const bodyRejections: [string, object, string][] = [
    ['no format', {}, 'format'],
    ['an unknown format', { format: 'csv' }, 'format'],
    [
      'from after to',
      { format: 'pdf', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' },
      'to',
    ],
    ['a bad assignee', { format: 'pdf', assigned_to: 42 }, 'assigned_to'],
    ['an unknown field', { format: 'pdf', chat_id: 1 }, ''],
  ];

  it.each(bodyRejections)('POST /reports/send refuses %s with 422', async (_name, body, field) => {
    const response = await callAs(t, people.admin, 'POST', '/reports/send', body);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (field) {
      const fields = response
        .json<Problem>()
        .errors?.map((e) => e.field.replace(/^(body|query)\./, ''));
      expect(fields).toContain(field);
    }
  });

  it('POST /reports/send answers 409 no_telegram_chat to someone the bot cannot reach', async () => {
    const blocked = await signInAs(t, 'admin', { first_name: 'Blocked' });
    await t.container.users.markBotBlocked(blocked.id, clock.now());
    const response = await callAs(t, blocked, 'POST', '/reports/send', { format: 'pdf' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<Problem>().code).toBe('no_telegram_chat');
  });
});
