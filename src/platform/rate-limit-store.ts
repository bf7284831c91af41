import { setNewest } from './bounded-map.js';
/** Where a key stands after a hit: hits so far in this window, and when the window ends. */
export interface RateLimitHit {
  count: number;
  resetInMs: number;
}

/** Fixed-window hit counters: a key's window starts at its first hit and lasts `windowMs`. */
export interface RateLimitStore {
  /** Counts one hit for `key` in the current window. */
  hit(key: string, windowMs: number): Promise<RateLimitHit>;
  /** Forgets `key`, so its next hit starts a new window. */
  reset(key: string): Promise<void>;
  /** Releases what the store holds. A Redis connection it was given stays open. */
  close(): Promise<void>;
}

/** Options for {@link createMemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** The time source in milliseconds; tests pass a fake one. */
  now?: () => number;
  /** How many keys are tracked before the one whose window started first is dropped. */
  maxKeys?: number;
}

interface Window {
  count: number;
  endsAt: number;
}

/** Counters for one process, bounded in size. */
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): RateLimitStore {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  // Insertion order is window-start order, because a new window re-inserts its key.
  const windows = new Map<string, Window>();

  return {
    hit(key, windowMs) {
      return new Promise((resolve) => {
        checkWindow(windowMs);
        const at = now();
        let window = windows.get(key);
        if (!window || window.endsAt <= at) {
          window = { count: 0, endsAt: at + windowMs };
          setNewest(windows, key, window, maxKeys);
        }
        window.count += 1;
        resolve({ count: window.count, resetInMs: window.endsAt - at });
      });
    },
    reset(key) {
      windows.delete(key);
      return Promise.resolve();
    },
    close() {
      windows.clear();
      return Promise.resolve();
    },
  };
}

/** Refuses a window that is not a positive whole number of milliseconds. */
export function checkWindow(windowMs: number): void {
  if (!Number.isInteger(windowMs) || windowMs <= 0) {
    throw new RangeError(
      `A rate-limit window must be a positive whole number of ms, got ${windowMs}`,
    );
  }
}
