import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startFakeBotApi, type FakeBotApi } from '../test/fake-bot-api.js';
import { createEmptyPostgresDatabase, testDatabaseUrl } from '../test/infra.js';
import { signInitData, testBotToken, type TestTelegramUser } from '../test/init-data.js';
import { readyUrl, spawnApp } from '../test/spawn-app.js';

// The page functions below run in the browser; the test program has no DOM types.
declare const window: Record<string, unknown>;

/** Debian's Chromium, where `.ci/run` installs it. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when the browser tests can run here. */
export const hasChromium = existsSync(chromiumPath);

const root = path.resolve(import.meta.dirname, '..');

/** Where the screenshots of every page go. */
export const screensDir = path.join(root, 'test-results', 'screens');

/** Telegram's default light and dark theme parameters (as Telegram Android sends them). */
export const themes = {
  light: {
    bg_color: '#ffffff',
    text_color: '#000000',
    hint_color: '#707579',
    link_color: '#3390ec',
    button_color: '#3390ec',
    button_text_color: '#ffffff',
    secondary_bg_color: '#f4f4f5',
    header_bg_color: '#ffffff',
    accent_text_color: '#3390ec',
    section_bg_color: '#ffffff',
    section_header_text_color: '#3390ec',
    subtitle_text_color: '#707579',
    destructive_text_color: '#df3f40',
  },
  dark: {
    bg_color: '#212121',
    text_color: '#ffffff',
    hint_color: '#aaaaaa',
    link_color: '#8774e1',
    button_color: '#8774e1',
    button_text_color: '#ffffff',
    secondary_bg_color: '#0f0f0f',
    header_bg_color: '#212121',
    accent_text_color: '#8774e1',
    section_bg_color: '#212121',
    section_header_text_color: '#aaaaaa',
    subtitle_text_color: '#aaaaaa',
    destructive_text_color: '#e53935',
  },
} as const;

/** A real server process (`src/main.ts`) on a fresh data directory, with a bot token set. */
export interface Server {
  url: string;
  bot: FakeBotApi;
  stop(): Promise<void>;
}

/** Starts the app as `npm start` does, with the bot talking to a fake Bot API. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-e2e-'));
  const bot = await startFakeBotApi({ token: testBotToken });
  const database = testDatabaseUrl ? await createEmptyPostgresDatabase() : undefined;
  const app = spawnApp({
    DATA_DIR: dataDir,
    PORT: '0',
    TELEGRAM_BOT_TOKEN: testBotToken,
    TELEGRAM_API_ROOT: bot.url,
    RATE_LIMIT_MAX: '10000',
    AUTH_RATE_LIMIT_MAX: '1000',
    LOG_LEVEL: 'info',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
    ...env,
  });
  const url = await readyUrl(app);
  return {
    url,
    bot,
    async stop() {
      app.child.kill('SIGTERM');
      await Promise.race([app.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      app.child.kill('SIGKILL');
      await bot.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Chromium flags for tests and benches: no sandbox (containers run as root), no GPU, and no
 * background traffic (QUIC, updates, sync) that would skew what is measured or hang offline.
 */
export const chromiumFlags: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Debian's Chromium headless with a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(screensDir, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumFlags],
  });
}

/** How Telegram opens the Mini App for one user. */
export interface LaunchOptions {
  user: TestTelegramUser;
  theme?: keyof typeof themes;
  startParam?: string;
  path?: string;
  /**
   * An older Telegram client: its initData has no Ed25519 `signature`, which the SDK requires, so
   * the app takes its fallback path (the hash read as it is, no Telegram buttons).
   */
  olderClient?: boolean;
}

/** The URL Telegram opens: launch parameters, with signed initData, in the hash. */
export function launchUrl(base: string, options: LaunchOptions): string {
  const hash = new URLSearchParams({
    // Current clients add an Ed25519 `signature` (for third-party validation) to initData; the
    // SDK requires it, and the bot-token hash covers it like every other field.
    tgWebAppData: signInitData(
      options.user,
      options.olderClient ? {} : { extra: { signature: 'e2e-test-signature' } },
    ),
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'android',
    tgWebAppThemeParams: JSON.stringify(themes[options.theme ?? 'light']),
    ...(options.startParam ? { tgWebAppStartParam: options.startParam } : {}),
  });
  return `${base}${options.path ?? '/'}#${hash.toString()}`;
}

/** What the page asked of Telegram, as `[event, params]` pairs. */
export type PostedEvent = [string, unknown];

/**
 * The page script that stands in for the Telegram Android client: `window.TelegramWebviewProxy`,
 * which records what the Mini App posts (Main Button, haptics, …) in `window.__posted`. Source
 * text rather than a function, so that no transpiler helper (tsx's `__name`, which the browser
 * does not have) is serialised into the page with it.
 */
export const telegramStandIn = `(() => {
  const posted = [];
  window.__posted = posted;
  window.TelegramWebviewProxy = {
    postEvent(name, data) {
      posted.push([name, data ? JSON.parse(data) : undefined]);
    },
  };
})();`;

/** A phone-sized browser context with {@link telegramStandIn} in every page. */
export async function telegramContext(
  browser: Browser,
  dark = false,
  serviceWorkers: 'allow' | 'block' = 'block',
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    colorScheme: dark ? 'dark' : 'light',
    locale: 'ru-RU',
    serviceWorkers,
  });
  await context.addInitScript({ content: telegramStandIn });
  return context;
}

/** Where {@link openAsOlderClient} opens the Mini App, and how. */
export interface OpenOptions {
  theme?: 'light' | 'dark';
  path?: string;
  startParam?: string;
  /** The viewport's width (its height stays 844); 390 unless given. */
  width?: number;
  /** The page's clock, installed before it loads (epoch ms): the page's time is then the test's. */
  at?: number;
}

/**
 * Opens the Mini App at `base` for `user` in a browser context of its own (added to `contexts`,
 * for the caller to close), as an older Telegram client does: the SDK cannot attach, so the app
 * shows its own buttons (the fallback path, where they can be cut).
 */
export async function openAsOlderClient(
  browser: Browser,
  contexts: BrowserContext[],
  base: string,
  user: TestTelegramUser,
  options: OpenOptions = {},
): Promise<Page> {
  const context = await telegramContext(browser, options.theme === 'dark');
  contexts.push(context);
  const page = await context.newPage();
  if (options.width) await page.setViewportSize({ width: options.width, height: 844 });
  if (options.at !== undefined) await page.clock.install({ time: options.at });
  await page.goto(
    launchUrl(base, {
      user,
      theme: options.theme ?? 'light',
      olderClient: true,
      ...(options.path ? { path: options.path } : {}),
      ...(options.startParam ? { startParam: options.startParam } : {}),
    }),
  );
  return page;
}

/** Delivers an event from the Telegram client to the page (`main_button_pressed`, …). */
export async function telegramEvent(page: Page, name: string): Promise<void> {
  await page.evaluate((event) => {
    const webView = (
      window as unknown as {
        Telegram: { WebView: { receiveEvent(name: string, data?: unknown): void } };
      }
    ).Telegram.WebView;
    webView.receiveEvent(event);
  }, name);
}

/** Presses Telegram's Main Button, as the client reports it. */
export function pressMainButton(page: Page): Promise<void> {
  return telegramEvent(page, 'main_button_pressed');
}

/** The Main Button's last parameters the app set. */
export async function mainButtonState(
  page: Page,
): Promise<{ text?: string; is_visible?: boolean; is_active?: boolean }> {
  return page.evaluate(() => {
    const posted = (window as unknown as { __posted: [string, unknown][] }).__posted;
    const setups = posted.filter(([name]) => name === 'web_app_setup_main_button');
    return setups.at(-1)?.[1] ?? {};
  });
}

/**
 * Saves a screenshot of the screen (390×844 unless the test resized it) as
 * test-results/screens/<name>.png, after checking that nothing
 * makes the page wider than the screen.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(150);
  const width = await page.evaluate(() => {
    const root = (window as unknown as { document: { documentElement: { scrollWidth: number } } })
      .document.documentElement;
    return root.scrollWidth;
  });
  const screen = page.viewportSize()?.width ?? 390;
  if (width > screen)
    throw new Error(`${name}: the page is ${width} px wide, wider than the screen`);
  await page.screenshot({ path: path.join(screensDir, `${name}.png`) });
}

/** Signs in over the API with initData, as the Mini App does. */
export async function apiSignIn(
  base: string,
  user: TestTelegramUser,
): Promise<{ token: string; id: string }> {
  const response = await fetch(`${base}/api/v1/auth/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ init_data: signInitData(user) }),
  });
  if (!response.ok) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const pair = (await response.json()) as { access_token: string; user: { id: string } };
  return { token: pair.access_token, id: pair.user.id };
}

/** Calls the API with a token; throws on an error status. */
export async function call<T>(
  base: string,
  token: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${base}/api/v1${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}
