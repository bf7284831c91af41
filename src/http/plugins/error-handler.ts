import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../../db/errors.js';
import { createOutageLog } from '../../db/outage-log.js';
import { DomainError } from '../../errors.js';
import { reportingOff, type ErrorReporter } from '../../platform/error-reporter.js';
import { problem, type Problem } from '../problem.js';

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** Seconds a client is told to wait while the database is unavailable: a restart's worth. */
export const databaseRetryAfterS = 5;

/** Messages for framework errors whose own text would puzzle a client. */
const frameworkDetails: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The body is empty but Content-Type says JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'This Content-Type is not accepted here',
};

function toProblem(error: FastifyError | Error): Problem | undefined {
  if (error instanceof DomainError) {
    return problem(error.status, error.message, {
      ...(error.code ? { code: error.code } : {}),
      ...(error.errors?.length ? { errors: error.errors } : {}),
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = error.validationContext ?? 'body';
    const location = context === 'querystring' ? 'query' : context;
    const prefix = context === 'body' ? '' : `${location}.`;
    const errors = error.validation.flatMap((issue) => {
      const where = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const base = where ? `${where}.` : '';
      // A strict object names its unknown keys in params, not in the path.
      const unknownKeys = (issue.params as { keys?: unknown }).keys;
      if (issue.keyword === 'unrecognized_keys' && Array.isArray(unknownKeys)) {
        return unknownKeys.map((key) => ({
          field: `${prefix}${base}${String(key)}`,
          message: 'is not a known field',
        }));
      }
      return [{ field: `${prefix}${where}` || context, message: issue.message ?? 'is invalid' }];
    });
    return problem(422, 'Some fields are invalid', { code: 'invalid', errors });
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    return problem(status, frameworkDetails[code] ?? error.message);
  }
  return undefined;
}

/** What the error handler reports to; none: reporting off. */
export interface ErrorHandlerOptions {
  errors?: ErrorReporter;
}

/**
 * Turns every error into problem+json (RFC 9457). Client mistakes keep their 4xx status; a
 * database that cannot be reached is a 503 with `Retry-After` (an outage to wait out, logged
 * once per cause); anything else is logged, reported with the request's id, route and user,
 * and answered as a plain 500 that reveals nothing.
 */
export default fp(
  function errorHandler(app: FastifyInstance, options: ErrorHandlerOptions) {
    const errors = options.errors ?? reportingOff;
    const logOutage = createOutageLog(app.log);
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (isDatabaseUnavailable(error)) {
        logOutage(error, 'database unavailable: answering 503 until it is back');
        return reply
          .status(503)
          .header('retry-after', String(databaseRetryAfterS))
          .type(PROBLEM_TYPE)
          .send(
            problem(503, 'The database is unavailable; try again shortly', {
              code: 'database_unavailable',
            }),
          );
      }
      const known = toProblem(error);
      if (known) {
        if (known.status >= 500) request.log.error({ err: error }, 'request failed');
        return reply.status(known.status).type(PROBLEM_TYPE).send(known);
      }
      request.log.error({ err: error }, 'unhandled error');
      errors.report(error, {
        role: 'api',
        requestId: request.id,
        method: request.method,
        ...(request.routeOptions.url ? { route: request.routeOptions.url } : {}),
        ...(request.principal ? { userId: request.principal.userId } : {}),
      });
      return reply
        .status(500)
        .type(PROBLEM_TYPE)
        .send(problem(500, 'Something went wrong on our side; it has been logged'));
    });

    app.setNotFoundHandler((request, reply) =>
      reply
        .status(404)
        .type(PROBLEM_TYPE)
        .send(problem(404, `No route ${request.method} ${request.url.split('?')[0]}`)),
    );
  },
  { name: 'error-handler' },
);
