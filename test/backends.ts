import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { createRedis } from '../src/platform/redis.js';
import { testRedisUrl, uniquePrefix } from './infra.js';

/** Something under test that holds resources until closed. */
interface Closable {
  close(): Promise<void>;
}

/** One implementation under test, and how to let time pass for it. */
export interface Subject<T extends Closable> {
  instance: T;
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** A named way to open a fresh {@link Subject}, for `describe.each`. */
export interface Backend<T extends Closable> {
  name: string;
  open(): Subject<T>;
}

/**
 * The in-process implementation on a fake clock, and the Redis one (real time, own key
 * prefix) when TEST_REDIS_URL is set: both must keep the same contract, so one suite runs on each.
 */
export function memoryAndRedis<T extends Closable>(make: {
  memory(options: { now: () => number }): T;
  redis(redis: Redis, prefix: string): T;
}): Backend<T>[] {
  const backends: Backend<T>[] = [
    {
      name: 'in-process',
      open() {
        let now = 1_700_000_000_000;
        const instance = make.memory({ now: () => now });
        return {
          instance,
          elapse(ms) {
            now += ms;
            return Promise.resolve();
          },
          close: () => instance.close(),
        };
      },
    },
  ];
  const redisUrl = testRedisUrl;
  if (redisUrl) {
    backends.push({
      name: 'Redis',
      open() {
        const redis = createRedis(redisUrl);
        const instance = make.redis(redis, uniquePrefix());
        return {
          instance,
          elapse: (ms) => sleep(ms),
          async close() {
            await instance.close();
            await redis.quit();
          },
        };
      },
    });
  }
  return backends;
}

/**
 * As {@link memoryAndRedis}, for adapters that take their time from a clock (never from Redis's
 * own): both get one fake clock, and `elapse` moves it, so neither waits.
 */
export function memoryAndRedisOnClock<T extends Closable>(make: {
  memory(options: { now: () => number }): T;
  redis(redis: Redis, prefix: string, options: { now: () => number }): T;
}): Backend<T>[] {
  const onClock = (open: (now: () => number) => { instance: T; close(): Promise<void> }) => () => {
    let now = 1_700_000_000_000;
    const opened = open(() => now);
    return {
      instance: opened.instance,
      elapse(ms: number) {
        now += ms;
        return Promise.resolve();
      },
      close: () => opened.close(),
    };
  };
  const backends: Backend<T>[] = [
    {
      name: 'in-process',
      open: onClock((now) => {
        const instance = make.memory({ now });
        return { instance, close: () => instance.close() };
      }),
    },
  ];
  const redisUrl = testRedisUrl;
  if (redisUrl) {
    backends.push({
      name: 'Redis',
      open: onClock((now) => {
        const redis = createRedis(redisUrl);
        const instance = make.redis(redis, uniquePrefix(), { now });
        return {
          instance,
          async close() {
            await instance.close();
            await redis.quit();
          },
        };
      }),
    });
  }
  return backends;
}
