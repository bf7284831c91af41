import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../errors.js';
import type { RateLimitStore } from '../../platform/rate-limit-store.js';

type RouteInfo = { method?: string | string[]; url?: string };
type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** Adapts our rate-limit port to the store interface @fastify/rate-limit expects. */
function storeClass(store: RateLimitStore) {
  return class PortStore {
    constructor(
      _options?: unknown,
      private readonly prefix = '',
    ) {}

    incr(key: string, callback: IncrCallback, timeWindow: number): void {
      store.hit(`${this.prefix}${key}`, timeWindow).then(
        ({ count, resetInMs }) => callback(null, { current: count, ttl: resetInMs }),
        (error: Error) => callback(error),
      );
    }

    // At run time the plugin passes its merged parameters with the route under `routeInfo`.
    child(params: object): PortStore {
      const route = (params as { routeInfo?: RouteInfo }).routeInfo ?? {};
      return new PortStore(undefined, `${this.prefix}${String(route.method)}:${route.url ?? ''}:`);
    }
  };
}

/**
 * The rate-limit key: the signed-in user when the token belongs to a live session of an active
 * user, otherwise the client IP. A signature alone is not enough: a token outlives its logout
 * by up to its lifetime, and whoever holds one could spend its owner's budget with it.
 */
async function rateLimitKey(app: FastifyInstance, request: FastifyRequest): Promise<string> {
  if (request.accessClaims) {
    const principal = await app.checkSession(request).catch(() => undefined);
    if (principal) return `user:${principal.userId}`;
  }
  return `ip:${request.ip}`;
}

/**
 * API rate limiting, per user when signed in (with a live session) and per IP otherwise, counted in the shared store
 * (Redis when configured) so every instance enforces one limit. Answers 429 with Retry-After.
 */
export default fp(
  async function rateLimitPlugin(
    app: FastifyInstance,
    options: { store: RateLimitStore; max: number; windowSeconds: number },
  ) {
    await app.register(rateLimit, {
      global: true,
      max: options.max,
      timeWindow: options.windowSeconds * 1000,
      store: storeClass(options.store),
      keyGenerator: (request) => rateLimitKey(app, request),
      skipOnError: true,
      errorResponseBuilder: (_request, context) =>
        new DomainError(
          429,
          `Too many requests; try again in ${Math.ceil(context.ttl / 1000)} s`,
          'rate_limited',
        ),
    });
  },
  { name: 'rate-limit', dependencies: ['authentication'] },
);
