import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  launchUrl,
  startServer,
  telegramContext,
  type Server,
} from './harness.js';

// Page functions run in the browser; the test program has no DOM types.
declare const window: Record<string, unknown>;

const owner: TestTelegramUser = { id: 1200, first_name: 'Olga', language_code: 'en' };
const agent: TestTelegramUser = { id: 2200, first_name: 'Boris', language_code: 'en' };
const customer: TestTelegramUser = { id: 3300, first_name: 'Cora', language_code: 'en' };

interface Ticket {
  id: string;
  number: number;
}

if (!hasChromium) {
  console.warn('e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): skipped');
}

describe.runIf(hasChromium)('the staff queues in the Mini App, live', () => {
  let server: Server;
  let browser: Browser;
  let ownerToken: string;
  let customerToken: string;
  let categoryId: string;
  const contexts: BrowserContext[] = [];

  /** The titles of the list, top to bottom. */
  const titles = (page: Page) => page.locator('.ticket-row-title').allTextContents();

  async function openTicket(title: string): Promise<Ticket> {
    return call<Ticket>(server.url, customerToken, 'POST', '/tickets', {
      category_id: categoryId,
      title,
      description: 'Since this morning.',
    });
  }

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    browser = await launchBrowser();
    ownerToken = (await apiSignIn(server.url, owner)).token;
    categoryId = (
      await call<{ id: string }>(server.url, ownerToken, 'POST', '/categories', {
        name: 'Website',
        icon: '🌐',
        description: 'The shop and its checkout',
      })
    ).id;
    const boris = await apiSignIn(server.url, agent);
    await call(server.url, ownerToken, 'PUT', `/users/${boris.id}/role`, { role: 'agent' });
    customerToken = (await apiSignIn(server.url, customer)).token;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('moves a ticket the customer writes in to the top of Unassigned and All, without reloading', async () => {
    const older = await openTicket('Refund still pending');
    const newer = await openTicket('Cannot log in');
    const context = await telegramContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(launchUrl(server.url, { user: agent }));
    await page.getByRole('tab', { name: 'Unassigned' }).waitFor();
    await expect.poll(() => titles(page)).toEqual(['Cannot log in', 'Refund still pending']);
    // Asked once: boot.js starts it right after signing in, with the dashboard's own URL.
    const firstPage = '/api/v1/tickets?assigned_to=none&sort=-updated_at&limit=30';
    expect(requests.filter((url) => url.endsWith(firstPage))).toHaveLength(1);
    expect(await page.evaluate(() => Object.keys(window.__ttbPrefetch ?? {}))).toEqual([]);
    // Anything a reload would lose.
    await page.evaluate(() => {
      window.__sameDocument = true;
    });

    await call(server.url, customerToken, 'POST', `/tickets/${older.id}/messages`, {
      content: 'It is urgent, the site is down',
    });
    await expect
      .poll(() => titles(page), { timeout: 10_000 })
      .toEqual(['Refund still pending', 'Cannot log in']);

    await page.getByRole('tab', { name: 'All' }).click();
    await expect.poll(() => titles(page)).toEqual(['Refund still pending', 'Cannot log in']);
    await call(server.url, customerToken, 'POST', `/tickets/${newer.id}/messages`, {
      content: 'Still cannot log in',
    });
    await expect
      .poll(() => titles(page), { timeout: 10_000 })
      .toEqual(['Cannot log in', 'Refund still pending']);

    // Taken by someone else: it leaves Unassigned while the agent watches.
    await page.getByRole('tab', { name: 'Unassigned' }).click();
    await expect.poll(() => titles(page)).toEqual(['Cannot log in', 'Refund still pending']);
    const me = await call<{ id: string }>(server.url, ownerToken, 'GET', '/auth/me');
    await call(server.url, ownerToken, 'PUT', `/tickets/${newer.id}/assign`, {
      assigned_to: me.id,
    });
    await expect.poll(() => titles(page), { timeout: 10_000 }).toEqual(['Refund still pending']);
    expect(await page.evaluate(() => window.__sameDocument)).toBe(true);
  });
});
