import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Unauthorized } from '../errors.js';

/** The Telegram user object inside `initData`, as Telegram sends it. */
export const telegramUserSchema = z.object({
  id: z.number().int().positive(),
  first_name: z.string().default(''),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
  is_premium: z.boolean().optional(),
  photo_url: z.string().optional(),
});

/** A Telegram user as found in verified launch data. */
export type TelegramUser = z.infer<typeof telegramUserSchema>;

/** What a verified `initData` string tells us. */
export interface VerifiedInitData {
  user: TelegramUser;
  authDate: Date;
  startParam?: string;
}

/** How far in the future an `auth_date` may be, for clocks that disagree a little. */
const ALLOWED_CLOCK_SKEW_S = 60;

/**
 * Verifies Mini App launch data exactly as Telegram documents it
 * (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
 * the data-check-string is every field but `hash`, sorted by key, as `key=value` joined by
 * newlines; the key is HMAC-SHA256 of the bot token keyed with "WebAppData"; the hash is
 * compared in constant time. Throws `Unauthorized` for anything that does not verify.
 */
export function verifyInitData(
  initData: string,
  botToken: string,
  options: { maxAgeSeconds: number; now: Date },
): VerifiedInitData {
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/i.test(hash)) {
    throw new Unauthorized('Telegram init data has no valid hash', 'init_data_invalid');
  }
  const dataCheckString = [...params.entries()]
    .filter(([key]) => key !== 'hash')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
  // eslint-disable-next-line sonarjs/hardcoded-secret-signatures -- "WebAppData" is Telegram's fixed key label, not a secret
  const secretKey = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const expected = createHmac('sha256', secretKey).update(dataCheckString).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) {
    throw new Unauthorized('Telegram init data signature does not match', 'init_data_invalid');
  }

  const authDateSeconds = Number(params.get('auth_date'));
  if (!Number.isInteger(authDateSeconds) || authDateSeconds <= 0) {
    throw new Unauthorized('Telegram init data has no auth_date', 'init_data_invalid');
  }
  const ageSeconds = options.now.getTime() / 1000 - authDateSeconds;
  if (ageSeconds > options.maxAgeSeconds) {
    throw new Unauthorized('Telegram init data has expired; reopen the app', 'init_data_expired');
  }
  if (ageSeconds < -ALLOWED_CLOCK_SKEW_S) {
    throw new Unauthorized('Telegram init data is dated in the future', 'init_data_invalid');
  }

  const user = parseUser(params.get('user'));
  const startParam = params.get('start_param') ?? undefined;
  return { user, authDate: new Date(authDateSeconds * 1000), startParam };
}

function parseUser(raw: string | null): TelegramUser {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    throw new Unauthorized('Telegram init data has no user', 'init_data_invalid');
  }
  const parsed = telegramUserSchema.safeParse(value);
  if (!parsed.success) {
    throw new Unauthorized('Telegram init data has no valid user', 'init_data_invalid');
  }
  return parsed.data;
}
