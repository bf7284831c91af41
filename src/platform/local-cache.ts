import { setNewest } from './bounded-map.js';

/** What a local cache needs to know about time, size and the other processes. */
export interface LocalCacheOptions {
  /** Milliseconds since the epoch, from the application's clock. */
  now: () => number;
  /**
   * True while every process's changes reach this one (pub/sub connected). While false nothing
   * is kept: every `get` reads.
   */
  live: () => boolean;
  /** The longest an entry is used: the bound on a change whose announcement was lost. */
  ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries: number;
  /** `forget` drops the entry once more after this long (a late write-back elsewhere). */
  againAfterMs: number;
}

/**
 * Values kept in this process's memory in front of a slower read, dropped by whoever knows they
 * changed (`forget`, `clear`). Concurrent readers of one key share one read.
 */
export interface LocalCache<T> {
  /** The value under `key`, read by `read` when absent, older than the time to live, or not live. */
  get(key: string, read: () => Promise<T | undefined>): Promise<T | undefined>;
  /** Drops the entry now, a read under way included, and again `againAfterMs` later. */
  forget(key: string): void;
  /** Drops every entry. */
  clear(): void;
}

interface Entry<T> {
  at: number;
  value: Promise<T | undefined>;
}

/** Creates an empty local cache. */
export function createLocalCache<T>(options: LocalCacheOptions): LocalCache<T> {
  const { now, live, ttlMs, maxEntries, againAfterMs } = options;
  const kept = new Map<string, Entry<T>>();
  return {
    get(key, read) {
      if (!live()) {
        // What is kept may have changed elsewhere unannounced: start afresh once live again.
        kept.clear();
        return read();
      }
      const found = kept.get(key);
      if (found && now() - found.at < ttlMs) return found.value;
      const entry: Entry<T> = { at: now(), value: read() };
      setNewest(kept, key, entry, maxEntries);
      entry.value.catch(() => {
        if (kept.get(key) === entry) kept.delete(key);
      });
      return entry.value;
    },
    forget(key) {
      kept.delete(key);
      setTimeout(() => kept.delete(key), againAfterMs).unref();
    },
    clear() {
      kept.clear();
    },
  };
}
