import type { Redis } from 'ioredis';
import { encode, ttlInMs, type Cache } from './cache.js';

/**
 * A cache in Redis, shared by every process. Keys are stored as `prefix + key`. The caller owns
 * `redis` and quits it after closing the cache.
 */
export function createRedisCache(redis: Redis, prefix = ''): Cache {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const json = await redis.get(prefix + key);
      return json === null ? undefined : (JSON.parse(json) as T);
    },
    async set(key, value, ttlSeconds) {
      await redis.set(prefix + key, encode(value), 'PX', ttlInMs(ttlSeconds));
    },
    async delete(...keys) {
      if (keys.length === 0) return;
      await redis.del(...keys.map((key) => prefix + key));
    },
    close() {
      return Promise.resolve();
    },
  };
}
