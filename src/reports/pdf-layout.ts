import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type PDFDocument from 'pdfkit';

/** A pdfkit document. */
export type Doc = InstanceType<typeof PDFDocument>;

/** A4 in points, and the margin every page keeps. */
export const page = { width: 595.28, height: 841.89, margin: 40 } as const;
/** The width between the margins. */
export const contentWidth = page.width - 2 * page.margin;
/** The lowest line anything is drawn above. */
export const bottom = page.height - page.margin;

/** The colours of the report: series, grid and text. */
export const colours = {
  created: '#2f6fde',
  resolved: '#2e9d5b',
  grid: '#d9dee7',
  axis: '#6b7280',
  text: '#111827',
  muted: '#4b5563',
  zebra: '#f3f5f9',
  heatLow: [238, 243, 251],
  heatHigh: [31, 78, 156],
} as const;

/**
 * The regular and bold faces the report is set in: DejaVu Sans from the `dejavu-fonts-ttf`
 * package (a dependency, so every install has it; the Bitstream Vera licence lets it be
 * embedded), since the 14 standard PDF fonts have no Cyrillic. pdfkit embeds only the glyphs used.
 */
export const fonts = (() => {
  const folder = join(
    dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
    'ttf',
  );
  return {
    regular: join(folder, 'DejaVuSans.ttf'),
    bold: join(folder, 'DejaVuSans-Bold.ttf'),
  };
})();

/** Starts a new page when `needed` points do not fit below `y`; answers where to go on. */
export function ensureSpace(doc: Doc, y: number, needed: number): number {
  if (y + needed <= bottom) return y;
  doc.addPage();
  return page.margin;
}

/** A section heading at `y`; answers the line below it. */
export function heading(doc: Doc, text: string, y: number): number {
  doc.font('bold').fontSize(13).fillColor(colours.text);
  doc.text(text, page.margin, y, { width: contentWidth, lineBreak: false });
  return y + 22;
}

/** One line of text cut to `width` (with an ellipsis) at `x`, `y`. */
export function cell(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  width: number,
  align: 'left' | 'right' | 'center' = 'left',
): void {
  doc.text(text, x, y, { width, align, lineBreak: false, ellipsis: true, height: 12 });
}

/** A column of a table: its header, width in points and alignment. */
export interface TableColumn {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

const rowHeight = 16;
const headerHeight = 24;

function tableHeader(doc: Doc, columns: readonly TableColumn[], y: number): number {
  doc.font('bold').fontSize(7.5).fillColor(colours.muted);
  let x = page.margin;
  for (const column of columns) {
    doc.text(column.header, x + 3, y + 2, {
      width: column.width - 6,
      align: column.align ?? 'left',
      height: headerHeight - 2,
      ellipsis: true,
    });
    x += column.width;
  }
  doc
    .moveTo(page.margin, y + headerHeight - 2)
    .lineTo(page.margin + contentWidth, y + headerHeight - 2)
    .lineWidth(0.8)
    .strokeColor(colours.axis)
    .stroke();
  return y + headerHeight;
}

/**
 * A table of `rows` under `columns` from `y`, going on over as many pages as it needs with its
 * header repeated; answers the line below it.
 */
export function table(
  doc: Doc,
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  y: number,
): number {
  let top = tableHeader(doc, columns, ensureSpace(doc, y, headerHeight + rowHeight));
  rows.forEach((row, index) => {
    if (top + rowHeight > bottom) {
      doc.addPage();
      top = tableHeader(doc, columns, page.margin);
    }
    if (index % 2 === 1) {
      doc.rect(page.margin, top, contentWidth, rowHeight).fill(colours.zebra);
    }
    doc.font('regular').fontSize(8.5).fillColor(colours.text);
    let x = page.margin;
    columns.forEach((column, at) => {
      cell(doc, row[at] ?? '', x + 3, top + 4, column.width - 6, column.align ?? 'left');
      x += column.width;
    });
    top += rowHeight;
  });
  return top + 14;
}
