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
  /**
   * False: a read under way is not shared, and only a finished one is kept (if no `forget` or
   * `clear` came while it ran). For reads made inside a caller's transaction: on PGlite's one
   * session, a caller in a transaction waiting on another's read outside it would wait forever.
   * Default true: concurrent readers of one key share one read.
   */
  shareReads?: boolean;
}

/**
 * Values kept in this process's memory in front of a slower read, dropped by whoever knows they
 * changed (`forget`, `clear`). Concurrent readers of one key share one read (unless `shareReads`
 * is false).
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
  const { now, live, ttlMs, maxEntries, againAfterMs, shareReads = true } = options;
  const kept = new Map<string, Entry<T>>();
  // Bumped by every drop: a read that started before it is not kept (`shareReads: false`).
  let generation = 0;
  const drop = (key?: string) => {
    if (key === undefined) kept.clear();
    else kept.delete(key);
    generation += 1;
  };

  /** Reads without sharing the read; keeps the value once read unless dropped meanwhile. */
  function readSettled(key: string, read: () => Promise<T | undefined>) {
    const started = generation;
    const at = now();
    const value = read();
    value.then(
      () => {
        if (generation === started) setNewest(kept, key, { at, value }, maxEntries);
      },
      () => {
        // The caller has the failure; nothing is kept.
      },
    );
    return value;
  }

  return {
    get(key, read) {
      if (!live()) {
        // What is kept may have changed elsewhere unannounced: start afresh once live again.
        drop();
        return read();
      }
      const found = kept.get(key);
      if (found && now() - found.at < ttlMs) return found.value;
      if (!shareReads) return readSettled(key, read);
      const entry: Entry<T> = { at: now(), value: read() };
      setNewest(kept, key, entry, maxEntries);
      entry.value.catch(() => {
        if (kept.get(key) === entry) kept.delete(key);
      });
      return entry.value;
    },
    forget(key) {
      drop(key);
      setTimeout(() => drop(key), againAfterMs).unref();
    },
    clear() {
      drop();
    },
  };
}
