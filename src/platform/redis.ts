import { Redis } from 'ioredis';

/** Options for {@link createRedis}. */
export interface RedisConnectionOptions {
  /** Prepended by ioredis to every key (not to pub/sub channels: PUBLISH has no key). */
  keyPrefix?: string;
}

/**
 * Opens one Redis connection. Whoever calls this owns the connection and must `quit()` it; the
 * cache, pub/sub and rate-limit adapters only borrow it.
 *
 * Commands issued while disconnected wait in the offline queue, but only for a few reconnection
 * attempts: a request then fails with an error instead of hanging while Redis is down.
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  return new Redis(url, {
    keyPrefix: options.keyPrefix,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 3,
    // Keep the queue so commands sent during start-up wait for the first connection.
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
}
