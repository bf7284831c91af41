import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem } from '../http/problem.js';
import { setNewest } from '../platform/bounded-map.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { RateLimitStore } from '../platform/rate-limit-store.js';
import { botUpdateQueue } from './update-queue.js';

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

/** Addresses remembered as over the wrong-secret limit; beyond this many the oldest go. */
const LIMITED_MEMORY = 10_000;

/** What the webhook route needs. */
export interface WebhookRouteOptions {
  /** The pathname of `TELEGRAM_WEBHOOK_URL`. */
  path: string;
  /** `TELEGRAM_WEBHOOK_SECRET`. */
  secret: string;
  queue: JobQueue;
  /** Wrong-secret attempts allowed per client address in each window. */
  refusals: { store: RateLimitStore; max: number; windowMs: number; clock: Clock };
}

/**
 * Counts wrong-secret attempts per client address in the shared rate-limit store. An address
 * past the limit is refused with 429 until its window ends, whatever secret it sends, so a
 * short secret cannot be guessed at speed. Only failures count: Telegram, which sends the
 * right secret, is never limited (unless its own address sent wrong ones, as after a secret
 * change that the bot has not registered yet; it retries).
 */
function refusalLimit({ store, max, windowMs, clock }: WebhookRouteOptions['refusals']) {
  const limitedUntil = new Map<string, number>();
  const retryAfterS = (until: number) =>
    Math.max(1, Math.ceil((until - clock.now().getTime()) / 1000));
  return {
    /** Seconds to wait when the address is limited now, else undefined. */
    limited(ip: string): number | undefined {
      const until = limitedUntil.get(ip);
      if (until === undefined) return undefined;
      if (until > clock.now().getTime()) return retryAfterS(until);
      limitedUntil.delete(ip);
      return undefined;
    },
    /** Counts a wrong secret; seconds to wait when that put the address over the limit. */
    async failed(ip: string): Promise<number | undefined> {
      // As the API's limit does, a failing counter store lets requests through (here: a 401).
      const hit = await store.hit(`webhook-refused:${ip}`, windowMs).catch(() => undefined);
      if (!hit || hit.count <= max) return undefined;
      const until = clock.now().getTime() + hit.resetInMs;
      setNewest(limitedUntil, ip, until, LIMITED_MEMORY);
      return retryAfterS(until);
    },
  };
}

function tooMany(reply: FastifyReply, retryAfter: number) {
  reply.header('retry-after', String(retryAfter));
  return refuse(reply, 429, `Too many wrong secrets; try again in ${retryAfter} s`);
}

/**
 * Telegram's webhook on the API server: checks the secret header, then only queues the update
 * (on `bot.update`, once per `update_id`) and answers 200 at once, so Telegram never waits on
 * the bot's work; the bot role handles the queue. Outside the API's rate limit: Telegram's
 * bursts are legitimate; wrong-secret attempts have a limit of their own.
 */
export async function webhookRoute(app: FastifyInstance, options: WebhookRouteOptions) {
  const refusals = refusalLimit(options.refusals);
  app.post(
    options.path,
    {
      config: { rateLimit: false, abuse: 'exempt' },
      // Before the body is parsed: a refused request costs a header comparison.
      async onRequest(request, reply) {
        const wait = refusals.limited(request.ip);
        if (wait !== undefined) return tooMany(reply, wait);
        if (sameSecret(request.headers[secretHeader], options.secret)) return;
        const limited = await refusals.failed(request.ip);
        if (limited !== undefined) return tooMany(reply, limited);
        return refuse(reply, 401, 'Missing or wrong X-Telegram-Bot-Api-Secret-Token');
      },
      // For Telegram, not for the API's clients: left out of /openapi.json.
      schema: {
        hide: true,
        tags: ['telegram'],
        summary: 'Telegram webhook',
        description:
          'Telegram posts bot updates here with X-Telegram-Bot-Api-Secret-Token. 401 without ' +
          'the right secret (429 for an address past the wrong-secret limit); 400 when the ' +
          'body is not an update; otherwise 200 at once.',
      },
    },
    async (request, reply) => {
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
