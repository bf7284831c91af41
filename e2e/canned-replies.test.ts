/**
 * Canned replies in the Mini App (issue 18), in Chromium opened as Telegram opens it: an agent
 * types `/` in a ticket's message, picks a reply, sees it filled with the customer's name and the
 * ticket's number, and sends it; staff manage their replies on their own page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
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

const owner: TestTelegramUser = { id: 1800, first_name: 'Olga', language_code: 'en' };
const agents: Record<Language, TestTelegramUser> = {
  en: { id: 1810, first_name: 'Artem', last_name: 'Belov', language_code: 'en' },
  ru: { id: 1811, first_name: 'Артём', last_name: 'Белов', language_code: 'ru' },
};
const moderator: TestTelegramUser = { id: 1820, first_name: 'Mira', language_code: 'en' };
const customer: TestTelegramUser = {
  id: 1830,
  first_name: 'Kira',
  last_name: 'Orlova',
  language_code: 'en',
};

/** Texts cut on purpose: one-line titles and previews in the picker. */
const oneLine = ['.canned-title', '.canned-body', '.canned-preview', '.category-name'];

describe.runIf(hasChromium)('canned replies in the Mini App', () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const tokens: Record<string, string> = {};
  let ticket: { id: string; number: number };

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    browser = await launchBrowser();
    tokens.owner = (await apiSignIn(server.url, owner)).token;
    for (const [name, who, role] of [
      ['en', agents.en, 'agent'],
      ['ru', agents.ru, 'agent'],
      ['moderator', moderator, 'moderator'],
    ] as const) {
      const signedIn = await apiSignIn(server.url, who);
      await call(server.url, tokens.owner, 'PUT', `/users/${signedIn.id}/role`, { role });
      // A new token carries the new role at once.
      tokens[name] = (await apiSignIn(server.url, who)).token;
    }
    tokens.customer = (await apiSignIn(server.url, customer)).token;
    await call(server.url, tokens.owner, 'POST', '/categories', { name: 'Billing' });
    const categories = await call<{ items: { id: string }[] }>(
      server.url,
      tokens.customer,
      'GET',
      '/categories',
    );
    ticket = await call(server.url, tokens.customer, 'POST', '/tickets', {
      category_id: categories.items[0]!.id,
      title: 'Charged twice in March',
      description: 'Two payments for one order.',
    });
    const replies: [string, Record<string, string>][] = [
      [
        'en',
        {
          title: 'Refund on its way',
          shortcut: 'refund',
          language: 'en',
          body: 'Hello {customer_name}, the refund for {ticket_number} is on its way. {agent_name}',
        },
      ],
      [
        'en',
        {
          title: 'Возврат оформлен',
          shortcut: 'refund',
          language: 'ru',
          body: 'Здравствуйте, {customer_name}! Возврат по обращению {ticket_number} оформлен.',
        },
      ],
      [
        'ru',
        {
          title: 'Возврат оформлен',
          shortcut: 'refund',
          language: 'ru',
          body: 'Здравствуйте, {customer_name}! Возврат по обращению {ticket_number} оформлен.',
        },
      ],
      [
        'ru',
        {
          title: 'Refund on its way',
          shortcut: 'refund',
          language: 'en',
          body: 'Hello {customer_name}, the refund for {ticket_number} is on its way.',
        },
      ],
    ];
    for (const [who, body] of replies) {
      await call(server.url, tokens[who]!, 'POST', '/canned-replies', body);
    }
    await call(server.url, tokens.moderator!, 'POST', '/canned-replies', {
      title: 'Thanks for waiting',
      shortcut: 'thanks',
      language: 'any',
      scope: 'shared',
      body: 'Thank you for waiting, {customer_name}.',
    });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  const open = (user: TestTelegramUser, options: { theme?: Theme; path: string }) =>
    openAsOlderClient(browser, contexts, server.url, user, options);

  it('inserts a reply picked with / filled for the ticket, and sends it', async () => {
    const page = await open(agents.en, { path: `/tickets/${ticket.id}` });
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.click();
    await composer.pressSequentially('/ref');
    const picker = page.getByRole('listbox', { name: 'Canned replies' });
    await picker.waitFor();
    // The customer reads English: the English reply comes first, the shared one does not match.
    await expect
      .poll(() => picker.getByRole('option').allTextContents())
      .toEqual([
        expect.stringContaining('Refund on its way'),
        expect.stringContaining('Возврат оформлен'),
      ]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    const filled = `Hello Kira Orlova, the refund for #${ticket.number} is on its way. Artem Belov`;
    await expect.poll(() => composer.inputValue()).toBe(filled);
    await expect.poll(() => picker.isVisible()).toBe(false);

    // A second line picks by tap, in place of its /query only.
    await composer.press('Shift+Enter');
    await composer.pressSequentially('/than');
    await picker.getByRole('option', { name: /Thanks for waiting/ }).click();
    await expect
      .poll(() => composer.inputValue())
      .toBe(`${filled}\nThank you for waiting, Kira Orlova.`);

    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(async () =>
        (
          await call<{ items: { content: string }[] }>(
            server.url,
            tokens.customer!,
            'GET',
            `/tickets/${ticket.id}/messages`,
          )
        ).items.map((message) => message.content),
      )
      .toEqual([`${filled}\nThank you for waiting, Kira Orlova.`]);
  });

  it('closes the picker with Escape and leaves the text as typed', async () => {
    const page = await open(agents.en, { path: `/tickets/${ticket.id}` });
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.click();
    await composer.pressSequentially('/nothing-like-it');
    await page.getByText('No canned reply matches.').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.canned-picker').count()).toBe(0);
    expect(await composer.inputValue()).toBe('/nothing-like-it');
  });

  it('shows customers no picker', async () => {
    const page = await open(customer, { path: `/tickets/${ticket.id}` });
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/canned-replies')) asked.push(request.url());
    });
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.click();
    await composer.pressSequentially('/ref');
    await expect.poll(() => composer.inputValue()).toBe('/ref');
    expect(await page.locator('.canned-picker').count()).toBe(0);
    expect(await composer.getAttribute('aria-autocomplete')).toBeNull();
    expect(asked).toEqual([]);
  });

  it('lets an agent create, edit and delete their own replies, and read the shared ones', async () => {
    const page = await open(agents.en, { path: '/admin' });
    await page.getByRole('link', { name: /Canned replies/ }).click();
    await page.getByRole('heading', { name: 'Canned replies' }).waitFor();
    await page.locator('.canned-row', { hasText: '/thanks' }).waitFor();
    // Shared replies are the moderators' to change.
    expect(await page.getByRole('button', { name: 'Edit: /thanks' }).count()).toBe(0);

    await page.getByRole('button', { name: '+ New reply' }).click();
    const sheet = page.getByRole('dialog', { name: 'New reply' });
    await sheet.getByRole('textbox', { name: 'Title' }).fill('Greeting');
    await sheet.getByRole('textbox', { name: 'Shortcut (one word)' }).fill('hi');
    await sheet.getByRole('textbox', { name: 'Text' }).fill('Hi ');
    await sheet.getByRole('button', { name: '{customer_name}' }).click();
    await sheet.getByRole('button', { name: 'Save' }).click();
    await page.locator('.canned-row', { hasText: '/hi' }).getByText('Hi {customer_name}').waitFor();

    // A typo in a placeholder is refused, naming it.
    await page.getByRole('button', { name: 'Edit: /hi' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit reply' });
    await edit.getByRole('textbox', { name: 'Text' }).fill('Hi {name}');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit
      .getByRole('alert')
      .getByText(/\{name\}/)
      .waitFor();
    await edit.getByRole('textbox', { name: 'Text' }).fill('Hi there, {customer_name}');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('.canned-row', { hasText: 'Hi there, {customer_name}' }).waitFor();

    await page.getByRole('button', { name: 'Edit: /hi' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete for good?' }).click();
    await expect.poll(() => page.locator('.canned-row', { hasText: '/hi' }).count()).toBe(0);
  });

  it('fits 390×844 in light and dark, Russian and English: the picker and the page', async () => {
    for (const language of ['en', 'ru'] as const) {
      for (const theme of ['light', 'dark'] as const) {
        const page = await open(agents[language], { theme, path: `/tickets/${ticket.id}` });
        const composer = page.getByRole('textbox', {
          name: language === 'en' ? 'Message' : 'Сообщение',
        });
        await composer.click();
        await composer.pressSequentially('/');
        await page.getByRole('listbox').getByRole('option').first().waitFor();
        expect(await cutTexts(page, oneLine)).toEqual([]);
        await screenshot(page, `canned-picker-${language}-${theme}`);

        const manage = await open(agents[language], { theme, path: '/canned-replies' });
        await manage.locator('.canned-row').first().waitFor();
        expect(await cutTexts(manage, oneLine)).toEqual([]);
        await screenshot(manage, `canned-replies-${language}-${theme}`);
        await manage
          .getByRole('button', { name: /Edit: \/refund|Изменить: \/refund/ })
          .first()
          .click();
        await manage.getByRole('dialog').waitFor();
        expect(await cutTexts(manage, oneLine)).toEqual([]);
        await screenshot(manage, `canned-reply-form-${language}-${theme}`);
      }
    }
  });
});
