import { setNewest } from './bounded-map.js';
/**
 * A key-value cache of JSON values with a time to live. Values come back as their JSON round trip
 * (a `Date` comes back as a string), in both implementations.
 */
export interface Cache {
  /** The value stored under `key`, or `undefined` when it is missing or has expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` (JSON-serialisable) under `key` for `ttlSeconds` seconds. */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Removes every one of `keys`; missing keys are ignored. */
  delete(...keys: string[]): Promise<void>;
  /** Releases what the cache holds. A Redis connection it was given stays open. */
  close(): Promise<void>;
}

/** Options for {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** The time source in milliseconds; tests pass a fake one. */
  now?: () => number;
  /** How many entries are kept before the oldest is evicted. */
  maxEntries?: number;
}

interface MemoryEntry {
  json: string;
  expiresAt: number;
}

/** An in-process cache for one process: bounded, evicting the least recently written entry. */
export function createMemoryCache(options: MemoryCacheOptions = {}): Cache {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  // A Map iterates in insertion order; re-inserting on every write keeps the oldest first.
  const entries = new Map<string, MemoryEntry>();

  // Work runs inside a promise so a bad value rejects, as it does with Redis, instead of throwing.
  return {
    get<T>(key: string): Promise<T | undefined> {
      return settle(() => {
        const entry = entries.get(key);
        if (!entry) return undefined;
        if (entry.expiresAt <= now()) {
          entries.delete(key);
          return undefined;
        }
        return JSON.parse(entry.json) as T;
      });
    },
    set(key, value, ttlSeconds) {
      return settle(() => {
        const expiresAt = now() + ttlInMs(ttlSeconds);
        const json = encode(value);
        setNewest(entries, key, { json, expiresAt }, maxEntries);
      });
    },
    delete(...keys) {
      return settle(() => {
        for (const key of keys) entries.delete(key);
      });
    },
    close() {
      return settle(() => entries.clear());
    },
  };
}

/** The JSON form of a cache value; refuses what JSON cannot hold. */
export function encode(value: unknown): string {
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) throw new TypeError('A cache value must be JSON-serialisable');
  return json;
}

/** A TTL in whole milliseconds; refuses one that is not a positive number. */
export function ttlInMs(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`A cache TTL must be a positive number of seconds, got ${ttlSeconds}`);
  }
  return Math.ceil(ttlSeconds * 1000);
}

function settle<T>(work: () => T): Promise<T> {
  return Promise.resolve().then(work);
}
