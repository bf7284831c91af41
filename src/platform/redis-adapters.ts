import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { BanStore } from './ban-store.js';
import type { Cache } from './cache.js';
import type { PubSub } from './pubsub.js';
import type { RateLimitStore } from './rate-limit-store.js';
import { createRedisBanStore } from './redis-ban-store.js';
import { createRedisCache } from './redis-cache.js';
import { createRedisPubSub } from './redis-pubsub.js';
import { createRedisRateLimitStore } from './redis-rate-limit-store.js';
import { closeRedis, createRedis, waitUntilReady } from './redis.js';

/** The shared-state adapters of one process, and their connections' lifecycle. */
export interface SharedStateAdapters {
  cache: Cache;
  pubsub: PubSub;
  rateLimitStore: RateLimitStore;
  /** Strikes against client addresses and their bans (`abuse/`). */
  banStore: BanStore;
  /**
   * True while pub/sub carries the other processes' messages to this one (its connection is
   * up); always, in-process. Caches that only events keep fresh hold nothing while it is false.
   */
  hearsOthers(): boolean;
  /** True when the server answers PING (for readiness); undefined when in-process. */
  ping?: () => Promise<boolean>;
  /** Closes the adapters, then the connections they use. */
  close(): Promise<void>;
}

/** How long start-up waits for Redis before it goes on without it. */
const startupWaitMs = 3_000;

/**
 * Cache, pub/sub, rate limits and bans in Redis: two connections per process (subscribing takes one
 * for itself), every key and channel under `prefix`.
 *
 * Waits for the first connection (a few seconds at most), then runs on whether Redis is up or
 * not: while it is down, the cache misses (the services read the database), rate limits count
 * in this process, and events reach this process only; when it is back, everything returns to
 * Redis by itself and pub/sub tells its listeners to resynchronise.
 */
export async function createRedisAdapters(
  url: string,
  prefix: string,
  logger: Logger,
  now: () => number,
): Promise<SharedStateAdapters> {
  const log = logger.child({ module: 'redis' });
  // A failed command is expected while Redis is down: the connection's state is what gets logged.
  const onCommandError = (error: unknown) => log.debug({ err: error }, 'Redis command failed');
  const connect = (name: string): Redis => {
    const connection = createRedis(url);
    let up = false;
    connection.on('ready', () => {
      if (!up) log.info({ connection: name }, 'Redis connection is up');
      up = true;
    });
    connection.on('close', () => {
      if (up) log.warn({ connection: name }, 'Redis connection lost: running on fallbacks');
      up = false;
    });
    connection.on('error', (error: Error) => log.debug({ err: error }, 'Redis connection error'));
    return connection;
  };
  const main = connect('main');
  const subscriber = connect('subscriber');
  const ready = await Promise.all([
    waitUntilReady(main, startupWaitMs),
    waitUntilReady(subscriber, startupWaitMs),
  ]);
  if (!ready.every(Boolean)) {
    log.warn('Redis does not answer: starting on fallbacks; it is used as soon as it answers');
  }
  const cache = createRedisCache(main, `${prefix}cache:`, { onError: onCommandError });
  const rateLimitStore = createRedisRateLimitStore(main, `${prefix}rl:`, {
    onError: onCommandError,
  });
  const banStore = createRedisBanStore(main, `${prefix}abuse:`, { now, onError: onCommandError });
  const pubsub = createRedisPubSub({
    publisher: main,
    subscriber,
    prefix: `${prefix}events:`,
    onError: (error) => log.warn({ err: error }, 'pub/sub handler, message or subscription failed'),
  });
  return {
    cache,
    pubsub,
    rateLimitStore,
    banStore,
    hearsOthers: () => subscriber.status === 'ready',
    ping: async () => (await main.ping()) === 'PONG',
    async close() {
      await pubsub.close();
      await Promise.all([cache.close(), rateLimitStore.close(), banStore.close()]);
      await Promise.all([closeRedis(main), closeRedis(subscriber)]);
    },
  };
}
