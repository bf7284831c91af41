/** Where an unexpected error happened, attached to its report. */
export interface ErrorContext {
  /** The role that met it: `api` (a request), `worker` (a job), `bot` (an update). */
  role?: 'api' | 'bot' | 'worker';
  /** The request: Fastify's id, the route template and the method. */
  requestId?: string;
  route?: string;
  method?: string;
  /** Our user id of whoever was signed in (or writing to the bot). */
  userId?: string;
  /** The queued or periodic job that failed. */
  job?: { name: string; id?: string; retryCount?: number };
  /** The Telegram update being handled. */
  updateId?: number;
}

/**
 * Reports unexpected errors to an error tracker. Expected answers (4xx, refusals, a database
 * outage) are not reported: callers report only what nobody planned for.
 */
export interface ErrorReporter {
  /** Sends `error` in the background; never throws. */
  report(error: unknown, context?: ErrorContext): void;
  /** Waits up to `timeoutMs` for reports still on their way; false if some did not make it. */
  flush(timeoutMs?: number): Promise<boolean>;
}

/**
 * Error tracking off (no `SENTRY_DSN`): nothing is sent. The container loads the Sentry adapter
 * (`sentry-error-reporter.ts`) only with a DSN, so a process without one pays nothing for it.
 */
export const reportingOff: ErrorReporter = {
  report() {},
  flush: () => Promise.resolve(true),
};
