import pino, { type Logger, type LoggerOptions } from 'pino';

/** Paths whose values never reach a log line: tokens, Telegram init data and secrets. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.query.token',
  'init_data',
  'initData',
  'token',
  'access_token',
  'refresh_token',
  'secret',
  'password',
  '*.init_data',
  '*.initData',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.password',
  'config.TELEGRAM_BOT_TOKEN',
  'config.JWT_SECRET',
  'config.S3_SECRET_KEY',
  'config.TELEGRAM_WEBHOOK_SECRET',
];

/** Options for the one pino logger of the process. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      // Query strings may carry a WebSocket token; log the path only.
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.split('?')[0],
        ip: req.ip,
      }),
    },
  };
}

/** Creates the process logger: JSON lines, redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
