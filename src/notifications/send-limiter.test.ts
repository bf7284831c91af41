import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { busiestSecond } from '../../test/busiest-second.js';
import { createMemoryCache } from '../platform/cache.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import { createSendLimiter } from './send-limiter.js';

// On fake timers and a fake Date: the pace is the limiter's, whatever else the machine is doing.
describe('the Telegram send limiter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_790_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs `work` while the fake clock moves on, and resolves with its result. */
  async function whileTimePasses<T>(work: Promise<T>, ms = 10_000): Promise<T> {
    await vi.advanceTimersByTimeAsync(ms);
    return work;
  }

  it('spaces sends evenly at `perSecond`', async () => {
    const store = createMemoryRateLimitStore();
    const limiter = createSendLimiter({ store, cache: createMemoryCache(), perSecond: 5 });
    const started = Date.now();
    const sentAt: number[] = [];
    const sends = (async () => {
      for (let i = 0; i < 6; i += 1) {
        await limiter.acquire();
        sentAt.push(Date.now() - started);
      }
    })();
    await whileTimePasses(sends);
    // Five gaps of 210 ms: the sixth send is a second after the first, not sooner.
    expect(sentAt).toEqual([0, 210, 420, 630, 840, 1050]);
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
    await vi.advanceTimersByTimeAsync(800);
    await whileTimePasses(Promise.all(Array.from({ length: 30 }, take)));
    expect(sentAt).toHaveLength(31);
    expect(busiestSecond(sentAt)).toBeLessThanOrEqual(10);
    // At the rate it is given, no slot left unused: the 800 ms wait, then 30 slots of 105 ms.
    expect((sentAt.at(-1) ?? 0) - (sentAt[0] ?? 0)).toBeLessThanOrEqual(800 + 30 * 105);
  });

  it('holds every sender sharing the cache during a pause', async () => {
    const store = createMemoryRateLimitStore();
    const cache = createMemoryCache();
    const one = createSendLimiter({ store, cache, perSecond: 100 });
    const other = createSendLimiter({ store, cache, perSecond: 100 });
    await one.pause(1);
    const started = Date.now();
    const acquiredAt = await whileTimePasses(other.acquire().then(() => Date.now()));
    expect(acquiredAt - started).toBeGreaterThanOrEqual(1000);
    expect(acquiredAt - started).toBeLessThan(1200);
  });
});
