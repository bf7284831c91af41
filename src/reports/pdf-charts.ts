import { localDateTime } from './period.js';
import type { BreakdownRow, Heatmap, Timeseries } from './report-data.js';
import type { ReportTexts } from './texts.js';
import { cell, colours, contentWidth, ensureSpace, heading, page, type Doc } from './pdf-layout.js';

/** The smallest "round" step (1, 2 or 5 × 10ⁿ) that covers `max` in `ticks` steps. */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(1, max) / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return Math.max(1, step);
}

function legend(doc: Doc, items: readonly [string, string][], y: number): void {
  doc.font('regular').fontSize(8);
  let x = page.margin + contentWidth;
  for (const [label, colour] of items.toReversed()) {
    const width = doc.widthOfString(label);
    x -= width;
    doc.fillColor(colours.text).text(label, x, y, { lineBreak: false });
    x -= 14;
    doc.rect(x, y + 1, 10, 7).fill(colour);
    x -= 12;
  }
}

/** The label of a bucket's start on the support clock: `30.11` for days and weeks, else with the hour. */
function bucketLabel(series: Timeseries, start: string): string {
  const text = localDateTime(start, series.time_zone);
  return series.bucket === 'hour' ? `${text.slice(0, 5)} ${text.slice(11, 13)}h` : text.slice(0, 5);
}

/** Created and resolved per bucket as two lines over a grid; answers the line below it. */
export function lineChart(doc: Doc, texts: ReportTexts, series: Timeseries, at: number): number {
  const height = 170;
  let y = heading(doc, texts.createdVsResolved, ensureSpace(doc, at, height + 60));
  legend(
    doc,
    [
      [texts.created, colours.created],
      [texts.resolved, colours.resolved],
    ],
    y - 18,
  );
  const x0 = page.margin + 34;
  const width = contentWidth - 40;
  const points = series.points;
  const max = Math.max(0, ...points.flatMap((p) => [p.created, p.resolved]));
  const step = niceStep(max, 4);
  const top = step * 4;
  y += 6;
  const yOf = (value: number) => y + height - (value / top) * height;
  const xOf = (index: number) =>
    points.length <= 1 ? x0 + width / 2 : x0 + (index * width) / (points.length - 1);
  doc.font('regular').fontSize(7).lineWidth(0.5);
  for (let tick = 0; tick <= 4; tick += 1) {
    const ty = yOf(tick * step);
    doc
      .moveTo(x0, ty)
      .lineTo(x0 + width, ty)
      .strokeColor(colours.grid)
      .stroke();
    doc.fillColor(colours.axis);
    cell(doc, String(tick * step), page.margin, ty - 3.5, 30, 'right');
  }
  const every = Math.max(1, Math.ceil(points.length / 10));
  points.forEach((point, index) => {
    if (index % every !== 0) return;
    doc.fillColor(colours.axis);
    cell(doc, bucketLabel(series, point.start), xOf(index) - 25, y + height + 5, 50, 'center');
  });
  if (points.length === 0) {
    doc.fillColor(colours.muted);
    cell(doc, texts.noData, x0, y + height / 2, width, 'center');
  }
  for (const [key, colour] of [
    ['created', colours.created],
    ['resolved', colours.resolved],
  ] as const) {
    doc.lineWidth(1.6).strokeColor(colour);
    points.forEach((point, index) => {
      if (index === 0) doc.moveTo(xOf(index), yOf(point[key]));
      else doc.lineTo(xOf(index), yOf(point[key]));
    });
    if (points.length > 1) doc.stroke();
    if (points.length <= 40) {
      points.forEach((point, index) => doc.circle(xOf(index), yOf(point[key]), 1.8).fill(colour));
    }
  }
  return y + height + 28;
}

/** The groups with the most tickets, at most this many, as bars. */
const maxBars = 12;

/**
 * Created and resolved per group as pairs of horizontal bars with their numbers; answers the
 * line below it.
 */
export function barChart(
  doc: Doc,
  title: string,
  texts: ReportTexts,
  rows: readonly BreakdownRow[],
  label: (row: BreakdownRow) => string,
  at: number,
): number {
  const shown = [...rows].sort((a, b) => b.created - a.created).slice(0, maxBars);
  const rowHeight = 22;
  let y = heading(doc, title, ensureSpace(doc, at, 40 + Math.max(1, shown.length) * rowHeight));
  legend(
    doc,
    [
      [texts.created, colours.created],
      [texts.resolved, colours.resolved],
    ],
    y - 18,
  );
  const labelWidth = 140;
  const x0 = page.margin + labelWidth + 6;
  const width = contentWidth - labelWidth - 40;
  const max = Math.max(1, ...shown.flatMap((r) => [r.created, r.resolved]));
  if (shown.length === 0) {
    doc.font('regular').fontSize(9).fillColor(colours.muted);
    cell(doc, texts.noData, page.margin, y, contentWidth);
    return y + 30;
  }
  for (const row of shown) {
    doc.font('regular').fontSize(8.5).fillColor(colours.text);
    cell(doc, label(row), page.margin, y + 5, labelWidth, 'right');
    for (const [offset, value, colour] of [
      [0, row.created, colours.created],
      [9, row.resolved, colours.resolved],
    ] as const) {
      const length = (value / max) * width;
      if (length > 0) doc.rect(x0, y + offset, length, 8).fill(colour);
      doc.font('regular').fontSize(7).fillColor(colours.muted);
      cell(doc, String(value), x0 + length + 3, y + offset, 34);
    }
    y += rowHeight;
  }
  return y + 12;
}

/** A colour between the heatmap's lightest and darkest for a share 0…1. */
function heatColour(share: number): [number, number, number] {
  const [r0, g0, b0] = colours.heatLow;
  const [r1, g1, b1] = colours.heatHigh;
  const mix = (a: number, b: number) => Math.round(a + (b - a) * share);
  return [mix(r0, r1), mix(g0, g1), mix(b0, b1)];
}

/** Tickets created per weekday × hour as a shaded grid with the counts; answers the line below. */
export function heatmapChart(doc: Doc, texts: ReportTexts, heatmap: Heatmap, at: number): number {
  const cellHeight = 20;
  let y = heading(doc, texts.heatmap, ensureSpace(doc, at, 40 + 8 * cellHeight));
  const x0 = page.margin + 28;
  const cellWidth = (contentWidth - 28) / 24;
  const counts = new Map(heatmap.cells.map((c) => [`${c.weekday}:${c.hour}`, c.count]));
  const max = Math.max(1, ...heatmap.cells.map((c) => c.count));
  doc.font('regular').fontSize(7).fillColor(colours.axis);
  for (let hour = 0; hour < 24; hour += 1) {
    cell(doc, String(hour), x0 + hour * cellWidth, y, cellWidth, 'center');
  }
  y += 12;
  for (let weekday = 1; weekday <= 7; weekday += 1) {
    const top = y + (weekday - 1) * cellHeight;
    doc.font('regular').fontSize(8).fillColor(colours.text);
    cell(doc, texts.weekdays[weekday - 1] ?? '', page.margin, top + 6, 26);
    for (let hour = 0; hour < 24; hour += 1) {
      const count = counts.get(`${weekday}:${hour}`) ?? 0;
      const share = count / max;
      const x = x0 + hour * cellWidth;
      doc
        .rect(x + 0.5, top + 0.5, cellWidth - 1, cellHeight - 1)
        .fill(heatColour(count === 0 ? 0 : 0.15 + 0.85 * share));
      if (count > 0) {
        doc
          .font('regular')
          .fontSize(6.5)
          .fillColor(share > 0.5 ? '#ffffff' : colours.text);
        cell(doc, String(count), x, top + 7, cellWidth, 'center');
      }
    }
  }
  return y + 7 * cellHeight + 18;
}
