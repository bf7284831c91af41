import { PassThrough, Readable } from 'node:stream';
import type { UserRow } from '../db/schema.js';

/** The file formats of the user export. */
export const exportFormats = ['csv', 'xlsx'] as const;
/** A file format of the user export. */
export type ExportFormat = (typeof exportFormats)[number];

type Cell = string | number | boolean | Date | null;

/** One column of the export: its header and its typed value of a user. */
interface Column {
  header: string;
  width: number;
  value(row: UserRow): Cell;
  /** Excel number format, for numbers and dates. */
  numFmt?: string;
}

const dateFormat = 'yyyy-mm-dd hh:mm:ss';

/** The columns of the export, in order (docs/api.md#users). */
const columns: readonly Column[] = [
  { header: 'id', width: 38, value: (row) => row.id },
  { header: 'telegram_id', width: 14, value: (row) => row.telegramId, numFmt: '0' },
  { header: 'username', width: 20, value: (row) => row.username },
  { header: 'first_name', width: 20, value: (row) => row.firstName },
  { header: 'last_name', width: 20, value: (row) => row.lastName },
  { header: 'role', width: 11, value: (row) => row.role },
  { header: 'is_active', width: 10, value: (row) => row.isActive },
  { header: 'bot_blocked', width: 12, value: (row) => row.botBlockedAt !== null },
  { header: 'language_code', width: 14, value: (row) => row.languageCode },
  { header: 'created_at', width: 20, value: (row) => row.createdAt, numFmt: dateFormat },
  { header: 'last_seen_at', width: 20, value: (row) => row.lastSeenAt, numFmt: dateFormat },
];

/** The header row of the export. */
export const exportHeaders = columns.map((column) => column.header);

/** The MIME type and file name of an export made at `now`. */
export function exportFile(format: ExportFormat, now: Date): { type: string; name: string } {
  const name = `users-${now.toISOString().slice(0, 10)}.${format}`;
  return format === 'csv'
    ? { type: 'text/csv; charset=utf-8', name }
    : { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', name };
}

/**
 * Text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * before one) gets a leading `'`, so a name like `=HYPERLINK(…)` stays text when the CSV is
 * opened (OWASP, "CSV Injection").
 */
export function defuseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(value: Cell): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') return String(value);
  const text = defuseFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: readonly Cell[]) => `${cells.map(csvField).join(',')}\r\n`;

/** The CSV: a BOM (so Excel reads UTF-8, Cyrillic included), the header row, a line per user. */
async function* csvLines(batches: AsyncIterable<UserRow[]>): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(exportHeaders)}`;
  for await (const batch of batches) {
    yield batch.map((row) => csvLine(columns.map((column) => column.value(row)))).join('');
  }
}

/**
 * Writes the xlsx with exceljs's streaming writer, each row committed as it comes (only a
 * batch is held in memory): typed cells, a bold frozen header row with an auto-filter.
 */
async function writeXlsx(batches: AsyncIterable<UserRow[]>, out: PassThrough): Promise<void> {
  // Loaded on the first export, not with the process: importing exceljs takes about 1 s.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet('Users', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: column.header,
    key: column.header,
    width: column.width,
    ...(column.numFmt ? { style: { numFmt: column.numFmt } } : {}),
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for await (const batch of batches) {
    for (const row of batch) sheet.addRow(columns.map((column) => column.value(row))).commit();
  }
  sheet.commit();
  await workbook.commit();
}

/**
 * The export file of the users in `batches`, as a stream: rows are read batch by batch while
 * the reply is sent. A failure midway ends the stream with the error (the reply is cut off).
 */
export function exportStream(format: ExportFormat, batches: AsyncIterable<UserRow[]>): Readable {
  if (format === 'csv') return Readable.from(csvLines(batches));
  const out = new PassThrough();
  writeXlsx(batches, out).catch((error: unknown) => out.destroy(error as Error));
  return out;
}
