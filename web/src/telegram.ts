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
import { followOwnTheme, followSdkTheme, type ThemeParams } from './theme';

/** What Telegram told us when it opened the Mini App. */
export interface Launch {
  /** The raw, signed `initData` string to sign in with. */
  initData: string;
  startParam: string | undefined;
  platform: string;
  languageCode: string | undefined;
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
 * page was opened outside Telegram (colours then follow the system's light or dark setting).
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
  safely(followSdkTheme);
  safely(() => miniApp.mountSync());
  safely(() => backButton.mount());
  safely(() => mainButton.mount());
  safely(() => viewport.mount());
  safely(() => viewport.bindCssVars());
  safely(() => viewport.expand());
  safely(() => miniApp.ready());
  return {
    initData,
    startParam: params.tgWebAppStartParam ?? queryStartParam(),
    platform: params.tgWebAppPlatform,
    languageCode: params.tgWebAppData?.user?.language_code,
  };
}

/**
 * Launch parameters the SDK would not take (an older client, say): read from the hash as they
 * are, to sign in (the server checks the signature) without Telegram's buttons, in Telegram's
 * colours all the same.
 */
function fromHash(): Launch | undefined {
  const hash = new URLSearchParams(window.location.hash.slice(1));
  const initData = hash.get('tgWebAppData');
  if (!initData) return undefined;
  let theme: ThemeParams | undefined;
  try {
    theme = JSON.parse(hash.get('tgWebAppThemeParams') ?? 'null') as ThemeParams | undefined;
  } catch {
    // no theme in the hash: Telegram.WebApp's, if the page has it, or the system's
  }
  followOwnTheme(theme ?? undefined);
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
  };
}

/**
 * The bot's notification buttons open `MINI_APP_URL?startapp=ticket_<n>` (a `web_app` button
 * carries no start parameter of its own), so the query string counts as one too.
 */
function queryStartParam(): string | undefined {
  return new URLSearchParams(window.location.search).get('startapp') ?? undefined;
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
