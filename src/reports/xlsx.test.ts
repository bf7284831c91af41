import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { sampleReportData } from '../../test/report-data.js';
import type { ReportTicket } from './report-data.js';
import { writeXlsx } from './xlsx.js';

/** The raw tickets in pages of two, as the database would hand them out. */
async function* pagesOf(tickets: ReportTicket[]): AsyncGenerator<ReportTicket[]> {
  for (let index = 0; index < tickets.length; index += 2) yield tickets.slice(index, index + 2);
}

const ticket = (number: number, overrides: Partial<ReportTicket> = {}): ReportTicket => ({
  number,
  title: `Не проходит оплата ${number}`,
  status: 'resolved',
  priority: 'high',
  category: 'Оплата',
  customer: 'Иван Петров',
  assignee: 'Анна Смирнова',
  createdAt: new Date('2026-12-01T06:15:00.000Z'),
  firstResponseAt: new Date('2026-12-01T07:45:00.000Z'),
  closedAt: null,
  firstResponseS: 5400,
  ...overrides,
});

async function readBack(tickets: ReportTicket[], language: 'ru' | 'en') {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await writeXlsx(sampleReportData(language), pagesOf(tickets), out);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  return workbook;
}

/**
 * A duration cell's number of seconds: the file holds a fraction of a day, which exceljs reads
 * back as a time after its day zero (1899-12-30) because of the `[h]:mm:ss` format.
 */
function secondsIn(cell: ExcelJS.Cell): number {
  expect(cell.numFmt).toBe('[h]:mm:ss');
  expect(cell.value).toBeInstanceOf(Date);
  return Math.round(((cell.value as Date).getTime() - Date.UTC(1899, 11, 30)) / 1000);
}

const headerOf = (sheet: ExcelJS.Worksheet) =>
  (sheet.getRow(1).values as unknown[]).slice(1).map(String);

describe('the spreadsheet report', () => {
  it('has a sheet per part, each with a frozen, filtered header row', async () => {
    const workbook = await readBack([ticket(1)], 'en');
    expect(workbook.worksheets.map((s) => s.name)).toEqual([
      'KPIs',
      'Time series',
      'Categories',
      'Priorities',
      'Staff',
      'Tickets',
    ]);
    for (const sheet of workbook.worksheets) {
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(sheet.autoFilter).toBeTruthy();
      expect(sheet.getRow(1).font?.bold).toBe(true);
    }
    expect(workbook.getWorksheet('Tickets')!.autoFilter).toBe('A1:K1');
    expect(headerOf(workbook.getWorksheet('KPIs')!)).toEqual([
      'Figure',
      'Period',
      'Previous period',
      'Change',
    ]);
  });

  it('keeps numbers as numbers, durations as formatted days and the change as a fraction', async () => {
    const kpis = (await readBack([], 'en')).getWorksheet('KPIs')!;
    expect(kpis.getRow(2).values).toEqual([undefined, 'Created', 40, 80, -0.5]);
    const firstResponse = kpis.getRow(7);
    expect(firstResponse.getCell(1).value).toBe('First response, median (support hours)');
    expect(secondsIn(firstResponse.getCell(2))).toBe(1800);
    expect(secondsIn(firstResponse.getCell(3))).toBe(3600);
    const sla = kpis.getRow(13);
    expect([sla.getCell(1).value, sla.getCell(2).value, sla.getCell(2).numFmt]).toEqual([
      'SLA met',
      92.3,
      '0.0" %"',
    ]);
  });

  it('writes times as real dates on the support clock (Moscow), in the reader’s language', async () => {
    const workbook = await readBack([ticket(7), ticket(8, { firstResponseAt: null })], 'ru');
    const tickets = workbook.getWorksheet('Обращения')!;
    expect(headerOf(tickets).slice(0, 3)).toEqual(['Номер', 'Тема', 'Статус']);
    const row = tickets.getRow(2);
    expect(row.getCell(1).value).toBe(7);
    expect(row.getCell(3).value).toBe('Решено');
    expect(row.getCell(4).value).toBe('Высокий');
    const created = row.getCell(8).value;
    expect(created).toBeInstanceOf(Date);
    // 06:15 UTC is 09:15 in Moscow; Excel has no zones, so the cell holds the wall time.
    expect((created as Date).toISOString()).toBe('2026-12-01T09:15:00.000Z');
    expect(row.getCell(8).numFmt).toBe('yyyy-mm-dd hh:mm');
    expect(secondsIn(row.getCell(11))).toBe(5400);
    expect(tickets.getRow(3).getCell(9).value).toBeNull();
    const series = workbook.getWorksheet('Динамика')!;
    expect((series.getRow(2).getCell(1).value as Date).toISOString()).toBe(
      '2026-11-30T00:00:00.000Z',
    );
    expect(series.getRow(2).getCell(2).value).toBe(5);
    const categories = workbook.getWorksheet('Категории')!;
    expect(categories.getRow(4).getCell(1).value).toBe('Технические вопросы');
    expect(workbook.getWorksheet('Приоритеты')!.getRow(5).getCell(1).value).toBe('Критический');
  });

  it('lists every raw ticket of the period however many pages they come in', async () => {
    const many = Array.from({ length: 2501 }, (_, index) => ticket(index + 1));
    const tickets = (await readBack(many, 'en')).getWorksheet('Tickets')!;
    expect(tickets.rowCount).toBe(2502);
    expect(tickets.getRow(2502).getCell(1).value).toBe(2501);
  });
});
