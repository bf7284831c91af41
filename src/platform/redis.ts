import { Redis } from 'ioredis';

/** Options for {@link createRedis}. */
export interface RedisConnectionOptions {
  /** Prepended by ioredis to every key (not to pub/sub channels: PUBLISH has no key). */
  keyPrefix?: string;
}

/** How long a command may take before it fails; Redis answers in well under a millisecond. */
export const redisCommandTimeoutMs = 500;

/** The longest pause between reconnection attempts, so recovery follows Redis within ~1 s. */
const maxReconnectDelayMs = 1000;

/**
 * Opens one Redis connection. Whoever calls this owns the connection and must `quit()` it; the
 * cache, pub/sub and rate-limit adapters only borrow it.
 *
 * Fails fast, so callers can fall back instead of making a request wait for Redis: no offline
 * queue (a command sent while disconnected fails at once), no retry of a command cut off by a
 * lost connection, a time-out on every command, and a socket that stays silent while a command
 * waits is dropped and reconnected. Only until the first connection is up do commands wait for
 * it (each within its time-out), so that those sent during start-up still work.
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const redis = new Redis(url, {
    keyPrefix: options.keyPrefix,
    connectTimeout: 2_000,
    commandTimeout: redisCommandTimeoutMs,
    socketTimeout: 2 * redisCommandTimeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: true,
    // The pub/sub adapter resubscribes itself, and knows then that messages may have been lost.
    autoResubscribe: false,
    retryStrategy: (attempt) => Math.min(attempt * 100, maxReconnectDelayMs),
    // Commands sent in the same tick go out in one write (a request's session and access
    // lookups, for one).
    enableAutoPipelining: true,
  });
  // ioredis reads the option on every command.
  redis.once('ready', () => {
    redis.options.enableOfflineQueue = false;
  });
  return redis;
}

/** Closes a connection: QUIT when connected, otherwise just drops it (QUIT would fail). */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // Lost while quitting: drop it below.
    }
  }
  redis.disconnect();
}

/**
 * Resolves once `redis` is connected, or after `timeoutMs` (false): start-up waits for the first
 * connection so that its commands do not fail, but starts without Redis when it is down.
 */
export async function waitUntilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  let onReady: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<boolean>((resolve) => {
      onReady = () => resolve(true);
      redis.once('ready', onReady);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
  } finally {
    clearTimeout(timer);
    if (onReady) redis.off('ready', onReady);
  }
}
