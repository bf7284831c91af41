import * as Sentry from '@sentry/node';
import type { Config } from '../config.js';
import type { ErrorContext, ErrorReporter } from './error-reporter.js';
import { createSecretScrubber, passwordOf } from './scrub-secrets.js';

/** What the configuration says about error tracking, and which secrets it must never send. */
export type SentryReporterConfig = Pick<
  Config,
  | 'SENTRY_ENVIRONMENT'
  | 'NODE_ENV'
  | 'SENTRY_RELEASE'
  | 'ROLES'
  | 'TELEGRAM_BOT_TOKEN'
  | 'TELEGRAM_WEBHOOK_SECRET'
  | 'JWT_SECRET'
  | 'DATABASE_URL'
  | 'REDIS_URL'
  | 'S3_SECRET_KEY'
> & { SENTRY_DSN: string };

/** Tags a report is searched by in Sentry, from where the error happened. */
function tagsOf(context: ErrorContext): Record<string, string | number> {
  const tags: Record<string, string | number | undefined> = {
    role: context.role,
    request_id: context.requestId,
    route: context.route,
    method: context.method,
    job: context.job?.name,
    job_id: context.job?.id,
    update_id: context.updateId,
  };
  return Object.fromEntries(
    Object.entries(tags).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    ),
  );
}

/**
 * Reports to Sentry through `@sentry/node`, with only the integrations error reports need:
 * no automatic instrumentation, no global handlers (`main.ts` reports crashes itself), no
 * personal data by default, and every event and breadcrumb scrubbed of secrets before it
 * leaves the process.
 */
export function createSentryReporter(config: SentryReporterConfig): ErrorReporter {
  const scrub = createSecretScrubber([
    config.TELEGRAM_BOT_TOKEN,
    config.TELEGRAM_WEBHOOK_SECRET,
    config.JWT_SECRET,
    config.S3_SECRET_KEY,
    passwordOf(config.DATABASE_URL),
    passwordOf(config.REDIS_URL),
  ]);
  Sentry.initWithoutDefaultIntegrations({
    dsn: config.SENTRY_DSN,
    environment: config.SENTRY_ENVIRONMENT ?? config.NODE_ENV,
    ...(config.SENTRY_RELEASE ? { release: config.SENTRY_RELEASE } : {}),
    integrations: [Sentry.linkedErrorsIntegration(), Sentry.nodeContextIntegration()],
    // Version 11's replacement for `sendDefaultPii: false`: no personal data, headers, cookies,
    // bodies, query strings, local variables or job arguments, whatever an integration offers.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
      queues: false,
      stackFrameVariables: false,
    },
    sendClientReports: false,
    initialScope: { tags: { roles: config.ROLES.join(',') } },
    beforeSend: (event) => scrub(event),
    beforeBreadcrumb: (breadcrumb) => scrub(breadcrumb),
  });
  return {
    report(error, context = {}) {
      Sentry.captureException(error, {
        tags: tagsOf(context),
        ...(context.userId ? { user: { id: context.userId } } : {}),
        ...(context.job?.retryCount === undefined
          ? {}
          : { extra: { retry_count: context.job.retryCount } }),
      });
    },
    flush: (timeoutMs = 2_000) => Sentry.flush(timeoutMs),
  };
}
