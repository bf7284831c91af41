/**
 * The analytics page (issue 19), in Chromium opened as Telegram opens the Mini App: an owner
 * opens it from the admin home, changes the period and sees the numbers follow, sees the figures
 * move by themselves when a customer opens a ticket elsewhere, sorts the staff table and
 * downloads the report as PDF and Excel; agents and customers find no way in. Screenshots at
 * 390×844, light and dark, ru and en.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { initialJs } from '../bench/web-size.js';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  openAsOlderClient,
  screenshot,
  type Server,
  startServer,
} from './harness.js';
import { cutTexts } from './layout.js';

type Language = 'ru' | 'en';
type Theme = 'light' | 'dark';

const owners: Record<Language, TestTelegramUser> = {
  en: { id: 1400, first_name: 'Olga', last_name: 'Owner', language_code: 'en' },
  ru: { id: 1401, first_name: 'Ольга', last_name: 'Владелец', language_code: 'ru' },
};
const agent: TestTelegramUser = {
  id: 5600,
  first_name: 'Artem',
  last_name: 'Agent',
  language_code: 'en',
};
const customer: TestTelegramUser = {
  id: 5700,
  first_name: 'Carl',
  last_name: 'Customer',
  language_code: 'en',
};

/** The numbers of a column of a chart's table, as a screen reader reads them. */
async function column(page: Page, table: string, index: number): Promise<number[]> {
  const cells = await page
    .getByTestId(table)
    .locator(`tbody tr > :nth-child(${index + 1})`)
    .allTextContents();
  return cells.map((text) => Number(text.replace(/\D/g, '')));
}

/** Text for screen readers only (a chart's table), which is clipped to nothing on purpose. */
const forScreenReaders = ['.visually-hidden'];

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** The value a KPI card shows. */
function kpi(page: Page, name: string): Promise<string> {
  return page.locator(`.kpi[data-kpi="${name}"] .kpi-value`).innerText();
}

describe.runIf(hasChromium)('analytics page', () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ownerToken: string;
  let customerToken: string;
  let ticketCount = 0;
  let categoryIds: string[] = [];

  async function openTicket(title: string, category = 0): Promise<string> {
    const ticket = await call<{ id: string }>(server.url, customerToken, 'POST', '/tickets', {
      category_id: categoryIds[category],
      title,
      description: `${title}. Details below.`,
    });
    ticketCount += 1;
    return ticket.id;
  }

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: `${owners.en.id},${owners.ru.id}` });
    browser = await launchBrowser();
    ownerToken = (await apiSignIn(server.url, owners.en)).token;
    await apiSignIn(server.url, owners.ru);
    const artem = await apiSignIn(server.url, agent);
    await call(server.url, ownerToken, 'PUT', `/users/${artem.id}/role`, { role: 'agent' });
    customerToken = (await apiSignIn(server.url, customer)).token;
    // The support team works on Tokyo's clock (UTC+9, no clock changes): the page's days are theirs.
    const settings = await call<{ support_hours: object }>(
      server.url,
      ownerToken,
      'GET',
      '/settings',
    );
    await call(server.url, ownerToken, 'PUT', '/settings', {
      support_hours: { ...settings.support_hours, time_zone: 'Asia/Tokyo' },
    });
    await call(server.url, ownerToken, 'POST', '/categories', { name: 'Billing', icon: '💳' });
    const categories = await call<{ items: { id: string }[] }>(
      server.url,
      ownerToken,
      'GET',
      '/categories',
    );
    categoryIds = categories.items.map((category) => category.id);
    const first = await openTicket('Charged twice in March');
    await openTicket('The app crashes on start', 1);
    // An answer and a resolution, so the staff table and the resolved line have something.
    await call(server.url, ownerToken, 'POST', `/tickets/${first}/messages`, {
      content: 'Refunded, sorry for the trouble.',
    });
    await call(server.url, ownerToken, 'PUT', `/tickets/${first}/status`, { status: 'resolved' });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  /** Opens the Mini App as Telegram does for `user`, on a path. */
  const open = (user: TestTelegramUser, options: { theme?: Theme; path?: string } = {}) =>
    openAsOlderClient(browser, contexts, server.url, user, options);

  it('opens from the admin home, and the numbers follow the period', async () => {
    const page = await open(owners.en, { path: '/admin' });
    await page.getByRole('link', { name: /Analytics/ }).click();
    await page.getByRole('heading', { name: 'Analytics' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/admin/analytics');

    // 7 days by default: a point a day, and the tickets of the last minutes in them.
    await expect.poll(() => kpi(page, 'created')).toBe(String(ticketCount));
    await expect.poll(() => column(page, 'timeseries-table', 1)).toHaveLength(7);
    expect(sum(await column(page, 'timeseries-table', 1))).toBe(ticketCount);
    expect(await page.getByRole('button', { name: '7 days' }).getAttribute('aria-pressed')).toBe(
      'true',
    );

    await page.getByText('Days and hours on the support clock (Asia/Tokyo)').waitFor();

    // Today: a point an hour, from midnight in Tokyo.
    const [hourly] = await Promise.all([
      page.waitForRequest((request) => /\/stats\/timeseries\?.*bucket=hour/.test(request.url())),
      page.getByRole('button', { name: 'Today' }).click(),
    ]);
    const asked = new URL(hourly.url()).searchParams;
    expect(asked.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\+09:00$/);
    expect(Date.parse(asked.get('to')!) - Date.parse(asked.get('from')!)).toBe(86_400_000);
    await expect.poll(() => column(page, 'timeseries-table', 1)).toHaveLength(24);
    await page
      .getByRole('img', { name: 'Line chart of tickets created and resolved per hour' })
      .waitFor();

    // A month long past: nothing was created then.
    await page.getByRole('button', { name: 'Dates' }).click();
    await page.getByLabel('From', { exact: true }).fill('2021-01-01');
    const [monthly] = await Promise.all([
      page.waitForRequest((request) => request.url().includes('to=2021-02-01')),
      page.getByLabel('To', { exact: true }).fill('2021-01-31'),
    ]);
    expect(new URL(monthly.url()).searchParams.get('from')).toBe('2021-01-01T00:00:00+09:00');
    await expect.poll(() => column(page, 'timeseries-table', 1)).toHaveLength(31);
    expect(sum(await column(page, 'timeseries-table', 1))).toBe(0);
    await expect.poll(() => kpi(page, 'created')).toBe('0');

    // Dates the wrong way round are refused in words, and no figures are asked for them.
    await page.getByLabel('To', { exact: true }).fill('2020-12-01');
    await page.getByRole('alert').getByText('The end date comes before the start date.').waitFor();
  });

  it('moves the figures by itself when a customer opens a ticket elsewhere', async () => {
    const page = await open(owners.en, { path: '/admin/analytics' });
    await expect.poll(() => kpi(page, 'created')).toBe(String(ticketCount));
    await page.getByRole('button', { name: 'Show as table' }).first().click();
    const before = sum(await column(page, 'timeseries-table', 1));

    await openTicket('Where is my parcel?');
    await expect.poll(() => kpi(page, 'created'), { timeout: 15_000 }).toBe(String(ticketCount));
    await expect.poll(() => column(page, 'timeseries-table', 1).then(sum)).toBe(before + 1);
    await expect
      .poll(() => column(page, 'breakdown-priority-table', 1).then(sum))
      .toBe(ticketCount);
  });

  it('sorts the staff table by the column tapped, both ways', async () => {
    const page = await open(owners.en, { path: '/admin/analytics' });
    const table = page.getByTestId('staff-table');
    await table.locator('.staff-name').first().waitFor();
    const names = () => table.locator('.staff-name').allTextContents();
    const messages = table.getByRole('columnheader', { name: /Messages/ });

    await messages.getByRole('button').click();
    expect(await messages.getAttribute('aria-sort')).toBe('descending');
    expect((await names())[0]).toBe('Olga Owner');
    await messages.getByRole('button').click();
    expect(await messages.getAttribute('aria-sort')).toBe('ascending');
    expect((await names()).at(-1)).toBe('Olga Owner');

    const name = table.getByRole('columnheader', { name: /Name/ });
    await name.getByRole('button').click();
    expect(await name.getAttribute('aria-sort')).toBe('ascending');
    expect(await messages.getAttribute('aria-sort')).toBe('none');
    const sorted = await names();
    expect(sorted).toEqual(sorted.toSorted((a, b) => a.localeCompare(b, 'en')));
  });

  it('downloads the period’s report as PDF and as Excel', async () => {
    const page = await open(owners.en, { path: '/admin/analytics' });
    await expect.poll(() => kpi(page, 'created')).toBe(String(ticketCount));

    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toMatch(/^report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.pdf$/);
    const pdfBytes = readFileSync(await pdf.path());
    expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdfBytes.length).toBeGreaterThan(2000);
    await page
      .getByRole('status')
      .getByText(/^Saved report-.*\.pdf/)
      .waitFor();

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Excel' }).click(),
    ]);
    expect(xlsx.suggestedFilename()).toMatch(/^report-.*\.xlsx$/);
    const xlsxBytes = readFileSync(await xlsx.path());
    // A zip (every XLSX is one) that exceljs reads as a workbook with sheets.
    expect(xlsxBytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsxBytes as unknown as ArrayBuffer);
    expect(book.worksheets.length).toBeGreaterThan(0);
  });

  it('asks the bot to send the report to the owner’s Telegram chat, and says so', async () => {
    const page = await open(owners.en, { path: '/admin/analytics' });
    await expect.poll(() => kpi(page, 'created')).toBe(String(ticketCount));
    await page.getByRole('button', { name: 'Send to my Telegram' }).click();
    await page
      .getByRole('status')
      .getByText('The report is on its way to your Telegram chat.')
      .waitFor();
    await expect
      .poll(
        () =>
          server.bot
            .sent('sendDocument')
            .filter(
              (sent) => Number((sent.params as { chat_id?: unknown }).chat_id) === owners.en.id,
            ).length,
        { timeout: 20_000 },
      )
      .toBe(1);
  });

  it('keeps the chart library out of the initial JavaScript, in the page’s own chunk', () => {
    const dist = path.resolve(import.meta.dirname, '..', 'web', 'dist');
    // uPlot's own class names, which only its code holds.
    const hasUplot = (file: string) =>
      readFileSync(path.join(dist, file), 'utf8').includes('u-cursor-pt');
    const { files, gzipBytes } = initialJs(dist);
    expect(files.filter(hasUplot)).toEqual([]);
    expect(gzipBytes).toBeLessThanOrEqual(150 * 1024);
    const chunks = readdirSync(path.join(dist, 'assets'))
      .filter((name) => name.endsWith('.js'))
      .map((name) => `assets/${name}`)
      .filter(hasUplot);
    expect(chunks).toEqual([expect.stringMatching(/^assets\/Analytics-[\w-]+\.js$/)]);
  });

  it('shows an agent no entry and a customer the refusal at the page’s address', async () => {
    const home = await open(agent, { path: '/admin' });
    await home.getByRole('link', { name: /Canned replies/ }).waitFor();
    expect(await home.getByRole('link', { name: /Analytics/ }).count()).toBe(0);

    const page = await open(customer, { path: '/admin/analytics' });
    await page.getByText('This section is for support staff only.').waitFor();
    expect(await page.locator('.kpi').count()).toBe(0);
  });

  // At 390×844 in both languages and themes: nothing cut or off the side, and a screenshot of
  // each part of the page (test-results/screens/analytics-<part>-<language>-<theme>.png).
  for (const language of ['en', 'ru'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      const look = `${language}-${theme}`;
      it(`shows the page whole: ${look}`, async () => {
        const page = await open(owners[language], { theme, path: '/admin/analytics' });
        await page.locator('.staff-name').first().waitFor();
        await page.locator('.heatmap').waitFor();
        await page.locator('.chart-canvas canvas').nth(2).waitFor();
        const parts = {
          top: '.page-title',
          charts: '.chart-card >> nth=0',
          bars: '.chart-card >> nth=2',
          staff: '.staff-table',
          reports: '.report-buttons',
        };
        for (const [part, selector] of Object.entries(parts)) {
          await page.locator(selector).evaluate((element: unknown) =>
            (element as { scrollIntoView(options: object): void }).scrollIntoView({
              block: 'start',
            }),
          );
          expect(await cutTexts(page, forScreenReaders), `${part}-${look}`).toEqual([]);
          await screenshot(page, `analytics-${part}-${look}`);
        }
        // A chart's numbers shown as a table to everyone, and the heat map's.
        for (const [index, part] of [
          [1, 'category-table'],
          [3, 'heatmap-table'],
        ] as const) {
          const card = page.locator('.chart-card').nth(index);
          await card.locator('.chart-toggle').click();
          await card.locator('.chart-table:not(.visually-hidden)').waitFor();
          await card.evaluate((element: unknown) =>
            (element as { scrollIntoView(options: object): void }).scrollIntoView({
              block: 'start',
            }),
          );
          expect(await cutTexts(page, forScreenReaders), `${part}-${look}`).toEqual([]);
          await screenshot(page, `analytics-${part}-${look}`);
        }
        await page.getByRole('button', { name: /Filters|Фильтры/ }).click();
        await page.locator('.filters').waitFor();
        await page.evaluate('window.scrollTo(0, 0)');
        expect(await cutTexts(page, forScreenReaders), `filters-${look}`).toEqual([]);
        await screenshot(page, `analytics-filters-${look}`);
      });
    }
  }
});
