import type { Redis } from 'ioredis';
import { checkWindow, type RateLimitStore } from './rate-limit-store.js';

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

/**
 * Counters in Redis, shared by every process. Keys are stored as `prefix + key`. The caller owns
 * `redis` and quits it after closing the store.
 */
export function createRedisRateLimitStore(redis: Redis, prefix = ''): RateLimitStore {
  return {
    async hit(key, windowMs) {
      checkWindow(windowMs);
      const reply = await redis.eval(hitScript, 1, prefix + key, windowMs);
      const [count, resetInMs] = reply as [number, number];
      return { count, resetInMs };
    },
    async reset(key) {
      await redis.del(prefix + key);
    },
    close() {
      return Promise.resolve();
    },
  };
}
