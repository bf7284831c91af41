import { formatKpi, kpisOf } from './kpis.js';
import { changeLabel, localDateTime, periodLabel } from './period.js';
import { barChart, heatmapChart, lineChart } from './pdf-charts.js';
import {
  colours,
  contentWidth,
  fonts,
  heading,
  page,
  table,
  type Doc,
  type TableColumn,
} from './pdf-layout.js';
import type { Breakdown, ReportData, StaffRow } from './report-data.js';
import { reportTexts, type ReportTexts } from './texts.js';

/** The cover: title, period and time zone, when it was made, and the filters. */
function cover(doc: Doc, texts: ReportTexts, data: ReportData): number {
  const { overview, filters } = data;
  const zone = overview.time_zone;
  doc.rect(0, 0, page.width, 8).fill(colours.created);
  doc.font('bold').fontSize(24).fillColor(colours.text);
  doc.text(texts.title, page.margin, 56, { width: contentWidth });
  doc.font('regular').fontSize(15).fillColor(colours.text);
  doc.text(periodLabel(overview.from, overview.to, zone), page.margin, 94, { width: contentWidth });
  const named = [
    filters.category && `${texts.category}: ${filters.category}`,
    filters.priority &&
      `${texts.priority}: ${texts.priorities[filters.priority] ?? filters.priority}`,
    filters.assignee &&
      `${texts.assignee}: ${filters.assignee === 'none' ? texts.unassigned : filters.assignee}`,
  ].filter(Boolean);
  const lines: [string, string][] = [
    [texts.timeZone, zone],
    [texts.previousPeriod, periodLabel(overview.previous.from, overview.previous.to, zone)],
    [texts.filters, named.length > 0 ? named.join('; ') : texts.noFilters],
    [texts.generated, `${localDateTime(data.generatedAt, zone)} (${zone})`],
  ];
  let y = 126;
  for (const [label, value] of lines) {
    doc.font('bold').fontSize(9.5).fillColor(colours.muted);
    doc.text(label, page.margin, y, { width: 130, lineBreak: false });
    doc.font('regular').fontSize(9.5).fillColor(colours.text);
    doc.text(value, page.margin + 135, y, { width: contentWidth - 135 });
    y = Math.max(y + 16, doc.y + 3);
  }
  return y + 16;
}

/** The key figures beside the previous period's and the change. */
function kpiTable(doc: Doc, texts: ReportTexts, data: ReportData, y: number): number {
  const kpis = kpisOf(texts, data.overview.current, data.overview.previous);
  const columns: TableColumn[] = [
    { header: texts.figure, width: 245 },
    { header: texts.current, width: 90, align: 'right' },
    { header: texts.previous, width: 90, align: 'right' },
    { header: texts.change, width: contentWidth - 425, align: 'right' },
  ];
  const rows = kpis.map((kpi) => [
    kpi.label,
    formatKpi(texts, kpi.kind, kpi.current),
    formatKpi(texts, kpi.kind, kpi.previous),
    changeLabel(kpi.current, kpi.previous),
  ]);
  return table(doc, columns, rows, heading(doc, texts.kpis, y));
}

/** The label of a group: a priority or status in the reader's words, a category by its name. */
export function groupLabel(texts: ReportTexts, breakdown: Breakdown) {
  const words: Readonly<Record<string, string>> | undefined =
    breakdown.by === 'priority' ? texts.priorities : undefined;
  const named = breakdown.by === 'status' ? texts.statuses : words;
  return (row: { key: string; label: string }): string => named?.[row.key] ?? row.label;
}

function breakdownTable(
  doc: Doc,
  texts: ReportTexts,
  title: string,
  breakdown: Breakdown,
  y: number,
): number {
  const label = groupLabel(texts, breakdown);
  const columns: TableColumn[] = [
    { header: texts.group, width: 155 },
    { header: texts.created, width: 60, align: 'right' },
    { header: texts.resolved, width: 60, align: 'right' },
    { header: texts.backlog, width: 80, align: 'right' },
    { header: texts.firstResponseMedian, width: 80, align: 'right' },
    { header: texts.resolutionMedian, width: contentWidth - 435, align: 'right' },
  ];
  const rows = breakdown.rows.map((row) => [
    label(row),
    String(row.created),
    String(row.resolved),
    String(row.backlog),
    texts.duration(row.first_response_median_s),
    texts.duration(row.resolution_median_s),
  ]);
  return table(doc, columns, rows, heading(doc, title, y));
}

function staffTable(doc: Doc, texts: ReportTexts, rows: readonly StaffRow[], y: number): number {
  const columns: TableColumn[] = [
    { header: texts.name, width: 110 },
    { header: texts.assigned, width: 60, align: 'right' },
    { header: texts.resolved, width: 50, align: 'right' },
    { header: texts.firstResponseMedian, width: 70, align: 'right' },
    { header: texts.resolutionMedian, width: 70, align: 'right' },
    { header: texts.slaMet, width: 50, align: 'right' },
    { header: 'CSAT', width: 48, align: 'right' },
    { header: texts.messages, width: contentWidth - 458, align: 'right' },
  ];
  const cells = rows.map((row) => [
    row.name,
    String(row.assigned),
    String(row.resolved),
    texts.duration(row.first_response_median_s),
    texts.duration(row.resolution_median_s),
    formatKpi(texts, 'percent', row.sla_met_pct),
    row.csat_average === null ? '—' : `${row.csat_average.toFixed(2)} (${row.csat_count})`,
    String(row.messages),
  ]);
  return table(doc, columns, cells, heading(doc, texts.staff, y));
}

/**
 * The PDF report of `data` on A4 in the reader's language: the cover with the key figures, the
 * charts (drawn as vectors), then the breakdown and staff tables. Text is set in an embedded
 * DejaVu Sans (`pdf-layout.ts`), so Cyrillic shows and can be copied.
 */
export async function renderPdf(data: ReportData): Promise<Buffer> {
  const texts = reportTexts(data.language);
  // Loaded on the first report, not with the process: importing pdfkit takes about 0.6 s.
  const { default: PDFDocument } = await import('pdfkit');
  const doc: Doc = new PDFDocument({
    size: 'A4',
    margin: page.margin,
    info: {
      Title: `${texts.title}: ${periodLabel(data.overview.from, data.overview.to, data.overview.time_zone)}`,
    },
    lang: data.language,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  kpiTable(doc, texts, data, cover(doc, texts, data));

  doc.addPage();
  let y = lineChart(doc, texts, data.timeseries, page.margin);
  y = barChart(
    doc,
    texts.byCategory,
    texts,
    data.byCategory.rows,
    groupLabel(texts, data.byCategory),
    y,
  );
  y = barChart(
    doc,
    texts.byPriority,
    texts,
    data.byPriority.rows,
    groupLabel(texts, data.byPriority),
    y,
  );
  heatmapChart(doc, texts, data.heatmap, y);

  doc.addPage();
  y = breakdownTable(doc, texts, texts.byCategory, data.byCategory, page.margin);
  y = breakdownTable(doc, texts, texts.byPriority, data.byPriority, y);
  staffTable(doc, texts, data.staff.rows, y);
  doc.end();
  return done;
}
