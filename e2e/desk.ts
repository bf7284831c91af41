/**
 * A support desk to look at every page with: the demo categories (with Russian names), and per
 * language a customer with three tickets and an agent who answered one of them.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  launchBrowser,
  openAsOlderClient,
  type Server,
  startServer,
} from './harness.js';

export type Language = 'ru' | 'en';
export type Theme = 'light' | 'dark';

const owner: TestTelegramUser = { id: 1200, first_name: 'Olga', language_code: 'en' };
export const customers: Record<Language, TestTelegramUser> = {
  ru: { id: 3300, first_name: 'Иван', last_name: 'Петров', language_code: 'ru' },
  en: { id: 3400, first_name: 'Alice', last_name: 'Smith', language_code: 'en' },
};
export const agents: Record<Language, TestTelegramUser> = {
  ru: { id: 2300, first_name: 'Пётр', last_name: 'Агентов', language_code: 'ru' },
  en: { id: 2400, first_name: 'Boris', last_name: 'Agent', language_code: 'en' },
};

/** The demo categories (src/db/seed.ts), with the names a Russian speaker reads. */
const demoCategories = [
  ['Billing', 'Оплата', '💳', '#34c759', 'Payments, invoices, refunds', 'Платежи, счета, возвраты'],
  [
    'Technical issue',
    'Техническая проблема',
    '🛠',
    '#ff9500',
    'Something is broken',
    'Что-то сломалось',
  ],
  ['Account', 'Аккаунт', '👤', '#007aff', 'Sign-in, profile, access', 'Вход, профиль, доступ'],
  ['Feature request', 'Пожелание', '💡', '#af52de', 'Ideas and wishes', 'Идеи и пожелания'],
  ['Other', 'Другое', '💬', '#8e8e93', 'Anything else', 'Всё остальное'],
] as const;

/** What the pages say, as the tests look for it. */
export const texts = {
  ru: {
    myTickets: 'Мои обращения',
    queue: 'Свободные',
    search: 'Поиск обращений',
    newTicket: '+ Новое обращение',
    preview: 'Предпросмотр',
    title: 'Тема',
    description: 'Описание',
    nothingFound: 'Ничего не найдено по запросу «зщшг»',
    clearSearch: 'Очистить поиск',
    supportTeam: 'Служба поддержки',
    back: 'Назад',
    account: 'Аккаунт',
  },
  en: {
    myTickets: 'My tickets',
    queue: 'Unassigned',
    search: 'Search tickets',
    newTicket: '+ New ticket',
    preview: 'Preview',
    title: 'Title',
    description: 'Description',
    nothingFound: 'Nothing matches “zzqx”',
    clearSearch: 'Clear search',
    supportTeam: 'Support team',
    back: 'Back',
    account: 'Account',
  },
} as const;
export const nonsense: Record<Language, string> = { ru: 'зщшг', en: 'zzqx' };

/** A 37-character title, as a customer might write it. */
export const longTitles: Record<Language, string> = {
  ru: 'Не приходит код подтверждения по SMS.',
  en: 'Cannot sign in: the code never comes.',
};

/** Each language's tickets: title, category, priority. */
const seedTickets: Record<Language, [string, string, string][]> = {
  ru: [
    ['Не могу войти в аккаунт', 'Account', 'high'],
    ['Списали деньги дважды', 'Billing', 'normal'],
    ['Добавьте тёмную тему', 'Feature request', 'normal'],
  ],
  en: [
    ['Cannot sign in to my account', 'Account', 'high'],
    ['Charged twice in March', 'Billing', 'normal'],
    ['Please add a dark theme', 'Feature request', 'normal'],
  ],
};

/** The agent's answer, the customer's reply and the agent's internal note. */
const seedMessages: Record<Language, [string, string, string]> = {
  ru: ['Здравствуйте! Уже смотрим.', 'Спасибо, жду.', 'Проверить журнал входа'],
  en: ['Hello! We are looking into it.', 'Thanks, I will wait.', 'Check the sign-in log'],
};

/** Long user-written text that a list shows on one line, cut with an ellipsis on purpose. */
export const oneLineInLists = ['.ticket-row-title', '.ticket-row-category'];

/** A running app with the demo categories and, per language, a customer and an agent. */
export interface Desk {
  /** The customer's answered ticket, by language. */
  ticketOf: Record<Language, string>;
  /**
   * Opens the app as an older Telegram client does: the SDK cannot attach, so the app shows its
   * own buttons (the fallback path), which is where they can be cut.
   */
  open(
    user: TestTelegramUser,
    options?: { theme?: Theme; width?: number; path?: string },
  ): Promise<Page>;
  close(): Promise<void>;
}

/** Starts the app and a browser, and fills the desk (the demo categories, with Russian names). */
export async function openDesk(): Promise<Desk> {
  const server: Server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
  const browser: Browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  const ownerToken = (await apiSignIn(server.url, owner)).token;
  for (const [name, russian, icon, color, description, russianDescription] of demoCategories) {
    await call(server.url, ownerToken, 'POST', '/categories', {
      name,
      icon,
      color,
      description,
      translations: { ru: { name: russian, description: russianDescription } },
    });
  }
  const categories = await call<{ items: { id: string; name: string }[] }>(
    server.url,
    ownerToken,
    'GET',
    '/categories',
  );
  const ids = new Map(categories.items.map((category) => [category.name, category.id]));
  const ticketOf = {
    ru: await seedConversation(server, ownerToken, 'ru', ids),
    en: await seedConversation(server, ownerToken, 'en', ids),
  };
  return {
    ticketOf,
    open: (user, options = {}) => openAsOlderClient(browser, contexts, server.url, user, options),
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * A customer and an agent who speak `language`: three tickets (one open and answered, with an
 * internal note; one resolved; one closed). Returns the answered ticket.
 */
async function seedConversation(
  server: Server,
  ownerToken: string,
  language: Language,
  ids: Map<string, string>,
): Promise<string> {
  const agent = await apiSignIn(server.url, agents[language]);
  await call(server.url, ownerToken, 'PUT', `/users/${agent.id}/role`, { role: 'agent' });
  const customer = await apiSignIn(server.url, customers[language]);
  const tickets: { id: string }[] = [];
  for (const [title, category, priority] of seedTickets[language]) {
    tickets.push(
      await call(server.url, customer.token, 'POST', '/tickets', {
        category_id: ids.get(category),
        title,
        description: `${title}. ${language === 'ru' ? 'Подробности ниже.' : 'Details below.'}`,
        priority,
      }),
    );
  }
  const [first, second, third] = tickets;
  const [hello, thanks, note] = seedMessages[language];
  await call(server.url, agent.token, 'PUT', `/tickets/${first!.id}/assign`, {
    assigned_to: agent.id,
  });
  await call(server.url, agent.token, 'POST', `/tickets/${first!.id}/messages`, {
    content: hello,
  });
  await call(server.url, customer.token, 'POST', `/tickets/${first!.id}/messages`, {
    content: thanks,
  });
  await call(server.url, agent.token, 'POST', `/tickets/${first!.id}/messages`, {
    content: note,
    is_internal: true,
  });
  await call(server.url, agent.token, 'PUT', `/tickets/${second!.id}/status`, {
    status: 'resolved',
  });
  await call(server.url, agent.token, 'PUT', `/tickets/${third!.id}/status`, {
    status: 'closed',
  });
  return first!.id;
}

/** From the dashboard to a filled-in new ticket form, with the app's own buttons. */
export async function fillNewTicket(page: Page, language: Language, title = longTitles[language]) {
  await page.getByRole('button', { name: texts[language].newTicket }).click();
  await page.getByRole('radio').first().click();
  await page.getByRole('textbox', { name: texts[language].title }).fill(title);
  await page
    .getByRole('textbox', { name: texts[language].description })
    .fill(language === 'ru' ? 'Жду SMS уже десять минут.' : 'I have waited ten minutes.');
}
