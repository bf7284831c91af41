import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestTelegramUser } from '../test/init-data.js';
import { parseColor } from './colours.js';
import {
  hasChromium,
  launchBrowser,
  launchUrl,
  startServer,
  telegramContext,
  themes,
  type Server,
} from './harness.js';

const ivan: TestTelegramUser = { id: 4100, first_name: 'Иван', language_code: 'ru' };

/** What the page looks like: the colours a user sees and the theme the controls are drawn in. */
interface Look {
  body: string;
  app: string;
  title: string;
  bgVariable: string;
  /** A colour telegram-ui takes from its light or dark appearance, not from the theme. */
  outline: string;
  posted: string[];
}

// Run in the page: the test program has no DOM types.
const look = (page: Page): Promise<Look> =>
  page.evaluate<Look>(`(() => {
    const app = document.querySelector('.app');
    return {
      body: getComputedStyle(document.body).backgroundColor,
      app: getComputedStyle(app).backgroundColor,
      title: getComputedStyle(document.querySelector('.page-title')).color,
      bgVariable: document.documentElement.style.getPropertyValue('--tg-theme-bg-color'),
      outline: getComputedStyle(app).getPropertyValue('--tgui--outline').trim(),
      posted: (window.__posted ?? []).map(([name]) => name),
    };
  })()`);

/** Telegram's mobile clients deliver events by calling this function in the page. */
const receiveEvent = (page: Page, name: string, data: unknown) =>
  page.evaluate(
    `window.Telegram.WebView.receiveEvent(${JSON.stringify(name)}, ${JSON.stringify(data)})`,
  );

/** Telegram Web hosts the app in a frame and posts events to it as JSON messages. */
const postMessageEvent = (page: Page, name: string, data: unknown) =>
  page.evaluate(
    `window.postMessage(${JSON.stringify(JSON.stringify({ eventType: name, eventData: data }))}, '*')`,
  );

const rgb = (hex: string) => {
  const { r, g, b } = parseColor(hex);
  return `rgb(${r}, ${g}, ${b})`;
};

if (!hasChromium) {
  console.warn('e2e: no Chromium at /usr/bin/chromium (apt-get install chromium): skipped');
}

describe.runIf(hasChromium)('the Mini App’s colours follow Telegram’s theme', () => {
  let server: Server;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let lightOutline: string;
  let darkOutline: string;

  /** Opens the app for Ivan on a phone whose own system setting is light. */
  async function open(options: { theme: 'light' | 'dark'; olderClient?: boolean }) {
    const context = await telegramContext(browser, false);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(launchUrl(server.url, { user: ivan, ...options }));
    await page.getByRole('heading', { name: 'Мои обращения' }).waitFor();
    return page;
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    // telegram-ui's own light and dark outline colours, from the app as the SDK opens it.
    lightOutline = (await look(await open({ theme: 'light' }))).outline;
    darkOutline = (await look(await open({ theme: 'dark' }))).outline;
    expect(lightOutline).not.toBe(darkOutline);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.stop();
  });

  it('paints the whole page dark in a dark theme when the SDK cannot attach (an older client)', async () => {
    const page = await open({ theme: 'dark', olderClient: true });
    const seen = await look(page);
    // The fallback path indeed: the app asked nothing of Telegram.
    expect(seen.posted).toEqual([]);
    expect(seen.body).toBe(rgb(themes.dark.secondary_bg_color));
    expect(seen.app).toBe(rgb(themes.dark.secondary_bg_color));
    expect(seen.title).toBe(rgb(themes.dark.text_color));
    expect(seen.bgVariable).toBe(themes.dark.bg_color);
    expect(seen.outline).toBe(darkOutline);
  });

  it('follows a theme change Telegram sends while the app is open', async () => {
    const page = await open({ theme: 'light' });
    expect((await look(page)).body).toBe(rgb(themes.light.secondary_bg_color));

    await receiveEvent(page, 'theme_changed', { theme_params: themes.dark });
    await expect
      .poll(() => look(page))
      .toMatchObject({
        body: rgb(themes.dark.secondary_bg_color),
        app: rgb(themes.dark.secondary_bg_color),
        title: rgb(themes.dark.text_color),
        bgVariable: themes.dark.bg_color,
        outline: darkOutline,
      });

    await receiveEvent(page, 'theme_changed', { theme_params: themes.light });
    await expect
      .poll(() => look(page))
      .toMatchObject({
        body: rgb(themes.light.secondary_bg_color),
        title: rgb(themes.light.text_color),
        outline: lightOutline,
      });
  });

  it('follows a theme change in the fallback path, from a mobile client or Telegram Web', async () => {
    const page = await open({ theme: 'light', olderClient: true });
    await receiveEvent(page, 'theme_changed', { theme_params: themes.dark });
    await expect
      .poll(() => look(page))
      .toMatchObject({
        body: rgb(themes.dark.secondary_bg_color),
        app: rgb(themes.dark.secondary_bg_color),
        title: rgb(themes.dark.text_color),
        bgVariable: themes.dark.bg_color,
        outline: darkOutline,
      });

    await postMessageEvent(page, 'theme_changed', { theme_params: themes.light });
    await expect
      .poll(() => look(page))
      .toMatchObject({
        body: rgb(themes.light.secondary_bg_color),
        app: rgb(themes.light.secondary_bg_color),
        title: rgb(themes.light.text_color),
        outline: lightOutline,
      });
  });

  it('in the fallback path, takes the theme from Telegram.WebApp where the page has it', async () => {
    const context = await telegramContext(browser, false);
    contexts.push(context);
    // What telegram-web-app.js provides, with a dark theme while the hash says light.
    await context.addInitScript(`window.Telegram = { WebApp: {
      themeParams: ${JSON.stringify(themes.dark)},
      onEvent(name, handler) { if (name === 'themeChanged') window.__themeChanged = handler; },
    } }`);
    const page = await context.newPage();
    await page.goto(launchUrl(server.url, { user: ivan, theme: 'light', olderClient: true }));
    await page.getByRole('heading', { name: 'Мои обращения' }).waitFor();
    expect(await look(page)).toMatchObject({
      body: rgb(themes.dark.secondary_bg_color),
      title: rgb(themes.dark.text_color),
      outline: darkOutline,
    });

    await page.evaluate(
      `window.Telegram.WebApp.themeParams = ${JSON.stringify(themes.light)}; window.__themeChanged()`,
    );
    await expect
      .poll(() => look(page))
      .toMatchObject({
        body: rgb(themes.light.secondary_bg_color),
        title: rgb(themes.light.text_color),
        outline: lightOutline,
      });
  });

  it('outside Telegram, follows the system’s light or dark setting as it changes', async () => {
    const context = await telegramContext(browser, false);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByText('Откройте в Telegram').waitFor();
    const colours = () =>
      page.evaluate<{ body: string; app: string; outline: string }>(`(() => ({
        body: getComputedStyle(document.body).backgroundColor,
        app: getComputedStyle(document.querySelector('.app')).backgroundColor,
        outline: getComputedStyle(document.querySelector('.app')).getPropertyValue('--tgui--outline').trim(),
      }))()`);
    const light = await colours();
    expect(light.outline).toBe(lightOutline);
    expect(light.body).toBe(light.app);

    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(colours).toMatchObject({ outline: darkOutline });
    const dark = await colours();
    expect(dark.body).toBe(dark.app);
    expect(dark.app).not.toBe(light.app);

    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(colours).toEqual(light);
  });
});
