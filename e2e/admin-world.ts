/**
 * The world the admin console's browser tests (e2e/admin.test.ts, e2e/admin-pages.test.ts) start
 * from, each file on its own server: two owners (Olga in English and in Russian), Marina, Bob and
 * Carl the customer signed in (five people); the categories Billing and Technical issue beside the
 * seeded General questions (three); and Carl's two tickets in Billing, each a "new ticket"
 * notification for the owners. Also the check of every new page in one look, which both files run.
 */
import { expect } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  launchBrowser,
  openAsOlderClient,
  screenshot,
  type Server,
  startServer,
} from './harness.js';
import { cutTexts } from './layout.js';

export type Language = 'ru' | 'en';
export type Theme = 'light' | 'dark';

export const owners: Record<Language, TestTelegramUser> = {
  en: { id: 1200, first_name: 'Olga', last_name: 'Owner', language_code: 'en' },
  ru: { id: 1201, first_name: 'Ольга', last_name: 'Владелец', language_code: 'ru' },
};
export const marina: TestTelegramUser = {
  id: 5100,
  first_name: 'Marina',
  last_name: 'Kuznetsova',
  username: 'marina_k',
  language_code: 'en',
};
export const bob: TestTelegramUser = {
  id: 5200,
  first_name: 'Bob',
  last_name: 'Spammer',
  language_code: 'en',
};
export const customer: TestTelegramUser = {
  id: 5300,
  first_name: 'Carl',
  last_name: 'Customer',
  language_code: 'en',
};

/** Long user-written text that a list shows on one line, cut with an ellipsis on purpose. */
export const oneLine = [
  '.person-row-name',
  '.category-name',
  '.ticket-row-title',
  '.ticket-row-category',
];

/** A running app and a browser, with the people, categories and tickets above. */
export interface AdminWorld {
  server: Server;
  /** Olga's (English) token. */
  ownerToken: string;
  customerToken: string;
  /** User ids of Marina, Bob and Carl: `marina`, `bob`, `carl`. */
  ids: Record<string, string>;
  /** Opens the Mini App as Telegram does for `user`, on a path or with a start parameter. */
  open(
    user: TestTelegramUser,
    options?: { theme?: Theme; path?: string; startParam?: string },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the app and a browser, and makes the world above (closing them if that fails). */
export async function openAdminWorld(): Promise<AdminWorld> {
  const server = await startServer({ OWNER_TELEGRAM_IDS: `${owners.en.id},${owners.ru.id}` });
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  const close = async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server.stop();
  };
  try {
    const launched = await launchBrowser();
    browser = launched;
    const people = await signInEveryone(server);
    return {
      server,
      ...people,
      open: (user, options = {}) =>
        openAsOlderClient(launched, contexts, server.url, user, options),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Signs the five people in, adds the categories and the customer's tickets. */
async function signInEveryone(
  server: Server,
): Promise<Pick<AdminWorld, 'ownerToken' | 'customerToken' | 'ids'>> {
  const ids: Record<string, string> = {};
  const ownerToken = (await apiSignIn(server.url, owners.en)).token;
  await apiSignIn(server.url, owners.ru);
  ids.marina = (await apiSignIn(server.url, marina)).id;
  ids.bob = (await apiSignIn(server.url, bob)).id;
  const carl = await apiSignIn(server.url, customer);
  const customerToken = carl.token;
  ids.carl = carl.id;
  for (const [name, icon, color] of [
    ['Billing', '💳', '#34c759'],
    ['Technical issue', '🛠', '#ff9500'],
  ] as const) {
    await call(server.url, ownerToken, 'POST', '/categories', { name, icon, color });
  }
  const categories = await call<{ items: { id: string }[] }>(
    server.url,
    ownerToken,
    'GET',
    '/categories',
  );
  // The customer's tickets: each one a "new ticket" notification for the owners.
  for (const title of ['Charged twice in March', 'The app crashes on start']) {
    await call(server.url, customerToken, 'POST', '/tickets', {
      category_id: categories.items[0]!.id,
      title,
      description: `${title}. Details below.`,
    });
  }
  // Notifications are written after the ticket, by the event's listener.
  for (let tries = 0; ; tries++) {
    const { unread_count: unread } = await call<{ unread_count: number }>(
      server.url,
      ownerToken,
      'GET',
      '/notifications/unread-count',
    );
    if (unread === 2) break;
    if (tries > 100) throw new Error(`the owner has ${unread} unread notifications, not 2`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ownerToken, customerToken, ids };
}

/**
 * Every new page in one language and theme, at 390×844: nothing cut or off the side, and a
 * screenshot of each (test-results/screens/admin-<page>-<language>-<theme>.png) to look at.
 * admin.test.ts checks English in the light theme, the look its tests use; admin-pages.test.ts
 * the other three.
 */
export async function checkEveryNewPage(
  world: AdminWorld,
  language: Language,
  theme: Theme,
): Promise<void> {
  const look = `${language}-${theme}`;
  const owner = owners[language];
  const check = async (page: Page, name: string) => {
    await screenshot(page, `admin-${name}-${look}`);
    expect(await cutTexts(page, oneLine), `${name}-${look}`).toEqual([]);
  };
  const dashboard = await world.open(owner, { theme });
  await dashboard.locator('.title-links .title-link').nth(1).waitFor();
  await check(dashboard, 'dashboard-links');

  const home = await world.open(owner, { theme, path: '/admin' });
  await home.locator('.entry-icon').nth(2).waitFor();
  await check(home, 'home');

  const people = await world.open(owner, { theme, path: '/admin/users' });
  await people.locator('.person-row').nth(4).waitFor();
  await check(people, 'people');
  await people.locator('.filters-button').click();
  await people.locator('.filters').waitFor();
  await check(people, 'people-filters');

  const page = await world.open(owner, { theme, path: `/admin/users/${world.ids.marina}` });
  // The timeline, or its note that nothing is recorded yet.
  await page.locator('.timeline li, .person-section .field-note').last().waitFor();
  await page.locator('.person-section .ticket-row, .person-section .field-note').first().waitFor();
  await check(page, 'person');
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await check(page, 'person-end');
  await page.locator('select').first().selectOption('moderator');
  await page.getByRole('dialog').waitFor();
  await check(page, 'person-role-sheet');
  await page.keyboard.press('Escape');
  await page.locator('.section-actions button').first().click();
  await page.getByRole('dialog').waitFor();
  await check(page, 'person-block-sheet');

  const categories = await world.open(owner, { theme, path: '/admin/categories' });
  await categories.locator('.category').nth(2).waitFor();
  await check(categories, 'categories');
  await categories.locator('.section-actions button').first().click();
  await categories.getByRole('dialog').waitFor();
  await check(categories, 'category-form');

  const settings = await world.open(owner, { theme, path: '/admin/settings' });
  await settings.locator('form').waitFor();
  await check(settings, 'settings');
  await settings
    .getByRole('combobox', { name: language === 'en' ? 'Send' : 'Отправлять' })
    .scrollIntoViewIfNeeded();
  await check(settings, 'settings-report');
  await settings.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await check(settings, 'settings-end');

  const notifications = await world.open(owner, { theme, path: '/notifications' });
  await notifications.locator('.inbox-item').first().waitFor();
  await check(notifications, 'notifications');
  await notifications.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  await check(notifications, 'notifications-preferences');
}
