import { Api } from 'grammy';

/** Seconds a Bot API call may take before it counts as a network failure. */
const callTimeoutS = 30;

/**
 * The Bot API client every part of the application sends through: grammY's `Api` pointed at
 * `TELEGRAM_API_ROOT`, so a local Bot API server or the tests' fake can stand in for Telegram.
 */
export function createBotApi(token: string, apiRoot: string): Api {
  return new Api(token, { apiRoot, timeoutSeconds: callTimeoutS });
}
