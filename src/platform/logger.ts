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

/**
 * A logger for a developer at a terminal: readable coloured lines, still redacted. Undefined when
 * pino-pretty (a development dependency) is not installed. It writes synchronously from this
 * thread, so if the terminal goes away the write fails loudly instead of a worker thread
 * spinning on a dead descriptor.
 */
export async function createPrettyLogger(
  level: string,
  destination?: NodeJS.WritableStream,
): Promise<Logger | undefined> {
  try {
    const { default: pretty } = await import('pino-pretty');
    const stream = pretty({
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
      colorize: destination === undefined,
      ...(destination ? { destination } : {}),
    });
    return pino(loggerOptions(level), stream);
  } catch {
    return undefined;
  }
}
