import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  agents,
  customers,
  fillNewTicket,
  nonsense,
  oneLineInLists,
  openDesk,
  texts,
  type Desk,
} from './desk.js';
import { hasChromium, screenshot } from './harness.js';
import { cutTexts } from './layout.js';

if (!hasChromium) {
  console.warn('e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): skipped');
}

describe.runIf(hasChromium)('every page, in both languages, both themes, at 390 and 360 px', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk();
  });
  afterAll(() => desk?.close());

  // What the user sees, page by page: nothing cut or off the side, and a screenshot of each
  // (test-results/screens/<page>-<language>-<theme>-<width>.png) to look at.
  for (const language of ['ru', 'en'] as const) {
    for (const theme of ['light', 'dark'] as const) {
      for (const width of [390, 360]) {
        const look = `${language}-${theme}-${width}`;
        it(`cuts nothing and pushes nothing off the screen: ${look}`, async () => {
          const check = async (page: Page, name: string) => {
            expect(await cutTexts(page, oneLineInLists), `${name}-${look}`).toEqual([]);
            await screenshot(page, `${name}-${look}`);
          };
          const t = texts[language];
          const page = await desk.open(customers[language], { theme, width });
          await page.locator('.counter b', { hasText: '1' }).first().waitFor();
          await page.locator('.ticket-row').first().waitFor();
          await check(page, 'dashboard');

          await page.getByRole('searchbox', { name: t.search }).fill(nonsense[language]);
          await page.getByText(t.nothingFound).waitFor();
          await check(page, 'dashboard-no-match');
          await page.getByRole('button', { name: t.clearSearch }).click();

          await fillNewTicket(page, language);
          await page.evaluate('window.scrollTo(0, 0)');
          await check(page, 'new-ticket');
          await page.getByRole('textbox', { name: t.title }).evaluate((field: unknown) =>
            (field as { scrollIntoView(options: object): void }).scrollIntoView({
              block: 'center',
            }),
          );
          await check(page, 'new-ticket-title');
          await page.getByRole('button', { name: t.preview }).click();
          await page.getByRole('heading', { name: t.preview }).waitFor();
          await check(page, 'new-ticket-preview');

          const ticket = await desk.open(customers[language], {
            theme,
            width,
            path: `/tickets/${desk.ticketOf[language]}`,
          });
          await ticket.locator('.bubble.mine').waitFor();
          await ticket.getByTestId('assignee').getByText(t.supportTeam).waitFor();
          await ticket.evaluate('window.scrollTo(0, 0)');
          await check(ticket, 'ticket');

          const staff = await desk.open(agents[language], { theme, width });
          await staff.getByRole('tab', { name: t.queue }).waitFor();
          await staff.getByRole('tab').last().click();
          await staff.locator('.ticket-row').first().waitFor();
          await check(staff, 'dashboard-staff');
          await staff.locator('.filters-button').click();
          await staff.locator('.filters').waitFor();
          await check(staff, 'dashboard-filters');

          const staffTicket = await desk.open(agents[language], {
            theme,
            width,
            path: `/tickets/${desk.ticketOf[language]}`,
          });
          await staffTicket.locator('.bubble.internal').waitFor();
          await check(staffTicket, 'ticket-staff');
          await staffTicket.evaluate('window.scrollTo(0, document.body.scrollHeight)');
          await check(staffTicket, 'ticket-staff-end');
        });
      }
    }
  }
});
