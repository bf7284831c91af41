import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Cache } from './cache.js';
import type { PubSub } from './pubsub.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { createRedisCache } from './redis-cache.js';
import { createRedisPubSub } from './redis-pubsub.js';
import { createRedisRateLimitStore } from './redis-rate-limit-store.js';
import { createRedis } from './redis.js';

/** The shared-state adapters of one process, and their connections' lifecycle. */
export interface SharedStateAdapters {
  cache: Cache;
  pubsub: PubSub;
  rateLimitStore: RateLimitStore;
  /** True when the server answers PING (for readiness); undefined when in-process. */
  ping?: () => Promise<boolean>;
  /** Closes the adapters, then the connections they use. */
  close(): Promise<void>;
}

/**
 * Cache, pub/sub and rate limits in Redis: two connections per process (subscribing takes one
 * for itself), every key and channel under `prefix`.
 */
export function createRedisAdapters(
  url: string,
  prefix: string,
  logger: Logger,
): SharedStateAdapters {
  const connect = (): Redis => {
    const connection = createRedis(url);
    connection.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error'));
    return connection;
  };
  const main = connect();
  const subscriber = connect();
  const cache = createRedisCache(main, `${prefix}cache:`);
  const rateLimitStore = createRedisRateLimitStore(main, `${prefix}rl:`);
  const pubsub = createRedisPubSub({
    publisher: main,
    subscriber,
    prefix: `${prefix}events:`,
    onError: (error) => logger.warn({ err: error }, 'pub/sub handler or message failed'),
  });
  return {
    cache,
    pubsub,
    rateLimitStore,
    ping: async () => (await main.ping()) === 'PONG',
    async close() {
      await pubsub.close();
      await Promise.all([cache.close(), rateLimitStore.close()]);
      await Promise.all([main.quit(), subscriber.quit()]);
    },
  };
}
