import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore } from './redis-rate-limit-store.js';
import { memoryAndRedis, type Subject } from '../../test/backends.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { closeRedis, createRedis, waitUntilReady } from './redis.js';
import { startCuttableProxy } from '../../test/cuttable-proxy.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './rate-limit-store.js';

const implementations = memoryAndRedis<RateLimitStore>({
  memory: (options) => createMemoryRateLimitStore(options),
  redis: (redis, prefix) => createRedisRateLimitStore(redis, prefix),
});

const minute = 60_000;

describe.each(implementations)('RateLimitStore ($name)', (implementation) => {
  let subject: Subject<RateLimitStore>;
  let store: RateLimitStore;
  beforeEach(() => {
    subject = implementation.open();
    store = subject.instance;
  });
  afterEach(() => subject.close());

  it('counts hits within a window and says when the window ends', async () => {
    const first = await store.hit('ip:1', minute);
    const second = await store.hit('ip:1', minute);
    const third = await store.hit('ip:1', minute);
    expect([first.count, second.count, third.count]).toEqual([1, 2, 3]);
    for (const { resetInMs } of [first, second, third]) {
      expect(resetInMs).toBeGreaterThan(minute - 1_000);
      expect(resetInMs).toBeLessThanOrEqual(minute);
    }
  });

  it('starts the window at the first hit and begins a new one after it', async () => {
    await store.hit('ip:1', 1_000);
    await subject.elapse(600);
    const later = await store.hit('ip:1', 1_000);
    expect(later.count).toBe(2);
    expect(later.resetInMs).toBeLessThanOrEqual(400);
    await subject.elapse(500);
    const next = await store.hit('ip:1', 1_000);
    expect(next.count).toBe(1);
    expect(next.resetInMs).toBeGreaterThan(500);
  });

  it('keeps separate keys independent', async () => {
    await store.hit('ip:1', minute);
    await store.hit('ip:1', minute);
    expect((await store.hit('ip:2', minute)).count).toBe(1);
    expect((await store.hit('ip:1', minute)).count).toBe(3);
  });

  it('starts a key over after reset, leaving other keys alone', async () => {
    await store.hit('ip:1', minute);
    await store.hit('ip:1', minute);
    await store.hit('ip:2', minute);
    await store.reset('ip:1');
    await store.reset('never-hit');
    expect((await store.hit('ip:1', minute)).count).toBe(1);
    expect((await store.hit('ip:2', minute)).count).toBe(2);
  });

  it('counts concurrent hits exactly', async () => {
    const hits = await Promise.all(Array.from({ length: 50 }, () => store.hit('ip:1', minute)));
    expect(hits.map((hit) => hit.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, index) => index + 1),
    );
    expect((await store.hit('ip:1', minute)).count).toBe(51);
  });

  it('refuses a window that is not a positive whole number of milliseconds', async () => {
    await expect(store.hit('ip:1', 0)).rejects.toThrow(RangeError);
    await expect(store.hit('ip:1', -1)).rejects.toThrow(RangeError);
    await expect(store.hit('ip:1', 1.5)).rejects.toThrow(RangeError);
    expect((await store.hit('ip:1', minute)).count).toBe(1);
  });
});

describe('createMemoryRateLimitStore', () => {
  it('drops the key whose window started first once full', async () => {
    let now = 0;
    const store = createMemoryRateLimitStore({ now: () => now, maxKeys: 2 });
    await store.hit('a', minute);
    now += 1;
    await store.hit('b', minute);
    await store.hit('a', minute); // a's window still started first
    await store.hit('c', minute);
    expect((await store.hit('b', minute)).count).toBe(2);
    expect((await store.hit('c', minute)).count).toBe(2);
    expect((await store.hit('a', minute)).count).toBe(1); // a was dropped, so it starts over
  });

  it('forgets every counter when closed', async () => {
    const store = createMemoryRateLimitStore();
    await store.hit('a', minute);
    await store.close();
    expect((await store.hit('a', minute)).count).toBe(1);
  });
});

const redisUrl = testRedisUrl;
if (redisUrl) {
  describe('createRedisRateLimitStore', () => {
    let redis: Redis;
    beforeEach(() => {
      redis = createRedis(redisUrl);
    });
    afterEach(() => redis.quit());

    it('keeps its counters under its prefix, expiring with the window', async () => {
      const prefix = uniquePrefix();
      const store = createRedisRateLimitStore(redis, prefix);
      await store.hit('ip:1', minute);
      expect(await redis.get(`${prefix}ip:1`)).toBe('1');
      expect(await redis.pttl(`${prefix}ip:1`)).toBeGreaterThan(minute - 1_000);
      await store.close();
      expect(await redis.ping()).toBe('PONG');
      await redis.del(`${prefix}ip:1`);
    });

    it('gives a counter that lost its expiry a new window', async () => {
      const prefix = uniquePrefix();
      const store = createRedisRateLimitStore(redis, prefix);
      await redis.set(`${prefix}ip:1`, '7');
      const hit = await store.hit('ip:1', minute);
      expect(hit).toEqual({ count: 8, resetInMs: minute });
      expect(await redis.pttl(`${prefix}ip:1`)).toBeGreaterThan(0);
      await redis.del(`${prefix}ip:1`);
    });
  });
}

if (redisUrl) {
  describe('createRedisRateLimitStore while Redis is unreachable', () => {
    it('counts in this process at once, and in Redis again once it is back', async () => {
      const target = new URL(redisUrl);
      const proxy = await startCuttableProxy({
        host: target.hostname,
        port: Number(target.port),
      });
      const viaProxy = new URL(redisUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const redis = createRedis(viaProxy.toString());
      redis.on('error', () => {}); // refusals while cut off are the point
      const prefix = uniquePrefix();
      const store = createRedisRateLimitStore(redis, prefix);
      try {
        await waitUntilReady(redis, 2_000);
        expect((await store.hit('ip:1', minute)).count).toBe(1);
        proxy.cut();
        const started = performance.now();
        const counts = [];
        for (let i = 0; i < 3; i++) counts.push((await store.hit('ip:1', minute)).count);
        expect(counts).toEqual([1, 2, 3]);
        expect(performance.now() - started).toBeLessThan(500);
        proxy.restore();
        expect(await waitUntilReady(redis, 3_000)).toBe(true);
        expect((await store.hit('ip:1', minute)).count).toBe(2);
        await redis.del(`${prefix}ip:1`);
      } finally {
        await store.close();
        await closeRedis(redis);
        await proxy.close();
      }
    });
  });
}
