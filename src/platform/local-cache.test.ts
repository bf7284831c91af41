import { describe, expect, it } from 'vitest';
import { createLocalCache, type LocalCacheOptions } from './local-cache.js';

/** A read the test finishes when it wants, counting how many were started. */
function controlledReads() {
  const pending: ((value: string) => void)[] = [];
  let started = 0;
  return {
    read: () =>
      new Promise<string | undefined>((resolve) => {
        started += 1;
        pending.push(resolve);
      }),
    finish: (value: string) => pending.shift()?.(value),
    started: () => started,
  };
}

const options = (extra: Partial<LocalCacheOptions> = {}): LocalCacheOptions => ({
  now: () => 0,
  live: () => true,
  ttlMs: 1_000,
  maxEntries: 10,
  againAfterMs: 10_000,
  ...extra,
});

describe('a local cache', () => {
  it('shares one read among concurrent readers by default', async () => {
    const cache = createLocalCache<string>(options());
    const reads = controlledReads();
    const both = Promise.all([cache.get('k', reads.read), cache.get('k', reads.read)]);
    reads.finish('v1');
    expect(await both).toEqual(['v1', 'v1']);
    expect(reads.started()).toBe(1);
  });

  it('with shareReads false, a reader never waits on another’s read under way', async () => {
    const cache = createLocalCache<string>(options({ shareReads: false }));
    const reads = controlledReads();
    const first = cache.get('k', reads.read);
    const second = cache.get('k', reads.read);
    expect(reads.started()).toBe(2);
    reads.finish('a');
    reads.finish('b');
    expect([await first, await second]).toEqual(['a', 'b']);
    // The finished read is kept: the next reader starts none.
    expect(await cache.get('k', reads.read)).toBe('b');
    expect(reads.started()).toBe(2);
  });

  it('with shareReads false, a read that a forget overtook is not kept', async () => {
    const cache = createLocalCache<string>(options({ shareReads: false }));
    const reads = controlledReads();
    const stale = cache.get('k', reads.read);
    cache.forget('k');
    reads.finish('before the change');
    expect(await stale).toBe('before the change');
    const fresh = cache.get('k', reads.read);
    reads.finish('after the change');
    expect(await fresh).toBe('after the change');
    expect(reads.started()).toBe(2);
  });

  it('with shareReads false, a failed read is not kept', async () => {
    const cache = createLocalCache<string>(options({ shareReads: false }));
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve('up'))).toBe('up');
  });

  it('keeps nothing while not live', async () => {
    let live = false;
    const cache = createLocalCache<string>(options({ live: () => live }));
    let reads = 0;
    const read = () => Promise.resolve(`read ${String(++reads)}`);
    expect(await cache.get('k', read)).toBe('read 1');
    expect(await cache.get('k', read)).toBe('read 2');
    live = true;
    expect(await cache.get('k', read)).toBe('read 3');
    expect(await cache.get('k', read)).toBe('read 3');
  });
});
