import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessLog } from './access-log.js';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { abuseRoutes } from '../abuse/routes.js';
import { authRoutes } from '../auth/routes.js';
import type { Container } from '../container.js';
import { cannedReplyRoutes } from '../canned-replies/routes.js';
import { categoryRoutes } from '../categories/routes.js';
import { fileRoutes, maxUploadBytes } from '../files/routes.js';
import { messageRoutes } from '../messages/routes.js';
import { notificationRoutes } from '../notifications/routes.js';
import realtimeGateway from '../realtime/gateway.js';
import { settingsRoutes } from '../settings/routes.js';
import { ticketRoutes } from '../tickets/routes.js';
import { ratingRoutes } from '../ratings/routes.js';
import { statsRoutes } from '../stats/routes.js';
import { reportRoutes } from '../reports/routes.js';
import { userRoutes } from '../users/routes.js';
import { webhookRoute } from '../bot/webhook-route.js';
import { answerClientError } from './client-error.js';
import { configRoutes } from './config-routes.js';
import { healthRoutes } from './health-routes.js';
import { problem } from './problem.js';
import abuseGuard from './plugins/abuse-guard.js';
import authentication from './plugins/authentication.js';
import errorHandler from './plugins/error-handler.js';
import helmet from './plugins/helmet.js';
import logContext from './plugins/log-context.js';
import wellFormedText from './plugins/well-formed-text.js';
import metrics from './plugins/metrics.js';
import rateLimit from './plugins/rate-limit.js';
import swagger from './plugins/swagger.js';
import unreadBody from './plugins/unread-body.js';
import web from './plugins/web.js';
import { markBoundToRequest } from '../platform/logger.js';

/** A request id from the caller's X-Request-Id when it is sane, else a new one. */
function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && /^[\w.:-]{1,64}$/.test(header) ? header : randomUUID();
}

/** Trusts the nearest `hops` proxies, as `TRUST_PROXY=<number>` asks. */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** How long a client should wait before retrying a request refused while shutting down. */
const RETRY_AFTER_CLOSING_S = 5;

/**
 * Refuses requests that arrive while the server shuts down (on connections already open) with
 * a 503 problem and Retry-After, before any other hook runs; Fastify adds `Connection: close`.
 */
function answerWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    request.log.info('refused while shutting down');
    return reply
      .code(503)
      .header('retry-after', String(RETRY_AFTER_CLOSING_S))
      .type('application/problem+json; charset=utf-8')
      .send(problem(503, 'The server is shutting down; try again in a few seconds'));
  });
}

/** Builds the HTTP application (role `api`) on an already wired container. */
export async function buildApp(container: Container): Promise<FastifyInstance> {
  const { config } = container;
  const logger: FastifyBaseLogger = container.logger;
  const app = Fastify({
    loggerInstance: logger,
    trustProxy:
      typeof config.TRUST_PROXY === 'number' ? trustHops(config.TRUST_PROXY) : config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    genReqId: requestId,
    logController: new AccessLog(),
    // Its lines carry `request_id` already: the log context must not add it a second time.
    childLoggerFactory: (parent, bindings, options) =>
      markBoundToRequest(parent.child(bindings, options)),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    clientErrorHandler: answerClientError,
    // Answered below as problem+json with Retry-After instead.
    return503OnClosing: false,
  });
  await app.register(logContext);
  answerWhileClosing(app);
  // The API speaks JSON (and multipart where files are uploaded); plain text is a 415.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorHandler, { errors: container.errors });
  // A refused body is read to its end if it could have been a real upload, else closed.
  await app.register(unreadBody, { drainLimit: maxUploadBytes });
  await app.register(helmet);
  await app.register(metrics, { metrics: container.metrics });
  await app.register(abuseGuard, { guard: container.abuse });
  await app.register(authentication, { auth: container.auth, signer: container.signer });
  await app.register(rateLimit, {
    store: container.rateLimitStore,
    max: config.RATE_LIMIT_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_S,
  });
  await app.register(swagger);

  await app.register(healthRoutes, {
    checks: container.readinessChecks,
    degradable: container.degradableChecks,
  });
  await app.register(
    async (api) => {
      await api.register(wellFormedText);
      await api.register(authRoutes, {
        auth: container.auth,
        users: container.users,
        demoMode: config.demoMode,
        authRateLimitMax: config.AUTH_RATE_LIMIT_MAX,
      });
      await api.register(configRoutes, { demoMode: config.demoMode });
      await api.register(userRoutes, {
        users: container.users,
        clock: container.clock,
        tellStatus: (work, user, reason) =>
          container.notifications.accountStatusChanged(work, user, reason),
        avatars: container.avatars,
      });
      await api.register(categoryRoutes, { categories: container.categories });
      await api.register(ticketRoutes, { tickets: container.tickets });
      await api.register(ratingRoutes, { ratings: container.ratings });
      await api.register(statsRoutes, { stats: container.stats });
      await api.register(reportRoutes, { reports: container.reports, stats: container.stats });
      await api.register(messageRoutes, { messages: container.messages });
      await api.register(cannedReplyRoutes, { cannedReplies: container.cannedReplies });
      await api.register(fileRoutes, {
        files: container.files,
        uploadRateLimitMax: config.UPLOAD_RATE_LIMIT,
      });
      await api.register(notificationRoutes, { notifications: container.notifications });
      await api.register(abuseRoutes, { guard: container.abuse });
      await api.register(settingsRoutes, { settings: container.settings });
      await api.register(realtimeGateway, { container });
    },
    { prefix: '/api/v1' },
  );
  if (config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET) {
    await app.register(webhookRoute, {
      path: new URL(config.TELEGRAM_WEBHOOK_URL).pathname,
      secret: config.TELEGRAM_WEBHOOK_SECRET,
      queue: container.queue,
      refusals: {
        store: container.rateLimitStore,
        max: config.AUTH_RATE_LIMIT_MAX,
        windowMs: config.RATE_LIMIT_WINDOW_S * 1000,
        clock: container.clock,
      },
    });
  }
  await app.register(web);
  return app;
}
