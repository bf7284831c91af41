import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryAndRedisOnClock, type Subject } from '../../test/backends.js';
import { testRedisUrl, uniquePrefix } from '../../test/infra.js';
import { startCuttableProxy } from '../../test/cuttable-proxy.js';
import { createMemoryBanStore, type BanStore, type StrikeRule } from './ban-store.js';
import { createRedisBanStore } from './redis-ban-store.js';
import { closeRedis, createRedis, waitUntilReady } from './redis.js';

const implementations = memoryAndRedisOnClock<BanStore>({
  memory: (options) => createMemoryBanStore(options),
  redis: (redis, prefix, options) => createRedisBanStore(redis, prefix, options),
});

const minute = 60_000;
/** Three strikes within ten minutes ban for fifteen. */
const rule: StrikeRule = { limit: 3, windowMs: 10 * minute, banMs: 15 * minute };

describe.each(implementations)('BanStore ($name)', (implementation) => {
  let subject: Subject<BanStore>;
  let store: BanStore;
  beforeEach(() => {
    subject = implementation.open();
    store = subject.instance;
  });
  afterEach(() => subject.close());

  it('bans an address at the limit-th strike within the window, and says so once', async () => {
    expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 1 });
    await subject.elapse(minute);
    expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 2 });
    expect(await store.banOf('203.0.113.1')).toBeUndefined();
    const third = await store.strike('203.0.113.1', rule);
    const since = third.started?.since ?? 0;
    expect(third).toEqual({
      strikes: 3,
      started: { ip: '203.0.113.1', since, until: since + rule.banMs, strikes: 3 },
    });
    expect(await store.banOf('203.0.113.1')).toEqual(third.started);
    // While banned, strikes are not counted and start nothing.
    expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 0 });
    expect(await store.list()).toEqual([third.started]);
  });

  it('counts only the strikes within the window', async () => {
    await store.strike('203.0.113.1', rule);
    await store.strike('203.0.113.1', rule);
    await subject.elapse(rule.windowMs);
    expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 1 });
    expect(await store.banOf('203.0.113.1')).toBeUndefined();
  });

  it('ends a ban at its time, and the address starts from no strikes', async () => {
    for (let i = 0; i < 3; i++) await store.strike('203.0.113.1', rule);
    await subject.elapse(rule.banMs - 1);
    expect(await store.banOf('203.0.113.1')).toBeDefined();
    await subject.elapse(1);
    expect(await store.banOf('203.0.113.1')).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 1 });
  });

  it('keeps addresses apart', async () => {
    for (let i = 0; i < 3; i++) await store.strike('203.0.113.1', rule);
    expect(await store.strike('203.0.113.2', rule)).toEqual({ strikes: 1 });
    expect(await store.banOf('203.0.113.2')).toBeUndefined();
    expect((await store.list()).map((ban) => ban.ip)).toEqual(['203.0.113.1']);
  });

  it('lifts a ban and forgets the strikes, returning what it lifted', async () => {
    for (let i = 0; i < 3; i++) await store.strike('2001:db8::1', rule);
    await store.strike('203.0.113.2', rule);
    const ban = await store.banOf('2001:db8::1');
    expect(await store.lift('2001:db8::1')).toEqual(ban);
    expect(await store.banOf('2001:db8::1')).toBeUndefined();
    expect(await store.lift('2001:db8::1')).toBeUndefined();
    expect(await store.strike('2001:db8::1', rule)).toEqual({ strikes: 1 });
    await store.lift('203.0.113.2');
    expect(await store.strike('203.0.113.2', rule)).toEqual({ strikes: 1 });
  });

  it('starts exactly one ban from concurrent strikes', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => store.strike('203.0.113.1', rule)),
    );
    expect(outcomes.filter((outcome) => outcome.started)).toHaveLength(1);
  });
});

describe('createMemoryBanStore', () => {
  it('drops the address tracked longest once full', async () => {
    const store = createMemoryBanStore({ now: () => 0, maxKeys: 2 });
    await store.strike('a', rule);
    await store.strike('b', rule);
    await store.strike('c', rule);
    expect(await store.strike('a', rule)).toEqual({ strikes: 1 });
    expect(await store.strike('c', rule)).toEqual({ strikes: 2 });
  });
});

const redisUrl = testRedisUrl;
if (redisUrl) {
  describe('createRedisBanStore', () => {
    it('shares strikes and bans between processes on one Redis', async () => {
      let now = 1_700_000_000_000;
      const prefix = uniquePrefix();
      const [redisA, redisB] = [createRedis(redisUrl), createRedis(redisUrl)];
      const a = createRedisBanStore(redisA, prefix, { now: () => now });
      const b = createRedisBanStore(redisB, prefix, { now: () => now });
      try {
        await a.strike('203.0.113.1', rule);
        await b.strike('203.0.113.1', rule);
        const third = await a.strike('203.0.113.1', rule);
        expect(third.started).toBeDefined();
        expect(await b.banOf('203.0.113.1')).toEqual(third.started);
        expect(await b.list()).toEqual([third.started]);
        expect(await b.lift('203.0.113.1')).toEqual(third.started);
        expect(await a.banOf('203.0.113.1')).toBeUndefined();
        // The keys expire by themselves: strikes with the window, bans with the longest ban.
        await a.strike('203.0.113.2', rule);
        expect(await redisA.pttl(`${prefix}strikes:203.0.113.2`)).toBeGreaterThan(0);
        for (let i = 0; i < 2; i++) await a.strike('203.0.113.2', rule);
        expect(await redisA.pttl(`${prefix}bans`)).toBeGreaterThan(rule.banMs - 1_000);
        now += rule.banMs;
        expect(await a.list()).toEqual([]);
        expect(await redisA.hlen(`${prefix}bans`)).toBe(0);
      } finally {
        await Promise.all([a.close(), b.close()]);
        await Promise.all([redisA.quit(), redisB.quit()]);
      }
    });

    it('ignores a stored value it cannot read', async () => {
      const prefix = uniquePrefix();
      const redis = createRedis(redisUrl);
      const store = createRedisBanStore(redis, prefix, { now: () => 0 });
      try {
        await redis.hset(`${prefix}bans`, '203.0.113.1', 'garbage');
        expect(await store.banOf('203.0.113.1')).toBeUndefined();
        expect(await store.list()).toEqual([]);
      } finally {
        await store.close();
        await redis.del(`${prefix}bans`);
        await redis.quit();
      }
    });

    it('bans in this process while Redis is unreachable, and in Redis again once it is back', async () => {
      const target = new URL(redisUrl);
      const proxy = await startCuttableProxy({ host: target.hostname, port: Number(target.port) });
      const viaProxy = new URL(redisUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const redis = createRedis(viaProxy.toString());
      redis.on('error', () => {}); // refusals while cut off are the point
      const errors: unknown[] = [];
      const store = createRedisBanStore(redis, uniquePrefix(), {
        now: () => 1_700_000_000_000,
        onError: (error) => errors.push(error),
      });
      try {
        await waitUntilReady(redis, 2_000);
        proxy.cut();
        for (let i = 0; i < 3; i++) await store.strike('203.0.113.1', rule);
        expect(await store.banOf('203.0.113.1')).toBeDefined();
        expect((await store.list()).map((ban) => ban.ip)).toEqual(['203.0.113.1']);
        expect(await store.lift('203.0.113.1')).toBeDefined();
        expect(errors.length).toBeGreaterThan(0);
        proxy.restore();
        expect(await waitUntilReady(redis, 3_000)).toBe(true);
        expect(await store.strike('203.0.113.1', rule)).toEqual({ strikes: 1 });
        expect(await store.list()).toEqual([]);
      } finally {
        await store.close();
        await closeRedis(redis);
        await proxy.close();
      }
    });
  });
}
