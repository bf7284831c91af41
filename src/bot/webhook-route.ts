import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem } from '../http/problem.js';
import type { JobQueue } from '../platform/queue.js';
import { botUpdateQueue } from './runtime.js';

/** The header Telegram sends the webhook's `secret_token` in. */
export const secretHeader = 'x-telegram-bot-api-secret-token';

/**
 * The slot in which an `update_id` is queued at most once, so Telegram's retries (seconds to
 * minutes apart) do not double it. pg-boss caps it at its archive interval (12 h).
 */
const dedupeSeconds = 3_600;

/** Compares secrets in constant time (of equal-length digests, so the length leaks nothing). */
function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The update's id when the body looks like a Telegram update at all. */
function updateIdOf(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const id = (body as { update_id?: unknown }).update_id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}

function refuse(reply: FastifyReply, status: number, detail: string) {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send(problem(status, detail));
}

/** What the webhook route needs. */
export interface WebhookRouteOptions {
  /** The pathname of `TELEGRAM_WEBHOOK_URL`. */
  path: string;
  /** `TELEGRAM_WEBHOOK_SECRET`. */
  secret: string;
  queue: JobQueue;
}

/**
 * Telegram's webhook on the API server: checks the secret header, then only queues the update
 * (on `bot.update`, once per `update_id`) and answers 200 at once, so Telegram never waits on
 * the bot's work; the bot role handles the queue. Outside the API's rate limit: Telegram's
 * bursts are legitimate and the secret already keeps others out.
 */
export async function webhookRoute(app: FastifyInstance, options: WebhookRouteOptions) {
  app.post(
    options.path,
    {
      config: { rateLimit: false },
      // For Telegram, not for the API's clients: left out of /openapi.json.
      schema: {
        hide: true,
        tags: ['telegram'],
        summary: 'Telegram webhook',
        description:
          'Telegram posts bot updates here with X-Telegram-Bot-Api-Secret-Token. 401 without ' +
          'the right secret; 400 when the body is not an update; otherwise 200 at once.',
      },
    },
    async (request, reply) => {
      if (!sameSecret(request.headers[secretHeader], options.secret)) {
        return refuse(reply, 401, 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
      }
      const updateId = updateIdOf(request.body);
      if (updateId === undefined) {
        return refuse(reply, 400, 'The body is not a Telegram update (an object with update_id)');
      }
      await options.queue.send(botUpdateQueue, request.body as object, {
        singletonKey: String(updateId),
        singletonSeconds: dedupeSeconds,
        retryLimit: 3,
      });
      return reply.code(200).send({ ok: true });
    },
  );
}
