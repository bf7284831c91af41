import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelegramUser } from '../test/init-data.js';
import {
  apiSignIn,
  call,
  hasChromium,
  launchBrowser,
  launchUrl,
  screenshot,
  startServer,
  telegramContext,
  type Server,
} from './harness.js';

const owner: TestTelegramUser = { id: 1100, first_name: 'Olga', language_code: 'en' };
const agent: TestTelegramUser = { id: 2100, first_name: 'Boris', language_code: 'en' };
const carol: TestTelegramUser = { id: 3100, first_name: 'Carol', language_code: 'en' };
const vera: TestTelegramUser = { id: 4100, first_name: 'Вера', language_code: 'ru' };

interface Ticket {
  id: string;
  number: number;
}

describe.runIf(hasChromium)('rating a resolved ticket in the Mini App', () => {
  let server: Server;
  let browser: Browser;
  let agentToken: string;
  let agentId: string;
  let category: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startServer({ OWNER_TELEGRAM_IDS: String(owner.id) });
    browser = await launchBrowser();
    const ownerToken = (await apiSignIn(server.url, owner)).token;
    category = (
      await call<{ id: string }>(server.url, ownerToken, 'POST', '/categories', {
        name: 'Technical',
        icon: '🛠',
        color: '#1565c0',
      })
    ).id;
    const boris = await apiSignIn(server.url, agent);
    await call(server.url, ownerToken, 'PUT', `/users/${boris.id}/role`, { role: 'agent' });
    agentToken = (await apiSignIn(server.url, agent)).token;
    agentId = boris.id;
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  /** A ticket of `customer`, taken and resolved by the agent. */
  async function resolvedTicket(customer: TestTelegramUser, title: string): Promise<Ticket> {
    const { token } = await apiSignIn(server.url, customer);
    const ticket = await call<Ticket>(server.url, token, 'POST', '/tickets', {
      category_id: category,
      title,
      description: 'It stops after a minute.',
    });
    await call(server.url, agentToken, 'PUT', `/tickets/${ticket.id}/assign`, {
      assigned_to: agentId,
    });
    await call(server.url, agentToken, 'PUT', `/tickets/${ticket.id}/status`, {
      status: 'resolved',
    });
    return ticket;
  }

  async function open(user: TestTelegramUser, ticket: Ticket, dark = false) {
    const context = await telegramContext(browser, dark);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(
      launchUrl(server.url, {
        user,
        theme: dark ? 'dark' : 'light',
        startParam: `ticket_${ticket.number}`,
      }),
    );
    return page;
  }

  it('lets the customer rate with stars and a comment, shows it changeable, and shows staff the score', async () => {
    const ticket = await resolvedTicket(carol, 'Video call drops');
    // The agent has the ticket open already: the rating appears there live, without a reload.
    const staffPage = await open(agent, ticket);
    await staffPage.getByRole('heading', { name: 'Video call drops' }).waitFor();
    expect(await staffPage.getByTestId('rating').count()).toBe(0);
    const page = await open(carol, ticket);
    const card = page.getByRole('region', { name: 'How did we do?' });
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    const send = card.getByRole('button', { name: 'Send rating' });
    expect(await send.isDisabled()).toBe(true);
    await card.getByRole('button', { name: '4 of 5' }).click();
    await card
      .getByRole('textbox', { name: 'Comment (optional)' })
      .fill('Solved on the first call');
    await screenshot(page, 'ticket-rating-ask-light');
    await send.click();

    await card.getByText('Your rating', { exact: true }).waitFor();
    await card.getByText('Solved on the first call').waitFor();
    await card.getByText(/You can change it until/).waitFor();
    await staffPage.getByTestId('rating').getByText('Solved on the first call').waitFor();
    expect(await card.getByLabel('4 of 5').textContent()).toBe('★★★★☆');
    await screenshot(page, 'ticket-rating-done-light');

    // Changed within the day: the form comes back with the score and comment given.
    await card.getByRole('button', { name: 'Change rating' }).click();
    await card.getByRole('button', { name: '5 of 5' }).click();
    await card.getByRole('button', { name: 'Send rating' }).click();
    await card.getByRole('button', { name: 'Change rating' }).waitFor();
    expect(await card.getByLabel('5 of 5').textContent()).toBe('★★★★★');

    const staffToken = agentToken;
    const saved = await call<{ rating: { score: number; comment: string } }>(
      server.url,
      staffToken,
      'GET',
      `/tickets/${ticket.id}/rating`,
    );
    expect(saved.rating).toMatchObject({ score: 5, comment: 'Solved on the first call' });

    const fact = staffPage.getByTestId('rating');
    await expect.poll(() => fact.textContent()).toContain('★★★★★');
    expect(await fact.textContent()).toContain('Solved on the first call');
    await screenshot(staffPage, 'ticket-rating-staff-light');
  });

  it('looks right in the dark theme and in Russian', async () => {
    const ticket = await resolvedTicket(vera, 'Не работает принтер');
    const dark = await open(vera, ticket, true);
    const card = dark.getByRole('region', { name: 'Как мы справились?' });
    await card.waitFor();
    await card.scrollIntoViewIfNeeded();
    await card.getByRole('button', { name: '2 из 5' }).click();
    await screenshot(dark, 'ticket-rating-ask-dark-ru');
    await card.getByRole('button', { name: 'Отправить оценку' }).click();
    await card.getByText('Ваша оценка', { exact: true }).waitFor();
    expect(await card.getByLabel('2 из 5').textContent()).toBe('★★☆☆☆');
    await screenshot(dark, 'ticket-rating-done-dark-ru');

    const english = await resolvedTicket(carol, 'Printer offline');
    const darkEn = await open(carol, english, true);
    const cardEn = darkEn.getByRole('region', { name: 'How did we do?' });
    await cardEn.waitFor();
    await cardEn.scrollIntoViewIfNeeded();
    await screenshot(darkEn, 'ticket-rating-ask-dark');
    const light = await open(vera, await resolvedTicket(vera, 'Нет звука'));
    const cardRu = light.getByRole('region', { name: 'Как мы справились?' });
    await cardRu.waitFor();
    await cardRu.scrollIntoViewIfNeeded();
    await screenshot(light, 'ticket-rating-ask-light-ru');
  });
});
