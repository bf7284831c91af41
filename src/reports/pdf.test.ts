import { describe, expect, it } from 'vitest';
import { renderPdfPages } from '../../test/pdf-pages.js';
import { sampleReportData } from '../../test/report-data.js';
import { renderPdf } from './pdf.js';

describe('the PDF report', () => {
  it('in Russian: three A4 pages with ink on each, and its Cyrillic extractable', async () => {
    const pdf = await renderPdf(sampleReportData('ru'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = await renderPdfPages(pdf);
    expect(pages).toHaveLength(3);
    for (const page of pages) expect(page.inked).toBeGreaterThan(0.01);
    expect(text).toContain('Отчёт службы поддержки');
    expect(text).toContain('30.11.2026 – 06.12.2026');
    expect(text).toContain('Ключевые показатели');
    expect(text).toContain('Технические вопросы');
    expect(text).toContain('Анна Смирнова');
    expect(text).toMatch(/Создано\s+40\s+80\s+−50 %/);
    expect(text).toMatch(/Первый ответ, медиана \(рабочее время\)\s+30 мин\s+1 ч 00 мин/);
  });

  it('in English: the same report in English words, on the support clock', async () => {
    const { pages, text } = await renderPdfPages(await renderPdf(sampleReportData('en')));
    expect(pages).toHaveLength(3);
    expect(text).toContain('Support report');
    expect(text).toContain('Key figures');
    expect(text).toMatch(/Generated\s+07\.12\.2026 09:30 \(Europe\/Moscow\)/);
    expect(text).toContain('Technical questions');
    expect(text).toContain('Critical');
    expect(text).not.toContain('Ключевые');
  });

  it('with nothing in the period: the charts say so and the pages still render', async () => {
    const data = sampleReportData('en');
    data.timeseries.points = [];
    data.byCategory.rows = [];
    data.staff.rows = [];
    const { pages, text } = await renderPdfPages(await renderPdf(data));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('No data for the period');
  });

  it('goes on over more pages with its header repeated when a table is long', async () => {
    const data = sampleReportData('ru');
    const [first] = data.staff.rows;
    data.staff.rows = Array.from({ length: 120 }, (_, index) => ({
      ...first!,
      user_id: `1a2b3c4d-0000-4000-8000-${String(index).padStart(12, '0')}`,
      name: `Сотрудник ${index + 1}`,
    }));
    const { pages, text } = await renderPdfPages(await renderPdf(data));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(text).toContain('Сотрудник 120');
    expect(text.match(/Сообщений/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
