import type { Browser, BrowserContext, Page, WebSocket } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  launchUrl,
  mainButtonState,
  pressMainButton,
  screenshot,
  startServer,
  telegramContext,
  telegramEvent,
  type Server,
} from './harness.js';

// Runs in the browser (the test program has no DOM types).
declare const getComputedStyle: (element: unknown) => { backgroundColor: string; color: string };

const owner: TestTelegramUser = {
  id: 1000,
  first_name: 'Olga',
  last_name: 'Owner',
  language_code: 'en',
};
const agent: TestTelegramUser = {
  id: 2000,
  first_name: 'Boris',
  last_name: 'Agent',
  language_code: 'en',
};
const alice: TestTelegramUser = {
  id: 3000,
  first_name: 'Alice',
  username: 'alice',
  language_code: 'en',
};
const ivan: TestTelegramUser = { id: 4000, first_name: 'Иван', language_code: 'ru' };

interface Category {
  id: string;
  name: string;
}
interface Ticket {
  id: string;
  number: number;
  title: string;
}

/** A photo to attach: a 1600×1200 PNG, which the app shrinks before upload. */
function photo(): Promise<Buffer> {
  return sharp({
    create: { width: 1600, height: 1200, channels: 3, background: { r: 40, g: 140, b: 220 } },
  })
    .png()
    .toBuffer();
}

/** The relative luminance of a CSS `rgb(…)` colour, 0 (black) to 1 (white). */
function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/\d+/g) ?? []).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

/** Every WebSocket frame the page received, as text. */
function recordFrames(page: Page): string[] {
  const frames: string[] = [];
  page.on('websocket', (socket: WebSocket) => {
    socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
  });
  return frames;
}

if (!hasChromium) {
  console.warn(
    'e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): browser tests skipped',
  );
}

describe.runIf(hasChromium)('the Mini App in Chromium, opened as Telegram opens it', () => {
  let server: Server;
  let browser: Browser;
  let ownerToken: string;
  let categories: Category[];
  const contexts: BrowserContext[] = [];

  async function open(
    user: TestTelegramUser,
    options: { dark?: boolean; startParam?: string; path?: string } = {},
  ) {
    const context = await telegramContext(browser, options.dark);
    contexts.push(context);
    const page = await context.newPage();
    const frames = recordFrames(page);
    await page.goto(
      launchUrl(server.url, {
        user,
        theme: options.dark ? 'dark' : 'light',
        ...(options.startParam ? { startParam: options.startParam } : {}),
        ...(options.path ? { path: options.path } : {}),
      }),
    );
    return { page, frames };
  }

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    browser = await launchBrowser();
    ownerToken = (await apiSignIn(server.url, owner)).token;
    for (const category of [
      {
        name: 'Billing',
        icon: '💳',
        color: '#2e7d32',
        description: 'Payments, invoices and refunds',
      },
      { name: 'Technical', icon: '🛠', color: '#1565c0', description: 'Errors, crashes and bugs' },
    ]) {
      await call(server.url, ownerToken, 'POST', '/categories', category);
    }
    categories = (await call<{ items: Category[] }>(server.url, ownerToken, 'GET', '/categories'))
      .items;
    const boris = await apiSignIn(server.url, agent);
    await call(server.url, ownerToken, 'PUT', `/users/${boris.id}/role`, { role: 'agent' });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  const categoryId = (name: string) => categories.find((category) => category.name === name)!.id;

  it('lets a customer open a ticket with a picture and then find it in the list', async () => {
    const { page } = await open(alice);
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    await page.getByText('No tickets here yet').waitFor();
    await screenshot(page, 'dashboard-empty-light');

    // "New ticket" is Telegram's Main Button on the dashboard.
    expect((await mainButtonState(page)).text).toBe('+ New ticket');
    await pressMainButton(page);
    await page.getByText('Payments, invoices and refunds').waitFor();
    expect((await mainButtonState(page)).text).toBe('Preview');
    await page.getByRole('radio', { name: /Billing/ }).click();
    await page.getByRole('textbox', { name: 'Title' }).fill('Charged twice for March');
    await page
      .getByRole('textbox', { name: 'Description' })
      .fill('My card was charged twice for the March invoice.\nPlease refund one payment.');
    await expect.poll(() => page.getByText('23/200').count()).toBe(1);
    await page.getByTestId('file-input').setInputFiles({
      name: 'receipt.png',
      mimeType: 'image/png',
      buffer: await photo(),
    });
    // Compressed in the browser: it goes up as WebP, and the upload finishes.
    await page.getByText('receipt.webp').waitFor();
    await page.locator('progress[value="1"]').waitFor();
    await screenshot(page, 'new-ticket-light');

    await expect.poll(async () => (await mainButtonState(page)).is_active).toBe(true);
    await pressMainButton(page);
    await page.getByRole('heading', { name: 'Preview' }).waitFor();
    await page.getByText('Charged twice for March').waitFor();
    expect((await mainButtonState(page)).text).toBe('Send ticket');
    await screenshot(page, 'new-ticket-preview-light');

    await pressMainButton(page);
    await page.getByRole('heading', { name: 'Charged twice for March' }).waitFor();
    await page.waitForURL(/\/tickets\/[\w-]+$/);
    const picture = page.getByRole('button').locator('img[alt="receipt.webp"]');
    await picture.waitFor();
    await expect
      .poll(() =>
        picture.evaluate((image: unknown) => (image as { naturalWidth: number }).naturalWidth),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'ticket-light');

    // Telegram's Back Button returns to the list, which now shows the ticket.
    await telegramEvent(page, 'back_button_pressed');
    await page.getByRole('heading', { name: 'My tickets' }).waitFor();
    await page.getByRole('link', { name: /Charged twice for March/ }).waitFor();
    await screenshot(page, 'dashboard-light');
  });

  it('shows an agent’s reply to the customer live, over the WebSocket, without reloading', async () => {
    const customer = await open(alice);
    await customer.page.getByRole('link', { name: /Charged twice for March/ }).click();
    await customer.page.getByRole('heading', { name: 'Charged twice for March' }).waitFor();
    await customer.page.getByRole('textbox', { name: 'Message' }).waitFor();

    const staff = await open(agent);
    await staff.page.getByRole('tab', { name: 'Unassigned' }).waitFor();
    await staff.page.getByRole('link', { name: /Charged twice for March/ }).click();
    await staff.page.getByRole('button', { name: 'Assign to me' }).click();
    await staff.page.getByTestId('assignee').getByText('Boris Agent').waitFor();

    const composer = staff.page.getByRole('textbox', { name: 'Message' });
    await composer.fill('Sorry about that! Refunding the second payment now.');
    await customer.page.getByText('Boris is typing…').waitFor();
    await composer.press('Enter');
    await customer.page
      .locator('.bubble', { hasText: 'Refunding the second payment now.' })
      .getByText('Boris Agent, support')
      .waitFor();
    expect(customer.frames.some((frame) => frame.includes('"message.created"'))).toBe(true);

    // An internal note is marked as such for staff and never reaches the customer.
    await staff.page.locator('.note-toggle').click();
    await staff.page.getByRole('textbox', { name: /Internal note/ }).fill('Customer is a VIP');
    await staff.page.getByRole('button', { name: 'Send' }).click();
    await staff.page.locator('.bubble.internal', { hasText: 'Customer is a VIP' }).waitFor();
    await screenshot(staff.page, 'ticket-staff-light');

    // The status the agent sets shows on the customer's page live too.
    await staff.page.getByRole('combobox', { name: 'Status' }).selectOption('waiting');
    await customer.page.locator('.ticket-badges').getByText('Waiting').waitFor();
    expect(await customer.page.getByText('Customer is a VIP').count()).toBe(0);
    await screenshot(customer.page, 'ticket-chat-light');
  });

  it('narrows the list by status, category, priority and search as you type', async () => {
    const { token } = await apiSignIn(server.url, alice);
    for (const [title, category, priority] of [
      ['App crashes when I upload a photo', 'Technical', 'critical'],
      ['Invoice shows the wrong address', 'Billing', 'low'],
      ['Dark mode colours are unreadable', 'Technical', 'normal'],
    ] as const) {
      await call(server.url, token, 'POST', '/tickets', {
        category_id: categoryId(category),
        title,
        description: `${title}. Details follow.`,
        priority,
      });
    }
    const { page } = await open(alice);
    const rows = page.locator('.ticket-row');
    await expect.poll(() => rows.count()).toBe(4);

    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('crash');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain('App crashes');
    await page.getByRole('searchbox', { name: 'Search tickets' }).fill('');
    await expect.poll(() => rows.count()).toBe(4);

    await page.getByRole('button', { name: 'Filters' }).click();
    await page.getByRole('combobox', { name: 'Category' }).selectOption({ label: '🛠 Technical' });
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByRole('combobox', { name: 'Priority' }).selectOption('critical');
    await expect.poll(() => rows.count()).toBe(1);
    await screenshot(page, 'dashboard-filtered-light');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => rows.count()).toBe(4);

    // The counters count by status; a counter filters by its status.
    await page.locator('.counter[data-status="waiting"]').getByText('1').waitFor();
    await page.locator('.counter[data-status="waiting"]').click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain('Charged twice');
    await page.locator('.counter[data-status="waiting"]').click();
    await expect.poll(() => rows.count()).toBe(4);
  });

  it('opens the ticket a start parameter names', async () => {
    const { token } = await apiSignIn(server.url, alice);
    const tickets = await call<{ items: Ticket[] }>(server.url, token, 'GET', '/tickets?q=invoice');
    const ticket = tickets.items.find((item) => item.title.startsWith('Invoice shows'))!;
    const { page } = await open(alice, { startParam: `ticket_${ticket.number}` });
    await page.getByRole('heading', { name: 'Invoice shows the wrong address' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/tickets/${ticket.id}`);

    // The bot's notification buttons open `MINI_APP_URL?startapp=ticket_<n>` instead.
    const fromButton = await open(alice, { path: `/?startapp=ticket_${ticket.number}` });
    await fromButton.page
      .getByRole('heading', { name: 'Invoice shows the wrong address' })
      .waitFor();
    expect(new URL(fromButton.page.url()).pathname).toBe(`/tickets/${ticket.id}`);
  });

  it('follows dark theme parameters and the user’s language, on every page', async () => {
    const { page } = await open(ivan, { dark: true });
    await page.getByRole('heading', { name: 'Мои обращения' }).waitFor();
    const background = await page
      .locator('.app')
      .evaluate((element: unknown) => getComputedStyle(element).backgroundColor);
    expect(luminance(background)).toBeLessThan(0.2);
    const text = await page
      .locator('.page-title')
      .evaluate((element: unknown) => getComputedStyle(element).color);
    expect(luminance(text)).toBeGreaterThan(0.8);
    await screenshot(page, 'dashboard-empty-dark');

    await expect.poll(async () => (await mainButtonState(page)).text).toBe('+ Новое обращение');
    await pressMainButton(page);
    await page.getByRole('radio', { name: /Technical/ }).click();
    await page.getByRole('textbox', { name: 'Тема' }).fill('Не приходит код подтверждения');
    await page.getByRole('textbox', { name: 'Описание' }).fill('Жду SMS уже десять минут.');
    await page.getByTestId('file-input').setInputFiles({
      name: 'screen.png',
      mimeType: 'image/png',
      buffer: await photo(),
    });
    await page.locator('progress[value="1"]').waitFor();
    await screenshot(page, 'new-ticket-dark');
    await expect.poll(async () => (await mainButtonState(page)).is_active).toBe(true);
    await pressMainButton(page);
    await page.getByRole('heading', { name: 'Предпросмотр' }).waitFor();
    await screenshot(page, 'new-ticket-preview-dark');
    await pressMainButton(page);
    await page.getByRole('heading', { name: 'Не приходит код подтверждения' }).waitFor();
    await page.getByRole('textbox', { name: 'Сообщение' }).fill('Номер +7 900 000-00-00');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.locator('.bubble', { hasText: 'Номер' }).waitFor();
    await screenshot(page, 'ticket-dark');

    await page.goto(launchUrl(server.url, { user: ivan, theme: 'dark' }));
    await page.getByRole('link', { name: /Не приходит код/ }).waitFor();
    await screenshot(page, 'dashboard-dark');

    const staff = await open(agent, { dark: true });
    await staff.page.getByRole('tab', { name: 'All' }).click();
    await staff.page.getByRole('link', { name: /Не приходит код/ }).click();
    await staff.page.getByRole('button', { name: 'Assign to me' }).waitFor();
    await staff.page.locator('.note-toggle').click();
    await staff.page.getByRole('textbox', { name: /Internal note/ }).fill('Check the SMS gateway');
    await staff.page.getByRole('button', { name: 'Send' }).click();
    await staff.page.locator('.bubble.internal').waitFor();
    await screenshot(staff.page, 'ticket-staff-dark');
  });

  it('speaks English to a de user and Russian to one without a language, as the bot does', async () => {
    const greta: TestTelegramUser = { id: 4100, first_name: 'Greta', language_code: 'de' };
    const nika: TestTelegramUser = { id: 4101, first_name: 'Ника' };
    for (const [user, language, heading] of [
      [greta, 'en', 'My tickets'],
      [nika, 'ru', 'Мои обращения'],
    ] as const) {
      const { page } = await open(user);
      await page.getByRole('heading', { name: heading }).waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(language);
    }
  });

  it('outside Telegram, says how to open it (no demo sign-in with a bot configured)', async () => {
    for (const dark of [false, true]) {
      const context = await telegramContext(browser, dark);
      contexts.push(context);
      const page = await context.newPage();
      await page.goto(server.url);
      await page.getByText('Откройте в Telegram').waitFor();
      expect(await page.getByRole('button', { name: 'Агент' }).count()).toBe(0);
      await screenshot(page, `welcome-${dark ? 'dark' : 'light'}`);
    }
  });
});

describe.runIf(hasChromium)('the Mini App in demo mode', () => {
  let server: Server;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer({ TELEGRAM_BOT_TOKEN: '' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('offers one demo sign-in per role and opens the staff queues for an agent', async () => {
    const context = await telegramContext(browser);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByText('Демо-режим').waitFor();
    await screenshot(page, 'welcome-demo-light');
    await page.getByRole('button', { name: 'Агент' }).click();
    // The demo agent speaks English.
    await page.getByRole('tab', { name: 'Unassigned' }).waitFor();
    await page.getByRole('tab', { name: 'All' }).click();
    await expect.poll(() => page.locator('.ticket-row').count()).toBeGreaterThan(5);
    await screenshot(page, 'dashboard-staff-light');
    await context.close();
  });
});
