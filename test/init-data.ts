import { createHmac } from 'node:crypto';

/** The bot token the test apps run with. */
export const testBotToken = '123456789:TEST-token-for-the-fake-bot-api_abcdef';

/** A Telegram user as the tests sign in with it. */
export interface TestTelegramUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: boolean;
  photo_url?: string;
}

/**
 * Signs Mini App launch data the way Telegram does, so tests can open the app exactly as a
 * Telegram client would.
 */
export function signInitData(
  user: TestTelegramUser,
  options: { botToken?: string; authDate?: Date; extra?: Record<string, string> } = {},
): string {
  const params = new URLSearchParams({
    auth_date: String(Math.floor((options.authDate ?? new Date()).getTime() / 1000)),
    query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
    user: JSON.stringify({ first_name: 'Test', ...user }),
    ...options.extra,
  });
  const dataCheckString = [...params.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData')
    .update(options.botToken ?? testBotToken)
    .digest();
  params.set('hash', createHmac('sha256', secret).update(dataCheckString).digest('hex'));
  return params.toString();
}
