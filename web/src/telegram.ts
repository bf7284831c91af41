import {
  backButton,
  hapticFeedback,
  init,
  isTMA,
  mainButton,
  miniApp,
  retrieveLaunchParams,
  retrieveRawInitData,
  themeParams,
  viewport,
} from '@telegram-apps/sdk-react';

/** What Telegram told us when it opened the Mini App. */
export interface Launch {
  /** The raw, signed `initData` string to sign in with. */
  initData: string;
  startParam: string | undefined;
  platform: string;
  languageCode: string | undefined;
  dark: boolean;
}

let insideTelegram = false;

/** True when the app runs inside a Telegram client (launch parameters were found). */
export function inTelegram(): boolean {
  return insideTelegram;
}

function safely(action: () => unknown): void {
  try {
    const result = action();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // A feature the client does not support: the app works without it.
  }
}

/**
 * Reads Telegram's launch parameters (the URL hash `tgWebAppData`, `tgWebAppThemeParams`, …)
 * through the bundled Mini Apps SDK and sets up theme, viewport and buttons. Undefined when the
 * page was opened outside Telegram.
 */
export function launchTelegram(): Launch | undefined {
  if (!isTMA()) return fromHash();
  let initData: string | undefined;
  let params;
  try {
    params = retrieveLaunchParams();
    initData = retrieveRawInitData();
    init();
  } catch {
    return fromHash();
  }
  if (!initData) return fromHash();
  insideTelegram = true;
  safely(() => themeParams.mountSync());
  safely(() => themeParams.bindCssVars());
  safely(() => miniApp.mountSync());
  safely(() => backButton.mount());
  safely(() => mainButton.mount());
  safely(() => viewport.mount());
  safely(() => viewport.bindCssVars());
  safely(() => viewport.expand());
  safely(() => miniApp.ready());
  const theme = params.tgWebAppThemeParams;
  return {
    initData,
    startParam: params.tgWebAppStartParam ?? queryStartParam(),
    platform: params.tgWebAppPlatform,
    languageCode: params.tgWebAppData?.user?.language_code,
    dark: isDarkColor(theme.bg_color),
  };
}

/**
 * Launch parameters the SDK would not take (an older client, say): read from the hash as they
 * are, to sign in (the server checks the signature) without Telegram's buttons.
 */
function fromHash(): Launch | undefined {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const initData = hash.get('tgWebAppData');
  if (!initData) return undefined;
  let theme: { bg_color?: string } = {};
  try {
    theme = JSON.parse(hash.get('tgWebAppThemeParams') ?? '{}') as typeof theme;
  } catch {
    // no theme: follow the system
  }
  let languageCode: string | undefined;
  try {
    languageCode = (
      JSON.parse(new URLSearchParams(initData).get('user') ?? '{}') as {
        language_code?: string;
      }
    ).language_code;
  } catch {
    // no language: the default
  }
  return {
    initData,
    startParam: hash.get('tgWebAppStartParam') ?? queryStartParam(),
    platform: hash.get('tgWebAppPlatform') ?? 'unknown',
    languageCode,
    dark: isDarkColor(theme.bg_color),
  };
}

/**
 * The bot's notification buttons open `MINI_APP_URL?startapp=ticket_<n>` (a `web_app` button
 * carries no start parameter of its own), so the query string counts as one too.
 */
function queryStartParam(): string | undefined {
  return new URLSearchParams(window.location.search).get('startapp') ?? undefined;
}

/** True for a dark `#rrggbb` colour (by its luminance). */
export function isDarkColor(color: string | undefined): boolean {
  if (!color || !/^#[\da-f]{6}$/i.test(color)) {
    return window.matchMedia('(prefers-color-scheme: dark)').matches;
  }
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));
  return 0.299 * (r ?? 0) + 0.587 * (g ?? 0) + 0.114 * (b ?? 0) < 128;
}

/** Shows Telegram's Back Button calling `onBack`; returns how to hide it again. */
export function showBackButton(onBack: () => void): () => void {
  if (!insideTelegram) return () => undefined;
  let off: (() => void) | undefined;
  safely(() => {
    backButton.show();
    off = backButton.onClick(onBack);
  });
  return () => {
    off?.();
    safely(() => backButton.hide());
  };
}

/** Shows Telegram's Main Button; returns how to hide it again. */
export function showMainButton(
  text: string,
  onClick: () => void,
  options: { enabled?: boolean; loading?: boolean } = {},
): () => void {
  if (!insideTelegram) return () => undefined;
  let off: (() => void) | undefined;
  safely(() => {
    mainButton.setParams({
      text,
      isVisible: true,
      isEnabled: options.enabled ?? true,
      isLoaderVisible: options.loading ?? false,
    });
    off = mainButton.onClick(onClick);
  });
  return () => {
    off?.();
    safely(() => mainButton.setParams({ isVisible: false }));
  };
}

/** A light tap, or a success / error buzz, where the client supports it. */
export function haptic(kind: 'tap' | 'success' | 'error'): void {
  if (!insideTelegram) return;
  safely(() => {
    if (kind === 'tap') hapticFeedback.impactOccurred('light');
    else hapticFeedback.notificationOccurred(kind);
  });
}
