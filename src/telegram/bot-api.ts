import { Api, type ApiClientOptions } from 'grammy';

/** Seconds a Bot API call (or a file download) may take before it counts as a network failure. */
export const botApiTimeoutS = 30;

/**
 * Seconds a long-polling `getUpdates` waits for updates: inside the call time-out, so an idle
 * poll is answered before the client gives up on it.
 */
export const longPollS = botApiTimeoutS - 5;

/** Where the Bot API is and how long a call may take. */
export interface BotApiTarget {
  token: string;
  /** `TELEGRAM_API_ROOT`: Telegram, a local Bot API server or the tests' fake. */
  apiRoot: string;
  /** Seconds a call may take (default `botApiTimeoutS`; shorter in tests). */
  timeoutS?: number;
}

/**
 * The client options of every Bot API client: `TELEGRAM_API_ROOT` and the one time-out. The
 * bot hands them to grammY's `Bot` (`client`); {@link createBotApi} to a bare `Api`.
 */
export function botApiClientOptions(
  apiRoot: string,
  timeoutS: number = botApiTimeoutS,
): ApiClientOptions {
  return { apiRoot, timeoutSeconds: timeoutS };
}

/**
 * The Bot API client the workers and file downloads send through: grammY's `Api` pointed at
 * `TELEGRAM_API_ROOT`, so a local Bot API server or the tests' fake can stand in for Telegram.
 */
export function createBotApi({ token, apiRoot, timeoutS }: BotApiTarget): Api {
  return new Api(token, botApiClientOptions(apiRoot, timeoutS));
}
