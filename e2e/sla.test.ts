/**
 * Service levels in the Mini App (issue 18), in Chromium opened as Telegram opens it: an agent
 * sees a ticket's SLA badge turn to warning by itself as the page's clock passes the warn
 * instant the server gave (80 % of the target), without a reload; the settings page edits the
 * targets. Screenshots of the changed pages at 390×844, light and dark, ru and en.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  openAsOlderClient,
  screenshot,
  startServer,
  type Server,
} from './harness.js';
import { cutTexts } from './layout.js';

type Language = 'ru' | 'en';
type Theme = 'light' | 'dark';

const owners: Record<Language, TestTelegramUser> = {
  en: { id: 1300, first_name: 'Olga', last_name: 'Owner', language_code: 'en' },
  ru: { id: 1301, first_name: 'Ольга', last_name: 'Владелец', language_code: 'ru' },
};
const agent: TestTelegramUser = {
  id: 5400,
  first_name: 'Artem',
  last_name: 'Agent',
  language_code: 'en',
};
const customer: TestTelegramUser = {
  id: 5500,
  first_name: 'Carl',
  last_name: 'Customer',
  language_code: 'en',
};

interface Sla {
  state: string;
  next_warn_at: string | null;
  next_due_at: string | null;
}

const oneLine = ['.ticket-row-title', '.ticket-row-category'];

describe.runIf(hasChromium)('SLA badges in the Mini App', () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ownerToken: string;
  let customerToken: string;
  let ticketId: string;

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: `${owners.en.id},${owners.ru.id}` });
    browser = await launchBrowser();
    ownerToken = (await apiSignIn(server.url, owners.en)).token;
    await apiSignIn(server.url, owners.ru);
    const agentId = (await apiSignIn(server.url, agent)).id;
    await call(server.url, ownerToken, 'PUT', `/users/${agentId}/role`, { role: 'agent' });
    customerToken = (await apiSignIn(server.url, customer)).token;
    // Every minute counts (no support days named); critical: 10 minutes to a first answer.
    await call(server.url, ownerToken, 'PUT', '/settings', {
      support_hours: { time_zone: 'UTC', days: [], start: '09:00', end: '18:00' },
      sla: {
        low: { first_response: 480, resolution: 4320 },
        normal: { first_response: 240, resolution: 1440 },
        high: { first_response: 60, resolution: 480 },
        critical: { first_response: 10, resolution: 240 },
      },
    });
    const category = await call<{ id: string }>(server.url, ownerToken, 'POST', '/categories', {
      name: 'Technical issue',
      icon: '🛠',
      color: '#ff9500',
    });
    const ticket = await call<{ id: string }>(server.url, customerToken, 'POST', '/tickets', {
      category_id: category.id,
      title: 'The payment page is down',
      description: 'Nobody can pay since this morning.',
      priority: 'critical',
    });
    ticketId = ticket.id;
    await call(server.url, customerToken, 'POST', '/tickets', {
      category_id: category.id,
      title: 'How do I change my e-mail?',
      description: 'The settings do not let me.',
      priority: 'low',
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  const open = (
    user: TestTelegramUser,
    options: { theme?: Theme; path?: string; at?: number } = {},
  ) => openAsOlderClient(browser, contexts, server.url, user, options);

  it('turns the badge to warning as the page clock passes the server’s warn instant', async () => {
    const agentToken = (await apiSignIn(server.url, agent)).token;
    const { sla } = await call<{ sla: Sla }>(server.url, agentToken, 'GET', `/tickets/${ticketId}`);
    expect(sla.state).toBe('ok');
    const warnAt = Date.parse(sla.next_warn_at ?? '');
    const dueAt = Date.parse(sla.next_due_at ?? '');
    // The page's clock starts a little before the server's now and is moved by the test.
    const page = await open(agent, { path: `/tickets/${ticketId}`, at: Date.now() });
    const badge = page.locator('.ticket-info [data-testid="sla-badge"]');
    await badge.waitFor();
    expect(await badge.getAttribute('data-state')).toBe('ok');
    expect(await badge.textContent()).toMatch(/^(10|9)m left$/);

    // Just before 80 %: still on time.
    await page.clock.fastForward(warnAt - 20_000 - (await page.evaluate(() => Date.now())));
    await page.clock.runFor(1_000);
    expect(await badge.getAttribute('data-state')).toBe('ok');
    // Past it: warning, by the page's own clock, no reload.
    await page.clock.fastForward(40_000);
    await expect.poll(() => badge.getAttribute('data-state')).toBe('warning');
    expect(await badge.textContent()).toMatch(/^1m left$/);
    // Past the due time: overdue.
    await page.clock.fastForward(dueAt - (await page.evaluate(() => Date.now())) + 5 * 60_000);
    await expect.poll(() => badge.getAttribute('data-state')).toBe('breached');
    expect(await badge.textContent()).toMatch(/^overdue 5m$/);
  });

  it('lists the tickets due soonest first for staff, and filters by SLA state', async () => {
    const page = await open(agent, { path: '/' });
    await page.locator('.ticket-row').nth(1).waitFor();
    await page.locator('.filters-button').click();
    await page.getByRole('combobox', { name: 'Sort' }).selectOption('due_at');
    await expect
      .poll(() => page.locator('.ticket-row-title').first().textContent())
      .toBe('The payment page is down');
    await page.getByRole('combobox', { name: 'Service level' }).selectOption('met');
    await page.getByText('No tickets match the filters').waitFor();
  });

  it('shows a customer no SLA badge', async () => {
    const page = await open(customer, { path: `/tickets/${ticketId}` });
    await page.locator('.ticket-info .ticket-title').waitFor();
    expect(await page.locator('[data-testid="sla-badge"]').count()).toBe(0);
  });

  it('edits the targets on the settings page (admin)', async () => {
    const page = await open(owners.en, { path: '/admin/settings' });
    const field = page.getByRole('spinbutton', { name: 'Critical: First response (min)' });
    await field.fill('20');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved').first().waitFor();
    const saved = await call<{ sla: { critical: { first_response: number } } }>(
      server.url,
      ownerToken,
      'GET',
      '/settings',
    );
    expect(saved.sla.critical.first_response).toBe(20);
  });

  for (const language of ['en', 'ru'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      const look = `${language}-${theme}`;
      it(`shows the changed pages whole: ${look}`, async () => {
        const owner = owners[language];
        const check = async (page: Page, name: string) => {
          await screenshot(page, `sla-${name}-${look}`);
          expect(await cutTexts(page, oneLine), `${name}-${look}`).toEqual([]);
        };
        const dashboard = await open(owner, { theme });
        await dashboard.locator('.ticket-row [data-testid="sla-badge"]').first().waitFor();
        await check(dashboard, 'dashboard');
        await dashboard.locator('.filters-button').click();
        await dashboard.locator('.filters').waitFor();
        await check(dashboard, 'dashboard-filters');

        const ticket = await open(owner, { theme, path: `/tickets/${ticketId}` });
        await ticket.locator('.ticket-info [data-testid="sla-badge"]').waitFor();
        await check(ticket, 'ticket');

        const settings = await open(owner, { theme, path: '/admin/settings' });
        const section = settings.locator('.sla-targets').last();
        await section.waitFor();
        await section.scrollIntoViewIfNeeded();
        await check(settings, 'settings');
      });
    }
  }
});
