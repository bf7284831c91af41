import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

const run = promisify(execFile);

/** A PDF page rendered by poppler's `pdftoppm`: its PNG and how much of it is not white. */
export interface RenderedPage {
  png: Buffer;
  /** The share of pixels darker than near-white, 0…1. */
  inked: number;
}

/** The share of `png`'s pixels that are not (near) white. */
async function inkedShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (const value of data) if (value < 235) dark += 1;
  return dark / (info.width * info.height);
}

/**
 * Renders every page of `pdf` to PNG with `pdftoppm` (Debian's poppler-utils) and extracts its
 * text with `pdftotext`, as a reader's viewer would see them.
 */
export async function renderPdfPages(
  pdf: Buffer,
  dpi = 60,
): Promise<{ pages: RenderedPage[]; text: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'report-pdf-'));
  try {
    const file = join(folder, 'report.pdf');
    await writeFile(file, pdf);
    await run('pdftoppm', ['-r', String(dpi), '-png', file, join(folder, 'page')]);
    const { stdout } = await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const pageNumber = (name: string) => Number(name.slice(name.lastIndexOf('-') + 1, -4));
    const names = (await readdir(folder))
      .filter((name) => name.endsWith('.png'))
      .sort((a, b) => pageNumber(a) - pageNumber(b));
    const pages = await Promise.all(
      names.map(async (name) => {
        const png = await readFile(join(folder, name));
        return { png, inked: await inkedShare(png) };
      }),
    );
    return { pages, text: stdout };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
