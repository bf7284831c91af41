import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRedisCache } from './redis-cache.js';
import { memoryAndRedis, type Subject } from '../../test/backends.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { createMemoryCache, type Cache } from './cache.js';
import { closeRedis, createRedis, waitUntilReady } from './redis.js';
import { startCuttableProxy, type CuttableProxy } from '../../test/cuttable-proxy.js';

const implementations = memoryAndRedis<Cache>({
  memory: (options) => createMemoryCache(options),
  redis: (redis, prefix) => createRedisCache(redis, prefix),
});

describe.each(implementations)('Cache ($name)', (implementation) => {
  let subject: Subject<Cache>;
  let cache: Cache;
  beforeEach(() => {
    subject = implementation.open();
    cache = subject.instance;
  });
  afterEach(() => subject.close());

  it('returns undefined for a key that was never set', async () => {
    expect(await cache.get('missing')).toBeUndefined();
  });

  it('round-trips nested JSON values', async () => {
    const value = { id: 7, name: 'Ада', tags: ['a', 'b'], nested: { ok: true, none: null } };
    await cache.set('ticket', value, 60);
    await cache.set('count', 0, 60);
    await cache.set('flag', false, 60);
    expect(await cache.get('ticket')).toEqual(value);
    expect(await cache.get('count')).toBe(0);
    expect(await cache.get('flag')).toBe(false);
  });

  it('returns a copy, so changing the stored object afterwards changes nothing', async () => {
    const value = { list: [1] };
    await cache.set('key', value, 60);
    value.list.push(2);
    expect(await cache.get('key')).toEqual({ list: [1] });
  });

  it('replaces the value of a key that is set again', async () => {
    await cache.set('key', 'first', 60);
    await cache.set('key', 'second', 60);
    expect(await cache.get('key')).toBe('second');
  });

  it('keeps a value until its TTL has passed, then forgets it', async () => {
    await cache.set('short', 'lived', 1);
    await cache.set('long', 'lived', 60);
    await subject.elapse(500);
    expect(await cache.get('short')).toBe('lived');
    await subject.elapse(600);
    expect(await cache.get('short')).toBeUndefined();
    expect(await cache.get('long')).toBe('lived');
  });

  it('deletes several keys at once and ignores missing ones', async () => {
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('c', 3, 60);
    await cache.delete('a', 'b', 'never-set');
    await cache.delete();
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBe(3);
  });

  it('refuses a value that is not JSON', async () => {
    await expect(cache.set('key', undefined, 60)).rejects.toThrow(TypeError);
    await expect(cache.set('key', () => 1, 60)).rejects.toThrow(TypeError);
  });

  it('refuses a TTL that is not a positive number of seconds', async () => {
    await expect(cache.set('key', 1, 0)).rejects.toThrow(RangeError);
    await expect(cache.set('key', 1, -5)).rejects.toThrow(RangeError);
    await expect(cache.set('key', 1, Number.NaN)).rejects.toThrow(RangeError);
    await expect(cache.set('key', 1, Number.POSITIVE_INFINITY)).rejects.toThrow(RangeError);
    expect(await cache.get('key')).toBeUndefined();
  });
});

describe('createMemoryCache', () => {
  it('evicts the least recently written entry once full', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('a', 10, 60); // a is now newer than b
    await cache.set('c', 3, 60);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(10);
    expect(await cache.get('c')).toBe(3);
  });

  it('forgets everything when closed', async () => {
    const cache = createMemoryCache();
    await cache.set('a', 1, 60);
    await cache.close();
    expect(await cache.get('a')).toBeUndefined();
  });

  it('uses the wall clock by default', async () => {
    const cache = createMemoryCache();
    await cache.set('a', 1, 0.001);
    await sleep(5);
    expect(await cache.get('a')).toBeUndefined();
  });
});

describe('createRedis', () => {
  it('fails a command instead of waiting forever when Redis is unreachable', async () => {
    const redis = createRedis('redis://127.0.0.1:1');
    redis.on('error', () => {}); // connection refusals are expected here
    try {
      await expect(redis.get('anything')).rejects.toThrow();
    } finally {
      redis.disconnect();
    }
  });

  it('starts without Redis when it does not answer in time, and can still close', async () => {
    const redis = createRedis('redis://127.0.0.1:1');
    redis.on('error', () => {}); // connection refusals are expected here
    try {
      expect(await waitUntilReady(redis, 50)).toBe(false);
      // Not connected: QUIT would fail, so the connection is dropped instead.
      await expect(closeRedis(redis)).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});

const redisUrl = testRedisUrl;
if (redisUrl) {
  describe('createRedis on a Redis that answers', () => {
    it('is ready at once when connected, and closes with QUIT', async () => {
      const redis = createRedis(redisUrl);
      expect(await waitUntilReady(redis, 2_000)).toBe(true);
      expect(await waitUntilReady(redis, 0)).toBe(true);
      await closeRedis(redis);
      await vi.waitFor(() => expect(redis.status).toBe('end'));
      // Closing it again is a no-op, not an error.
      await expect(closeRedis(redis)).resolves.toBeUndefined();
    });
  });
}

if (redisUrl) {
  describe('createRedisCache on a shared connection', () => {
    let redis: Redis;
    beforeEach(() => {
      redis = createRedis(redisUrl);
    });
    afterEach(() => redis.quit());

    it('stores keys under its prefix and leaves the connection open when closed', async () => {
      const prefix = uniquePrefix();
      const cache = createRedisCache(redis, prefix);
      await cache.set('key', { a: 1 }, 60);
      expect(await redis.get(`${prefix}key`)).toBe('{"a":1}');
      await cache.close();
      expect(await redis.ping()).toBe('PONG');
      await redis.del(`${prefix}key`);
    });

    it('honours the key prefix of the connection', async () => {
      const keyPrefix = uniquePrefix();
      const prefixed = createRedis(redisUrl, { keyPrefix });
      try {
        await createRedisCache(prefixed).set('key', 1, 60);
        expect(await redis.get(`${keyPrefix}key`)).toBe('1');
        await redis.del(`${keyPrefix}key`);
      } finally {
        await prefixed.quit();
      }
    });
  });
}

if (redisUrl) {
  describe('createRedisCache while Redis is unreachable', () => {
    let proxy: CuttableProxy;
    let direct: Redis;
    let viaProxy: Redis;
    beforeEach(async () => {
      const target = new URL(redisUrl);
      proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port) });
      const url = new URL(redisUrl);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      direct = createRedis(redisUrl);
      viaProxy = createRedis(url.toString());
      viaProxy.on('error', () => {}); // refusals while cut off are the point
      await waitUntilReady(viaProxy, 2_000);
    });
    afterEach(async () => {
      await closeRedis(viaProxy);
      await closeRedis(direct);
      await proxy.close();
    });

    it('misses at once, and deletes what it was told to before anything is read again', async () => {
      const prefix = uniquePrefix();
      const cache = createRedisCache(viaProxy, prefix);
      await cache.set('session', { revoked: false }, 60);
      proxy.cut();

      const started = performance.now();
      await expect(cache.delete('session')).resolves.toBeUndefined();
      expect(await cache.get('session')).toBeUndefined();
      await expect(cache.set('other', 1, 60)).resolves.toBeUndefined();
      expect(performance.now() - started).toBeLessThan(500);
      // Redis itself kept the entry through the outage.
      expect(await direct.get(`${prefix}session`)).toBe('{"revoked":false}');

      proxy.restore();
      expect(await waitUntilReady(viaProxy, 3_000)).toBe(true);
      expect(await cache.get('session')).toBeUndefined();
      expect(await direct.get(`${prefix}session`)).toBeNull();
      await cache.close();
    });
  });
}

if (redisUrl) {
  describe('createRedis on a network that stops answering', () => {
    it('fails each command within its time-out, then reconnects once the network is back', async () => {
      const target = new URL(redisUrl);
      const proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port) });
      const viaProxy = new URL(redisUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const redis = createRedis(viaProxy.toString());
      redis.on('error', () => {}); // time-outs are the point
      try {
        await waitUntilReady(redis, 2_000);
        proxy.freeze();
        for (let i = 0; i < 3; i++) {
          const started = performance.now();
          await expect(redis.get('anything')).rejects.toThrow();
          expect(performance.now() - started).toBeLessThan(700);
        }
        proxy.restore();
        await vi.waitFor(async () => expect(await redis.ping()).toBe('PONG'), {
          timeout: 5_000,
          interval: 50,
        });
      } finally {
        await closeRedis(redis);
        await proxy.close();
      }
    });
  });
}
