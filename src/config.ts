import { parseEnv } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const roleNames = ['api', 'bot', 'worker'] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (protocols: readonly string[]) =>
  optionalString.refine(
    (value) => {
      if (value === undefined) return true;
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );

/**
 * The address users and Telegram reach this server at, as an origin: http(s), a host, perhaps a
 * port, and nothing after it. deploy/Caddyfile takes the same value as its site address, where a
 * path (even a lone `/`) would serve that path only.
 */
const publicUrl = optionalString.refine(
  (value) => {
    if (value === undefined) return true;
    if (!/^https?:\/\/[^/?#@\s]+$/i.test(value)) return false;
    try {
      return new URL(value).hostname !== '';
    } catch {
      return false;
    }
  },
  {
    message:
      'must be an http(s) origin without a path, query or trailing slash, e.g. https://support.example.com',
  },
);

/** Hosts a URL may name over plain http in production: this machine only. */
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Where the webhook is served when it is derived from PUBLIC_URL. */
export const defaultWebhookPath = '/telegram/webhook';

function trimTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value[end - 1] === '/') end--;
  return value.slice(0, end);
}

const integer = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a whole number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .default(fallback);

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Which proxies may speak for the client through X-Forwarded-For: `false` (none), a hop count,
 * or a list of addresses/CIDRs (or loopback, linklocal, uniquelocal). Trusting everyone would
 * let any caller claim any address, so `true` is refused.
 */
const trustProxy = z
  .string()
  .trim()
  .default('false')
  // eslint-disable-next-line sonarjs/function-return-type -- the three forms Fastify accepts
  .transform((value, context): false | number | string[] => {
    if (value === '' || value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const valid = entries.every((entry) => {
      if (proxyNames.has(entry)) return true;
      const [address = '', bits] = entry.split('/');
      return isIP(address) !== 0 && (bits === undefined || /^\d{1,3}$/.test(bits));
    });
    if (!valid || value === 'true') {
      context.addIssue({
        code: 'custom',
        message:
          'must be false, a number of proxy hops, or proxy addresses/CIDRs (e.g. 127.0.0.1,10.0.0.0/8)',
      });
      return z.NEVER;
    }
    return entries;
  });

/** An IPv4 or IPv6 address, or a CIDR block of either, as `net.BlockList` takes them. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of addresses and CIDR blocks; empty means none. */
const addressList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().refine(isAddressOrCidr, {
          message: 'must be comma separated addresses or CIDRs, e.g. 127.0.0.0/8,::1,10.0.0.0/8',
        }),
      ),
    );

const envSchema = z.object({
  PORT: integer(3000, 0, 65535),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres:', 'postgresql:']),
  /** Connections each process's pool may open to PostgreSQL (`db/postgres.ts`). */
  DATABASE_POOL_MAX: integer(10, 1, 1000),
  /** Where the empty embedded cluster new data directories start from (`db/cluster-template.ts`). */
  PGLITE_TEMPLATE_DIR: optionalString,
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  /**
   * Prepended to every Redis key and pub/sub channel. Unset: derived from the database's
   * identity (`platform/redis-prefix.ts`), so installs sharing a Redis stay apart.
   */
  REDIS_PREFIX: optionalString.refine(
    (value) => value === undefined || (value.length <= 64 && !/\s/.test(value)),
    { message: 'must be at most 64 characters without spaces, e.g. ttb:production:' },
  ),
  ROLES: z
    .string()
    .default(roleNames.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((role) => role.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(roleNames, { message: `each role must be one of ${roleNames.join(', ')}` }))
        .min(1, { message: 'name at least one role' }),
    ),
  TELEGRAM_BOT_TOKEN: optionalString.refine(
    (value) => value === undefined || /^\d+:[\w-]{20,}$/.test(value),
    { message: 'must look like 123456:ABC-DEF… as given by @BotFather' },
  ),
  /**
   * The public address of this server (`https://support.example.com`); MINI_APP_URL and, with
   * TELEGRAM_WEBHOOK_SECRET, TELEGRAM_WEBHOOK_URL default to it.
   */
  PUBLIC_URL: publicUrl,
  TELEGRAM_API_ROOT: z
    .string()
    .trim()
    .default('https://api.telegram.org')
    .refine((value) => /^https?:\/\//.test(value), { message: 'must be an http(s) URL' })
    .transform(trimTrailingSlashes),
  TELEGRAM_WEBHOOK_URL: optionalUrl(['https:', 'http:']),
  TELEGRAM_WEBHOOK_SECRET: optionalString.refine(
    (value) => value === undefined || /^[\w-]{1,256}$/.test(value),
    { message: 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -' },
  ),
  MINI_APP_URL: optionalUrl(['https:', 'http:']),
  /**
   * The staff forum group (a supergroup with topics, the bot an admin who may manage topics):
   * each ticket gets a topic there (`threads/`). The admin setting `staff_chat.chat_id`
   * overrides it. Unset: no staff group.
   */
  TELEGRAM_STAFF_CHAT_ID: optionalString
    .refine((value) => value === undefined || /^-\d{1,15}$/.test(value), {
      message: 'must be a group chat id, which is negative, e.g. -1001234567890',
    })
    .transform((value) => (value === undefined ? undefined : Number(value))),
  /** Posts (Telegram calls) the bot makes to the staff group per minute; Telegram allows ~20. */
  STAFF_GROUP_POSTS_PER_MIN: integer(20, 1, 60),
  /** How often each worker looks for posts to make to the staff group, in milliseconds. */
  STAFF_GROUP_POLL_MS: integer(500, 10, 60_000),
  OWNER_TELEGRAM_IDS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^\d{1,15}$/, { message: 'must be comma separated numeric Telegram ids' })
          .transform(Number),
      ),
    ),
  JWT_SECRET: optionalString.refine((value) => value === undefined || value.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  INIT_DATA_MAX_AGE_S: integer(86_400, 60, 31 * 86_400),
  S3_ENDPOINT: optionalUrl(['https:', 'http:']),
  S3_BUCKET: optionalString,
  S3_ACCESS_KEY: optionalString,
  S3_SECRET_KEY: optionalString,
  S3_REGION: z.string().trim().default('us-east-1'),
  CLAMAV_URL: optionalUrl(['tcp:', 'unix:']),
  LOG_LEVEL: z
    .enum(logLevels, { message: `must be one of ${logLevels.join(', ')}` })
    .default('info'),
  TRUST_PROXY: trustProxy,
  RATE_LIMIT_MAX: integer(300, 1, 1_000_000),
  RATE_LIMIT_WINDOW_S: integer(60, 1, 86_400),
  AUTH_RATE_LIMIT_MAX: integer(60, 1, 1_000_000),
  /**
   * Strikes (failed sign-ins, 429s) from one client address within ABUSE_BAN_WINDOW_S that ban it
   * for ABUSE_BAN_S (`abuse/`); 0 turns bans off.
   */
  ABUSE_BAN_STRIKES: integer(20, 0, 1_000_000),
  ABUSE_BAN_WINDOW_S: integer(600, 1, 86_400),
  ABUSE_BAN_S: integer(900, 1, 30 * 86_400),
  /** Addresses and CIDRs never banned; by default this machine (and a local proxy's clients). */
  ABUSE_ALLOW_IPS: addressList('127.0.0.0/8,::1'),
  /** File uploads per user per minute (each request counts once, whatever its files). */
  UPLOAD_RATE_LIMIT: integer(30, 1, 1_000_000),
  REMINDER_CRON: z
    .string()
    .trim()
    .default('0 9 * * *')
    .refine((value) => /^\S+( \S+){4,5}$/.test(value), {
      message: 'must be a cron expression of 5 or 6 fields, e.g. 0 9 * * *',
    }),
  REMINDER_AFTER_H: integer(24, 1, 24 * 365),
  NOTIFY_RATE_PER_S: integer(25, 1, 1000),
  /**
   * Seconds a worker's claim on a notification holds while it sends; a row whose sender died is
   * sent again by another worker within this plus a twelfth of it (`notifications/jobs.ts`).
   */
  NOTIFY_CLAIM_LEASE_S: integer(60, 1, 3600),
  /**
   * Seconds during which a customer's follow-ups on an unassigned ticket are counted in one
   * notice per staff member, edited in place, instead of one message each.
   */
  NOTIFY_FOLLOW_UP_WINDOW_S: integer(300, 1, 86_400),
  /** Seconds between edits of a broadcast's progress message (`broadcasts/progress-job.ts`). */
  BROADCAST_PROGRESS_S: integer(3, 1, 600),
  // The WebSocket gateway (src/realtime/); limits are per server process.
  WS_AUTH_TIMEOUT_MS: integer(5_000, 50, 60_000),
  WS_HEARTBEAT_MS: integer(30_000, 50, 600_000),
  WS_MAX_CONNECTIONS_PER_USER: integer(10, 1, 100_000),
  WS_MAX_CONNECTIONS_PER_IP: integer(50, 1, 1_000_000),
  WS_MAX_SUBSCRIPTIONS: integer(100, 1, 100_000),
  WS_MAX_MESSAGE_BYTES: integer(4_096, 256, 1_048_576),
  WS_MESSAGES_PER_S: integer(20, 1, 10_000),
  WS_MAX_BUFFERED_BYTES: integer(1_048_576, 1_024, 1_073_741_824),
  WS_TYPING_THROTTLE_MS: integer(2_000, 0, 60_000),
  WS_STATS_DEBOUNCE_MS: integer(1_000, 0, 60_000),
  /**
   * Where unexpected errors are reported (Sentry or a compatible service), as the project's
   * DSN; unset: nothing is sent and the SDK is not loaded (`platform/error-reporter.ts`).
   */
  SENTRY_DSN: optionalString.refine(isSentryDsn, {
    message: 'must be a Sentry DSN such as https://<key>@o1.ingest.sentry.io/<project>',
  }),
  /** The environment errors are filed under; unset: NODE_ENV. */
  SENTRY_ENVIRONMENT: optionalString,
  /** The release errors are filed under (a version or commit); unset: none. */
  SENTRY_RELEASE: optionalString,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

/** An http(s) URL with a public key as its user and a numeric project id as its last segment. */
function isSentryDsn(value: string | undefined): boolean {
  if (value === undefined) return true;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username !== '' &&
      /\/\d+$/.test(url.pathname)
    );
  } catch {
    return false;
  }
}

/** Every environment variable the configuration reads (each documented in `.env.example`). */
export const configVariables = Object.keys(envSchema.shape) as readonly string[];

/** The validated, typed configuration the whole application runs on. */
export type Config = z.infer<typeof envSchema> & {
  /** True when no bot token is configured: demo sign-in is on and the bot is off. */
  demoMode: boolean;
};

/** A configuration problem; its message names every offending variable, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads `.env` (if any) from `cwd`; real environment variables win over the file. */
function readDotEnv(cwd: string): Record<string, string> {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return {};
  return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
}

/**
 * Loads the configuration once. `env` defaults to `process.env` merged over `.env`;
 * tests pass their own object so nothing leaks between them.
 */
export function loadConfig(env?: Record<string, string | undefined>, cwd = process.cwd()): Config {
  // This module is the only reader of process.env.
  const source = env ?? { ...readDotEnv(cwd), ...process.env };
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const config = withPublicUrl(parsed.data);
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration: TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set',
    );
  }
  const s3 = [config.S3_ENDPOINT, config.S3_BUCKET, config.S3_ACCESS_KEY, config.S3_SECRET_KEY];
  if (s3.some(Boolean) && !s3.every(Boolean)) {
    throw new ConfigError(
      'Invalid configuration: S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY: set all four or none',
    );
  }
  return {
    ...config,
    MINI_APP_URL: config.MINI_APP_URL ?? publicOrigin(config.TELEGRAM_WEBHOOK_URL),
    demoMode: config.TELEGRAM_BOT_TOKEN === undefined,
  };
}

/**
 * Fills MINI_APP_URL and TELEGRAM_WEBHOOK_URL from PUBLIC_URL where they are not set. The webhook
 * is derived only with TELEGRAM_WEBHOOK_SECRET set: without it the bot long-polls, as it must
 * where Telegram cannot reach the server (a laptop with a self-signed certificate).
 */
function withPublicUrl(config: z.infer<typeof envSchema>): z.infer<typeof envSchema> {
  if (config.PUBLIC_URL === undefined) return config;
  const url = new URL(config.PUBLIC_URL);
  const base = url.origin;
  if (
    config.NODE_ENV === 'production' &&
    url.protocol !== 'https:' &&
    !loopbackHosts.has(url.hostname)
  ) {
    throw new ConfigError(
      'Invalid configuration: PUBLIC_URL: must start with https:// in production (Telegram opens ' +
        'Mini Apps and sends webhooks over https only); plain http only for localhost',
    );
  }
  return {
    ...config,
    MINI_APP_URL: config.MINI_APP_URL ?? `${base}/`,
    TELEGRAM_WEBHOOK_URL:
      config.TELEGRAM_WEBHOOK_URL ??
      (config.TELEGRAM_WEBHOOK_SECRET ? base + defaultWebhookPath : undefined),
  };
}

/**
 * The public address the Mini App is served at when MINI_APP_URL is not set: the origin of the
 * webhook URL, which is this server as Telegram reaches it. Without a webhook there is no public
 * address to derive, and bot messages go without Mini App buttons.
 */
function publicOrigin(webhookUrl: string | undefined): string | undefined {
  return webhookUrl ? new URL('/', webhookUrl).toString() : undefined;
}
