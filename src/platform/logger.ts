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

/** True when pino-pretty is installed (it is a development dependency). */
function prettyAvailable(): boolean {
  try {
    import.meta.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the process logger: JSON lines, redacted. With `pretty` (a developer at a terminal)
 * and pino-pretty installed, readable coloured lines instead.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  options: { pretty?: boolean } = {},
): Logger {
  if (destination) return pino(loggerOptions(level), destination);
  if (options.pretty && prettyAvailable()) {
    return pino({
      ...loggerOptions(level),
      transport: {
        target: 'pino-pretty',
        options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
      },
    });
  }
  return pino(loggerOptions(level));
}
