import { themeParams } from '@telegram-apps/sdk-react';

/** Telegram's theme parameters: `bg_color`, `text_color`, … as `#rrggbb` colours. */
export type ThemeParams = Partial<Record<string, string>>;

const listeners = new Set<() => void>();
const systemScheme = window.matchMedia('(prefers-color-scheme: dark)');
let fromTelegram = false;
let dark = systemScheme.matches;

/** True for a dark `#rrggbb` colour (by its luminance); the system's setting for anything else. */
export function isDarkColor(color: string | undefined): boolean {
  if (!color || !/^#[\da-f]{6}$/i.test(color)) return systemScheme.matches;
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
  return 0.299 * (r ?? 0) + 0.587 * (g ?? 0) + 0.114 * (b ?? 0) < 128;
}

/**
 * Marks the page light or dark (`data-theme` on the root, which styles.css paints the page by, and
 * `color-scheme` for the browser's own controls) and tells the app.
 */
function setDark(next: boolean): void {
  const root = document.documentElement;
  root.dataset.theme = next ? 'dark' : 'light';
  if (fromTelegram) root.style.colorScheme = next ? 'dark' : 'light';
  if (next === dark) return;
  dark = next;
  for (const listener of listeners) listener();
}

/** True while the app is drawn dark. */
export function isDarkTheme(): boolean {
  return dark;
}

/** Calls `listener` whenever the app turns light or dark; returns how to stop. */
export function onThemeChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Outside Telegram the system's setting rules, and follows it as it changes.
systemScheme.addEventListener('change', () => {
  if (!fromTelegram) setDark(systemScheme.matches);
});
setDark(dark);

/**
 * The SDK attached: it binds the theme to `--tg-theme-*` variables and keeps them current on
 * `theme_changed`; light or dark follows its `isDark`.
 */
export function followSdkTheme(): void {
  fromTelegram = true;
  setDark(themeParams.isDark());
  themeParams.isDark.sub(() => setDark(themeParams.isDark()));
}

/** Sets the theme as the SDK's `bindCssVars` would: `bg_color` → `--tg-theme-bg-color`. */
function applyThemeParams(params: ThemeParams | undefined): void {
  if (!params) return;
  const style = document.documentElement.style;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && /^#[\da-f]{3,8}$/i.test(value)) {
      style.setProperty(`--tg-theme-${key.replaceAll('_', '-')}`, value);
    }
  }
  setDark(isDarkColor(params.bg_color));
}

interface TelegramGlobal {
  WebView?: { receiveEvent?: (name: string, data?: unknown) => void };
  WebApp?: { themeParams?: ThemeParams; onEvent?: (name: string, handler: () => void) => void };
}

/** The theme a `theme_changed` event carries (https://docs.telegram-mini-apps.com/platform/events). */
function themeOf(data: unknown): ThemeParams | undefined {
  return (data as { theme_params?: ThemeParams } | undefined)?.theme_params;
}

/**
 * The SDK could not attach (an older client): applies the theme Telegram gave, from the
 * `Telegram.WebApp` script when the page has it or else from the launch hash, and follows
 * `theme_changed` as Telegram delivers it: mobile clients call
 * `window.Telegram.WebView.receiveEvent`, Telegram Web posts a message to the frame.
 */
export function followOwnTheme(fromHash: ThemeParams | undefined): void {
  fromTelegram = true;
  const global = window as unknown as { Telegram?: TelegramGlobal };
  const telegram = (global.Telegram ??= {});
  const webApp = telegram.WebApp;
  if (webApp?.themeParams && Object.keys(webApp.themeParams).length > 0) {
    applyThemeParams(webApp.themeParams);
    webApp.onEvent?.('themeChanged', () => applyThemeParams(webApp.themeParams));
  } else {
    applyThemeParams(fromHash ?? {});
  }

  const webView = (telegram.WebView ??= {});
  const previous = webView.receiveEvent;
  webView.receiveEvent = (name, data) => {
    previous?.(name, data);
    if (name === 'theme_changed') applyThemeParams(themeOf(data));
  };
  // Only the frame's parent (Telegram Web, on more than one origin) is listened to, as the SDK
  // does; an event can do no more than change colours.
  // eslint-disable-next-line sonarjs/post-message -- the source is checked, the origin varies
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.source !== window.parent) return;
    try {
      const message = (typeof event.data === 'string' ? JSON.parse(event.data) : event.data) as {
        eventType?: string;
        eventData?: unknown;
      } | null;
      if (message?.eventType === 'theme_changed') applyThemeParams(themeOf(message.eventData));
    } catch {
      // Not a message from Telegram.
    }
  });
}
