import type { Writable } from 'node:stream';
import type ExcelModule from 'exceljs';
import { kpisOf, type KpiKind } from './kpis.js';
import { onClock } from './period.js';
import { groupLabel } from './pdf.js';
import type { Breakdown, ReportData, ReportTicket } from './report-data.js';
import { reportTexts, type ReportTexts } from './texts.js';

type Cell = string | number | Date | null;

/** A column of a sheet: its header, width and Excel number format. */
interface Column {
  header: string;
  width: number;
  numFmt?: string;
}

/** Dates on the support clock, to the minute. */
const dateFormat = 'yyyy-mm-dd hh:mm';
/** Durations are days (Excel's unit of time) shown as hours, minutes and seconds. */
const durationFormat = '[h]:mm:ss';
const countFormat = '0';
/** Percentages are kept as the API gives them (0–100), with one decimal. */
const percentFormat = '0.0" %"';

const numberFormats: Record<KpiKind, string> = {
  count: countFormat,
  duration: durationFormat,
  percent: percentFormat,
  score: '0.00',
};

/** Seconds as Excel's duration (a fraction of a day); null stays empty. */
function days(seconds: number | null): number | null {
  return seconds === null ? null : seconds / 86_400;
}

type Writer = InstanceType<typeof ExcelModule.stream.xlsx.WorkbookWriter>;
type Sheet = ReturnType<Writer['addWorksheet']>;

/** A sheet with a bold, frozen header row and an auto-filter over its columns. */
function addSheet(workbook: Writer, name: string, columns: readonly Column[]): Sheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((column, index) => ({
    header: column.header,
    key: String(index),
    width: column.width,
    ...(column.numFmt ? { style: { numFmt: column.numFmt } } : {}),
  }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  return sheet;
}

function addRows(sheet: Sheet, rows: readonly (readonly Cell[])[]): void {
  for (const row of rows) sheet.addRow([...row]).commit();
}

function kpiSheet(workbook: Writer, texts: ReportTexts, data: ReportData): void {
  const sheet = addSheet(workbook, texts.sheets.kpis, [
    { header: texts.figure, width: 46 },
    { header: texts.current, width: 16 },
    { header: texts.previous, width: 16 },
    { header: texts.change, width: 12, numFmt: '+0%;-0%;0%' },
  ]);
  for (const kpi of kpisOf(texts, data.overview.current, data.overview.previous)) {
    const scale = kpi.kind === 'duration' ? days : (value: number | null) => value;
    const change =
      kpi.current === null || kpi.previous === null || kpi.previous === 0
        ? null
        : (kpi.current - kpi.previous) / kpi.previous;
    const row = sheet.addRow([kpi.label, scale(kpi.current), scale(kpi.previous), change]);
    row.getCell(2).numFmt = numberFormats[kpi.kind];
    row.getCell(3).numFmt = numberFormats[kpi.kind];
    row.commit();
  }
  sheet.commit();
}

function seriesSheet(workbook: Writer, texts: ReportTexts, data: ReportData): void {
  const zone = data.timeseries.time_zone;
  const sheet = addSheet(workbook, texts.sheets.series, [
    { header: texts.bucketStart, width: 18, numFmt: dateFormat },
    { header: texts.created, width: 12, numFmt: countFormat },
    { header: texts.resolved, width: 12, numFmt: countFormat },
    { header: texts.backlog, width: 14, numFmt: countFormat },
  ]);
  addRows(
    sheet,
    data.timeseries.points.map((p) => [onClock(p.start, zone), p.created, p.resolved, p.backlog]),
  );
  sheet.commit();
}

function breakdownSheet(workbook: Writer, texts: ReportTexts, name: string, b: Breakdown): void {
  const label = groupLabel(texts, b);
  const sheet = addSheet(workbook, name, [
    { header: texts.group, width: 30 },
    { header: texts.created, width: 12, numFmt: countFormat },
    { header: texts.resolved, width: 12, numFmt: countFormat },
    { header: texts.backlog, width: 14, numFmt: countFormat },
    { header: texts.firstResponseMedian, width: 22, numFmt: durationFormat },
    { header: texts.resolutionMedian, width: 22, numFmt: durationFormat },
  ]);
  addRows(
    sheet,
    b.rows.map((row) => [
      label(row),
      row.created,
      row.resolved,
      row.backlog,
      days(row.first_response_median_s),
      days(row.resolution_median_s),
    ]),
  );
  sheet.commit();
}

function staffSheet(workbook: Writer, texts: ReportTexts, data: ReportData): void {
  const sheet = addSheet(workbook, texts.sheets.staff, [
    { header: texts.name, width: 28 },
    { header: texts.assigned, width: 12, numFmt: countFormat },
    { header: texts.resolved, width: 12, numFmt: countFormat },
    { header: texts.firstResponseMedian, width: 22, numFmt: durationFormat },
    { header: texts.resolutionMedian, width: 22, numFmt: durationFormat },
    { header: texts.slaMet, width: 14, numFmt: percentFormat },
    { header: 'CSAT', width: 10, numFmt: '0.00' },
    { header: texts.ratings, width: 10, numFmt: countFormat },
    { header: texts.messages, width: 12, numFmt: countFormat },
  ]);
  addRows(
    sheet,
    data.staff.rows.map((row) => [
      row.name,
      row.assigned,
      row.resolved,
      days(row.first_response_median_s),
      days(row.resolution_median_s),
      row.sla_met_pct,
      row.csat_average,
      row.csat_count,
      row.messages,
    ]),
  );
  sheet.commit();
}

async function ticketSheet(
  workbook: Writer,
  texts: ReportTexts,
  zone: string,
  pages: AsyncIterable<ReportTicket[]>,
): Promise<void> {
  const sheet = addSheet(workbook, texts.sheets.tickets, [
    { header: texts.number, width: 10, numFmt: countFormat },
    { header: texts.ticketTitle, width: 40 },
    { header: texts.status, width: 14 },
    { header: texts.priority, width: 12 },
    { header: texts.category, width: 22 },
    { header: texts.customer, width: 22 },
    { header: texts.assignee, width: 22 },
    { header: texts.createdAt, width: 18, numFmt: dateFormat },
    { header: texts.firstResponseAt, width: 18, numFmt: dateFormat },
    { header: texts.closedAt, width: 18, numFmt: dateFormat },
    { header: texts.firstResponseTime, width: 20, numFmt: durationFormat },
  ]);
  const at = (date: Date | null) => (date === null ? null : onClock(date, zone));
  for await (const page of pages) {
    addRows(
      sheet,
      page.map((t) => [
        t.number,
        t.title,
        texts.statuses[t.status] ?? t.status,
        texts.priorities[t.priority] ?? t.priority,
        t.category,
        t.customer,
        t.assignee,
        at(t.createdAt),
        at(t.firstResponseAt),
        at(t.closedAt),
        days(t.firstResponseS),
      ]),
    );
  }
  sheet.commit();
}

/**
 * Writes the spreadsheet report of `data` to `out` with exceljs's streaming writer: a sheet each
 * for the key figures, the time series, the breakdowns by category and priority, the staff, and
 * the raw tickets of the period, read page by page from `tickets` as the file goes out (only a
 * page is held in memory). Cells are typed: numbers as numbers, times as dates on the support
 * clock (Excel has no time zones), durations as fractions of a day shown as `[h]:mm:ss`.
 */
export async function writeXlsx(
  data: ReportData,
  tickets: AsyncIterable<ReportTicket[]>,
  out: Writable,
): Promise<void> {
  const texts = reportTexts(data.language);
  // Loaded on the first spreadsheet, not with the process: importing exceljs takes about 1 s.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = texts.title;
  kpiSheet(workbook, texts, data);
  seriesSheet(workbook, texts, data);
  breakdownSheet(workbook, texts, texts.sheets.categories, data.byCategory);
  breakdownSheet(workbook, texts, texts.sheets.priorities, data.byPriority);
  staffSheet(workbook, texts, data);
  await ticketSheet(workbook, texts, data.overview.time_zone, tickets);
  await workbook.commit();
}
