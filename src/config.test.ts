import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs with nothing configured: embedded database, demo mode, every role', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '127.0.0.1',
      DATA_DIR: './data',
      ROLES: ['api', 'bot', 'worker'],
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      INIT_DATA_MAX_AGE_S: 86_400,
      LOG_LEVEL: 'info',
      demoMode: true,
      TRUST_PROXY: false,
      REMINDER_CRON: '0 9 * * *',
      REMINDER_AFTER_H: 24,
      NOTIFY_RATE_PER_S: 25,
      NOTIFY_FOLLOW_UP_WINDOW_S: 300,
      DATABASE_POOL_MAX: 10,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.OWNER_TELEGRAM_IDS).toEqual([]);
  });

  it('parses lists and switches demo mode off with a bot token', () => {
    const config = loadConfig({
      ROLES: 'api, worker',
      OWNER_TELEGRAM_IDS: '111, 222',
      TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      DATABASE_URL: 'postgres://u@db:5432/tickets',
      TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, loopback',
    });
    expect(config.ROLES).toEqual(['api', 'worker']);
    expect(config.OWNER_TELEGRAM_IDS).toEqual([111, 222]);
    expect(config.demoMode).toBe(false);
    expect(config.TELEGRAM_API_ROOT).toBe('http://127.0.0.1:8081');
    expect(config.TRUST_PROXY).toEqual(['127.0.0.1', '10.0.0.0/8', 'loopback']);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(
      loadConfig({ ABUSE_ALLOW_IPS: ' 10.0.0.0/8, 2001:db8::/32,192.0.2.1' }).ABUSE_ALLOW_IPS,
    ).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.0.2.1']);
    expect(loadConfig({ ABUSE_ALLOW_IPS: '' }).ABUSE_ALLOW_IPS).toEqual([]);
    expect(loadConfig({}).ABUSE_ALLOW_IPS).toEqual(['127.0.0.0/8', '::1']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ ROLES: 'api,cook' }, 'ROLES'],
    [{ ROLES: ' , ' }, 'ROLES'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ REDIS_PREFIX: 'two words' }, 'REDIS_PREFIX'],
    [{ TELEGRAM_BOT_TOKEN: 'nope' }, 'TELEGRAM_BOT_TOKEN'],
    [{ OWNER_TELEGRAM_IDS: '12,abc' }, 'OWNER_TELEGRAM_IDS'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CLAMAV_URL: 'http://clam' }, 'CLAMAV_URL'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.1/abc' }, 'TRUST_PROXY'],
    [{ ABUSE_ALLOW_IPS: '10.0.0.0/33' }, 'ABUSE_ALLOW_IPS'],
    [{ ABUSE_ALLOW_IPS: '2001:db8::/129' }, 'ABUSE_ALLOW_IPS'],
    [{ ABUSE_ALLOW_IPS: 'office' }, 'ABUSE_ALLOW_IPS'],
    [{ ABUSE_ALLOW_IPS: '10.0.0.0/8/8' }, 'ABUSE_ALLOW_IPS'],
    [{ ABUSE_BAN_STRIKES: '-1' }, 'ABUSE_BAN_STRIKES'],
    [{ DATABASE_POOL_MAX: '0' }, 'DATABASE_POOL_MAX'],
    [{ DATABASE_POOL_MAX: 'many' }, 'DATABASE_POOL_MAX'],
    [{ TELEGRAM_WEBHOOK_URL: 'https://x.example/hook' }, 'TELEGRAM_WEBHOOK_SECRET'],
    [{ S3_BUCKET: 'files' }, 'S3_ENDPOINT'],
    [{ REMINDER_CRON: 'daily' }, 'REMINDER_CRON'],
    [{ REMINDER_AFTER_H: '0' }, 'REMINDER_AFTER_H'],
    [{ NOTIFY_RATE_PER_S: 'fast' }, 'NOTIFY_RATE_PER_S'],
    [{ NOTIFY_FOLLOW_UP_WINDOW_S: '0' }, 'NOTIFY_FOLLOW_UP_WINDOW_S'],
    [{ SENTRY_DSN: 'not a url' }, 'SENTRY_DSN'],
    [{ SENTRY_DSN: 'https://o1.ingest.sentry.io/42' }, 'SENTRY_DSN'],
    [{ SENTRY_DSN: 'https://key@o1.ingest.sentry.io/' }, 'SENTRY_DSN'],
    [{ PUBLIC_URL: 'support.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'ftp://support.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://support.example.com/' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://support.example.com/app' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://support.example.com?x=1' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://user:pass@support.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'http://support.example.com', NODE_ENV: 'production' }, 'PUBLIC_URL'],
  ])('refuses %o with one line naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: .*${variable}`));
  });

  it('reports errors only with a DSN, under the environment and release it is given', () => {
    expect(loadConfig({}).SENTRY_DSN).toBeUndefined();
    const config = loadConfig({
      SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42',
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_RELEASE: '1.4.0',
    });
    expect(config).toMatchObject({
      SENTRY_DSN: 'https://abc123@o1.ingest.sentry.io/42',
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_RELEASE: '1.4.0',
    });
    expect(() => loadConfig({ SENTRY_DSN: 'sentry.example.com' })).toThrow(
      'SENTRY_DSN: must be a Sentry DSN such as https://<key>@o1.ingest.sentry.io/<project>',
    );
  });

  it('serves the Mini App from the webhook’s host unless MINI_APP_URL says otherwise', () => {
    const webhook = {
      TELEGRAM_WEBHOOK_URL: 'https://help.example.com/tg/hook',
      TELEGRAM_WEBHOOK_SECRET: 's3cret',
    };
    expect(loadConfig(webhook).MINI_APP_URL).toBe('https://help.example.com/');
    expect(loadConfig({ ...webhook, MINI_APP_URL: 'https://app.example.com/' }).MINI_APP_URL).toBe(
      'https://app.example.com/',
    );
    expect(loadConfig({}).MINI_APP_URL).toBeUndefined();
  });

  describe('PUBLIC_URL', () => {
    const secret = { TELEGRAM_WEBHOOK_SECRET: 's3cret' };

    it('is where the Mini App is served, and the webhook when a webhook secret is set', () => {
      const config = loadConfig({ PUBLIC_URL: 'https://support.example.com', ...secret });
      expect(config.MINI_APP_URL).toBe('https://support.example.com/');
      expect(config.TELEGRAM_WEBHOOK_URL).toBe('https://support.example.com/telegram/webhook');
      expect(loadConfig({ PUBLIC_URL: 'https://localhost:8443' }).MINI_APP_URL).toBe(
        'https://localhost:8443/',
      );
    });

    it('leaves the bot on long polling without a webhook secret', () => {
      const config = loadConfig({ PUBLIC_URL: 'https://support.example.com' });
      expect(config.TELEGRAM_WEBHOOK_URL).toBeUndefined();
      expect(config.MINI_APP_URL).toBe('https://support.example.com/');
    });

    it('gives way to MINI_APP_URL and TELEGRAM_WEBHOOK_URL where they are set', () => {
      const config = loadConfig({
        PUBLIC_URL: 'https://support.example.com',
        MINI_APP_URL: 'https://app.example.com/',
        TELEGRAM_WEBHOOK_URL: 'https://hooks.example.com/tg/hook',
        ...secret,
      });
      expect(config.MINI_APP_URL).toBe('https://app.example.com/');
      expect(config.TELEGRAM_WEBHOOK_URL).toBe('https://hooks.example.com/tg/hook');
    });

    it('must be https in production, except on this machine', () => {
      const production = { NODE_ENV: 'production', PUBLIC_URL: 'http://support.example.com' };
      expect(() => loadConfig(production)).toThrow(
        /^Invalid configuration: PUBLIC_URL: must start with https:\/\/ in production/,
      );
      expect(
        loadConfig({ ...production, PUBLIC_URL: 'https://support.example.com' }).PUBLIC_URL,
      ).toBe('https://support.example.com');
      for (const local of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
        expect(loadConfig({ ...production, PUBLIC_URL: local }).MINI_APP_URL).toBe(`${local}/`);
      }
      expect(loadConfig({ PUBLIC_URL: 'http://support.example.com' }).MINI_APP_URL).toBe(
        'http://support.example.com/',
      );
    });

    it('says what is wrong with a value that is not an origin', () => {
      expect(() => loadConfig({ PUBLIC_URL: 'https://support.example.com/' })).toThrow(
        'Invalid configuration: PUBLIC_URL: must be an http(s) origin without a path, query or ' +
          'trailing slash, e.g. https://support.example.com',
      );
    });
  });

  it('reads a .env file, and real environment variables win over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ttb-env-'));
    writeFileSync(path.join(dir, '.env'), 'PORT=4000\nLOG_LEVEL=debug\n');
    const saved = { PORT: process.env.PORT, LOG_LEVEL: process.env.LOG_LEVEL };
    delete process.env.PORT;
    process.env.LOG_LEVEL = 'warn';
    try {
      const config = loadConfig(undefined, dir);
      expect(config.PORT).toBe(4000);
      expect(config.LOG_LEVEL).toBe('warn');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
