import type { Redis } from 'ioredis';
import { encode, ttlInMs, type Cache } from './cache.js';

/** What {@link createRedisCache} may be told besides its connection. */
export interface RedisCacheOptions {
  /** Told about each command that failed; the cache carries on without Redis. */
  onError?: (error: unknown) => void;
}

/**
 * A cache in Redis, shared by every process. Keys are stored as `prefix + key`. The caller owns
 * `redis` and quits it after closing the cache.
 *
 * While Redis fails the cache behaves as an empty one, so callers read from the database
 * instead: `get` misses and `set` does nothing. A `delete` that fails is remembered and sent
 * again before the next read, because a stale entry (a revoked session, a blocked user) must not
 * come back once Redis does (it may have kept its data through a network outage).
 */
export function createRedisCache(
  redis: Redis,
  prefix = '',
  options: RedisCacheOptions = {},
): Cache {
  const onError = options.onError ?? (() => {});
  const undeleted = new Set<string>();

  /** Sends the deletes that failed; false while they still fail. */
  async function catchUp(): Promise<boolean> {
    if (undeleted.size === 0) return true;
    const keys = [...undeleted];
    try {
      await redis.del(...keys);
    } catch (error) {
      onError(error);
      return false;
    }
    for (const key of keys) undeleted.delete(key);
    return true;
  }
  // Reconnected: catch up at once rather than at the next read.
  const onReady = () => void catchUp();
  redis.on('ready', onReady);

  return {
    async get<T>(key: string): Promise<T | undefined> {
      if (!(await catchUp())) return undefined;
      let json: string | null;
      try {
        json = await redis.get(prefix + key);
      } catch (error) {
        onError(error);
        return undefined;
      }
      return json === null ? undefined : (JSON.parse(json) as T);
    },
    async set(key, value, ttlSeconds) {
      const json = encode(value);
      const ttlMs = ttlInMs(ttlSeconds);
      try {
        await redis.set(prefix + key, json, 'PX', ttlMs);
      } catch (error) {
        onError(error);
      }
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      const prefixed = keys.map((key) => prefix + key);
      try {
        await redis.del(...prefixed);
      } catch (error) {
        onError(error);
        for (const key of prefixed) undeleted.add(key);
      }
    },
    close() {
      redis.off('ready', onReady);
      return Promise.resolve();
    },
  };
}
