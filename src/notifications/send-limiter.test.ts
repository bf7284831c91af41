import { describe, expect, it } from 'vitest';
import { busiestSecond } from '../../test/busiest-second.js';
import { createMemoryCache } from '../platform/cache.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import { createSendLimiter } from './send-limiter.js';

describe('the Telegram send limiter', () => {
  it('spaces sends evenly at `perSecond`', async () => {
    const store = createMemoryRateLimitStore();
    const limiter = createSendLimiter({ store, cache: createMemoryCache(), perSecond: 5 });
    const started = Date.now();
    for (let i = 0; i < 6; i += 1) await limiter.acquire();
    // Five gaps of 210 ms: the sixth send is a second after the first, not sooner.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('never lets more than `perSecond` through in any second, even across window edges', async () => {
    const limiter = createSendLimiter({
      store: createMemoryRateLimitStore(),
      cache: createMemoryCache(),
      perSecond: 10,
    });
    const sentAt: number[] = [];
    const take = async () => {
      await limiter.acquire();
      sentAt.push(Date.now());
    };
    await take();
    await new Promise((resolve) => setTimeout(resolve, 800));
    await Promise.all(Array.from({ length: 30 }, take));
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(10);
    // Still about the rate it is given, not much slower.
    expect((sentAt.at(-1) ?? 0) - (sentAt[0] ?? 0)).toBeLessThan(4200);
  });

  it('holds every sender sharing the cache during a pause', async () => {
    const store = createMemoryRateLimitStore();
    const cache = createMemoryCache();
    const one = createSendLimiter({ store, cache, perSecond: 100 });
    const other = createSendLimiter({ store, cache, perSecond: 100 });
    await one.pause(1);
    const started = Date.now();
    await other.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
