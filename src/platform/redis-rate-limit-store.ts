import type { Redis } from 'ioredis';
import {
  checkWindow,
  createMemoryRateLimitStore,
  type RateLimitStore,
} from './rate-limit-store.js';

/**
 * INCR, then give the key its window on the first hit (or if it somehow lost its expiry), then
 * report the count and the time left, in one atomic step.
 */
const hitScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

/** The connection with the hit script defined on it (sent once, then run by its SHA). */
type WithHit = Redis & {
  ttbRateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
};

/** Defines the hit script as a command of `redis` (ioredis sends EVALSHA, EVAL when unknown). */
function withHit(redis: Redis): WithHit {
  if (!('ttbRateLimitHit' in redis)) {
    redis.defineCommand('ttbRateLimitHit', { numberOfKeys: 1, lua: hitScript });
  }
  return redis as WithHit;
}

/** What {@link createRedisRateLimitStore} may be told besides its connection. */
export interface RedisRateLimitStoreOptions {
  /** Told about each command that failed; the store then counts in this process. */
  onError?: (error: unknown) => void;
  /** Where hits are counted while Redis fails; a fresh in-process store by default. */
  fallback?: RateLimitStore;
}

/**
 * Counters in Redis, shared by every process. Keys are stored as `prefix + key`. The caller owns
 * `redis` and quits it after closing the store.
 *
 * A hit that Redis cannot count is counted in `fallback`, this process's own counters, so limits
 * still hold while Redis is down (per process: with n processes a client may get n times the
 * limit). Once Redis answers again its counters apply again.
 */
export function createRedisRateLimitStore(
  redis: Redis,
  prefix = '',
  options: RedisRateLimitStoreOptions = {},
): RateLimitStore {
  const onError = options.onError ?? (() => {});
  const fallback = options.fallback ?? createMemoryRateLimitStore();
  const scripted = withHit(redis);
  return {
    async hit(key, windowMs) {
      checkWindow(windowMs);
      let reply: [number, number];
      try {
        reply = await scripted.ttbRateLimitHit(prefix + key, windowMs);
      } catch (error) {
        onError(error);
        return fallback.hit(key, windowMs);
      }
      const [count, resetInMs] = reply;
      return { count, resetInMs };
    },
    async reset(key) {
      await fallback.reset(key);
      try {
        await redis.del(prefix + key);
      } catch (error) {
        onError(error);
      }
    },
    close() {
      return fallback.close();
    },
  };
}
