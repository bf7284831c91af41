import type { Browser, Locator } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contrastRatio, parseColor } from './colours.js';
import {
  agents,
  customers,
  fillNewTicket,
  longTitles,
  nonsense,
  openDesk,
  texts,
  type Desk,
} from './desk.js';
import {
  hasChromium,
  launchBrowser,
  screenshot,
  startServer,
  telegramContext,
  type Server,
} from './harness.js';
import { cutTexts, leftEdge } from './layout.js';

interface Bubble {
  kind: string;
  background: string;
  parts: { name: string; color: string; background?: string }[];
}

if (!hasChromium) {
  console.warn('e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): skipped');
}

describe.runIf(hasChromium)('the Mini App looked at page by page', () => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await openDesk();
  });
  afterAll(() => desk?.close());

  it('keeps the buttons of the ticket preview whole, in Russian, at 390 and 360 px', async () => {
    for (const width of [390, 360]) {
      const page = await desk.open(customers.ru, { width });
      await page.getByRole('heading', { name: texts.ru.myTickets }).waitFor();
      await fillNewTicket(page, 'ru');
      await page.getByRole('button', { name: texts.ru.preview }).click();
      await page.getByRole('heading', { name: texts.ru.preview }).waitFor();
      expect(await cutTexts(page), `at ${width} px`).toEqual([]);
    }
  });

  it('keeps a 37-character title whole in its field', async () => {
    for (const language of ['ru', 'en'] as const) {
      const page = await desk.open(customers[language]);
      await page.getByRole('heading', { name: texts[language].myTickets }).waitFor();
      await fillNewTicket(page, language);
      const field = page.getByRole('textbox', { name: texts[language].title });
      expect(longTitles[language]).toHaveLength(37);
      const fits = await field.evaluate((element: unknown) => {
        const box = element as Record<
          'scrollWidth' | 'clientWidth' | 'scrollHeight' | 'clientHeight',
          number
        >;
        return box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight;
      });
      expect(fits, language).toBe(true);
      await page.getByText('37/200').waitFor();
    }
  });

  it('shows every status chip on the screen, so Resolved and Closed are not missed', async () => {
    for (const language of ['ru', 'en'] as const) {
      for (const width of [390, 360]) {
        const page = await desk.open(agents[language], { width });
        await page.getByRole('tab', { name: texts[language].queue }).waitFor();
        const chips = page.locator('.counter');
        await expect.poll(() => chips.count()).toBe(6);
        for (const chip of await chips.all()) {
          const box = (await chip.boundingBox())!;
          expect(box.x, `${language} ${width}: ${await chip.innerText()}`).toBeGreaterThanOrEqual(
            0,
          );
          expect(
            box.x + box.width,
            `${language} ${width}: ${await chip.innerText()}`,
          ).toBeLessThanOrEqual(width);
        }
      }
    }
  });

  it('shows the 👤 icon clearly on its blue circle, in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const page = await desk.open(customers.en, { theme });
      await page.getByRole('heading', { name: texts.en.myTickets }).waitFor();
      await page.getByRole('button', { name: texts.en.newTicket }).click();
      const icon = page.getByRole('radio', { name: /Account/ }).locator('.category-icon');
      await icon.waitFor();
      expect(await iconContrast(icon), theme).toBeGreaterThanOrEqual(3);
    }
  });

  it('writes every message’s author, text and time at 4.5:1 contrast or more, in both themes', async () => {
    const low: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      for (const user of [customers.en, agents.en]) {
        const page = await desk.open(user, { theme, path: `/tickets/${desk.ticketOf.en}` });
        await page.locator('.bubble.mine').first().waitFor();
        const bubbles = await page.evaluate<
          Bubble[]
        >(`[...document.querySelectorAll('.bubble')].map((bubble) => ({
          kind: bubble.className,
          background: getComputedStyle(bubble).backgroundColor,
          parts: [...bubble.querySelectorAll('.bubble-author, .internal-tag, .bubble-text, .bubble-time')].map((part) => ({
            name: part.className + ' “' + part.textContent + '”',
            color: getComputedStyle(part).color,
            background: part.classList.contains('internal-tag') ? getComputedStyle(part).backgroundColor : undefined,
          })),
        }))`);
        expect(bubbles.length).toBeGreaterThanOrEqual(2);
        for (const bubble of bubbles) {
          for (const part of bubble.parts) {
            const ratio = contrastRatio(part.color, part.background ?? bubble.background);
            if (ratio < 4.5) low.push(`${theme}, ${bubble.kind}: ${part.name} ${ratio.toFixed(2)}`);
          }
        }
      }
    }
    expect(low).toEqual([]);
  });

  it('names the categories in the user’s language', async () => {
    for (const language of ['ru', 'en'] as const) {
      const page = await desk.open(customers[language]);
      await page.getByRole('heading', { name: texts[language].myTickets }).waitFor();
      await page.locator('.ticket-row-category', { hasText: texts[language].account }).waitFor();
      await page.getByRole('button', { name: texts[language].newTicket }).click();
      await page.getByRole('radio', { name: new RegExp(texts[language].account) }).waitFor();
      const other = language === 'ru' ? 'Account' : 'Аккаунт';
      expect(await page.getByText(other).count(), language).toBe(0);
    }
  });

  it('says when nothing matches the search, and offers to clear it', async () => {
    for (const language of ['ru', 'en'] as const) {
      const page = await desk.open(customers[language]);
      const rows = page.locator('.ticket-row');
      await expect.poll(() => rows.count()).toBe(3);
      const search = page.getByRole('searchbox', { name: texts[language].search });
      await search.fill(nonsense[language]);
      await page.getByText(texts[language].nothingFound).waitFor();
      await page.getByRole('button', { name: texts[language].clearSearch }).click();
      await expect.poll(() => rows.count()).toBe(3);
      expect(await search.inputValue()).toBe('');
    }
  });

  it('tells the customer who answers as “Support team”, capitalised', async () => {
    for (const language of ['ru', 'en'] as const) {
      const page = await desk.open(customers[language], {
        path: `/tickets/${desk.ticketOf[language]}`,
      });
      await expect
        .poll(() => page.getByTestId('assignee').innerText())
        .toBe(texts[language].supportTeam);
    }
  });

  it('lines up the cards with the headings above them', async () => {
    const page = await desk.open(agents.en);
    await page.getByRole('tab', { name: 'All' }).click();
    await page.locator('.ticket-row').first().waitFor();
    const title = await leftEdge(page.locator('.page-title'));
    expect(await leftEdge(page.locator('.counter')), 'status chips').toBe(title);
    // The search field's outline is drawn 2 px outside its box.
    expect((await leftEdge(page.locator('label.search'))) - 2, 'search field').toBe(title);
    expect(await leftEdge(page.locator('.ticket-row')), 'ticket cards').toBe(title);

    await page.locator('.ticket-row').first().click();
    await page.locator('.ticket-info').waitFor();
    expect(await leftEdge(page.locator('.ticket-info')), 'ticket card').toBe(title);
  });
});

describe.runIf(hasChromium)('the Mini App outside Telegram (demo mode)', () => {
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

  it('offers a back control on every inner page', async () => {
    const context = await telegramContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await page.getByRole('button', { name: 'Клиент' }).click();
      const dashboard = page.getByRole('heading', { name: 'My tickets' });
      await dashboard.waitFor();

      await page.locator('.ticket-row').first().click();
      await page.locator('.ticket-info').waitFor();
      await screenshot(page, 'ticket-outside-telegram');
      await page.getByRole('button', { name: 'Back' }).click();
      await dashboard.waitFor();

      await page.getByRole('button', { name: '+ New ticket' }).click();
      await page.getByRole('heading', { name: 'New ticket' }).waitFor();
      await screenshot(page, 'new-ticket-outside-telegram');
      await page.getByRole('radio').first().click();
      await page.getByRole('textbox', { name: 'Title' }).fill('Where is my parcel?');
      await page.getByRole('textbox', { name: 'Description' }).fill('Ordered two weeks ago.');
      await page.getByRole('button', { name: 'Preview' }).click();
      await page.getByRole('heading', { name: 'Preview' }).waitFor();
      // From the preview, back is back to the form, as typed.
      await page.getByRole('button', { name: 'Back' }).click();
      await page.getByRole('heading', { name: 'New ticket' }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Title' }).inputValue()).toBe(
        'Where is my parcel?',
      );
      await page.getByRole('button', { name: 'Back' }).click();
      await dashboard.waitFor();

      // Opened straight at a ticket (a link), back leads to the list.
      const link = await page.locator('.ticket-row').first().getAttribute('href');
      await page.goto(`${server.url}${link}`);
      await page.getByRole('button', { name: 'Клиент' }).click();
      await page.locator('.ticket-info').waitFor();
      await page.getByRole('button', { name: 'Back' }).click();
      await dashboard.waitFor();
    } finally {
      await context.close();
    }
  });
});

/**
 * How well the emoji stands out from the circle behind it: the median WCAG contrast between the
 * circle's colour and the pixels of the emoji drawn on it.
 */
async function iconContrast(icon: Locator): Promise<number> {
  const background = parseColor(
    await icon.evaluate(
      (element: unknown) =>
        (
          globalThis as unknown as {
            getComputedStyle(element: unknown): { backgroundColor: string };
          }
        ).getComputedStyle(element).backgroundColor,
    ),
  );
  const { data, info } = await sharp(await icon.screenshot())
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ratios: number[] = [];
  const [cx, cy] = [info.width / 2, info.height / 2];
  for (let y = 0; y < info.height; y += 1) {
    for (let x = 0; x < info.width; x += 1) {
      if (Math.hypot(x - cx, y - cy) > info.width * 0.35) continue;
      const at = (y * info.width + x) * 3;
      const pixel = { r: data[at]!, g: data[at + 1]!, b: data[at + 2]!, a: 1 };
      const distance = Math.hypot(
        pixel.r - background.r,
        pixel.g - background.g,
        pixel.b - background.b,
      );
      if (distance > 24) ratios.push(contrastRatio(pixel, background));
    }
  }
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(ratios.length / 2)] ?? 1;
}
