import pino, { type Logger, type LoggerOptions } from 'pino';
import { currentLogContext } from './log-context.js';

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

/** What the mixin adds outside any context: nothing (the line is written as it was given). */
const noFields: Readonly<Record<string, never>> = Object.freeze({});

/** Set on a logger whose bindings carry the request id already (Fastify's per-request child). */
const boundToRequest = Symbol('boundToRequest');

/**
 * Marks `child` (and the loggers made from it) as bound to its request: the context's fields
 * are not added to its lines again (a JSON line must not carry `request_id` twice).
 */
export function markBoundToRequest<T extends object>(child: T): T {
  return Object.assign(child, { [boundToRequest]: true });
}

/** The fields of the work under way (`log-context.ts`), for a line of `logger`. */
function contextFields(logger: object): object {
  const context = currentLogContext();
  if (!context || boundToRequest in logger) return noFields;
  return context.fields;
}

/** Options for the one pino logger of the process. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { pid: process.pid },
    // Every line written while a request, a job or a Telegram update is handled carries its ids;
    // a field the line sets itself wins.
    mixin: (_line, _level, logger) => contextFields(logger),
    mixinMergeStrategy: (line, fields) => (fields === noFields ? line : { ...fields, ...line }),
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
