import type { Cache } from '../platform/cache.js';
import type { RateLimitStore } from '../platform/rate-limit-store.js';

/** The shared pace of Telegram sends: a rate, and a pause after Telegram's flood limit. */
export interface SendLimiter {
  /** Resolves when one more message may go out now. */
  acquire(): Promise<void>;
  /** Stops every sender for `seconds` (Telegram answered 429 with this `retry_after`). */
  pause(seconds: number): Promise<void>;
}

/** Waits `ms` on the global timer (which a test's fake timers drive). */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The cache key of the shared pause: the instant (ms) sends may start again. */
export const pauseKey = 'notify:paused-until';
const slotKey = 'notify:send-slot';

/**
 * Paces sends over the rate-limit store and cache ports: one send per slot and one pause flag,
 * shared by every worker process when Redis is configured (per process otherwise), so several
 * workers together stay under `perSecond`, and one 429 pauses them all.
 *
 * A slot is a fixed window that admits one send and is 5% longer than `1000 / perSecond` ms, so
 * any second holds at most `perSecond` sends even when network jitter bunches them up on the way
 * to Telegram. (A one-second window admitting `perSecond` would let twice that through across
 * the edge of two windows.)
 */
export function createSendLimiter(deps: {
  store: RateLimitStore;
  cache: Cache;
  perSecond: number;
  now?: () => number;
}): SendLimiter {
  const { store, cache, perSecond } = deps;
  const slotMs = Math.ceil(1050 / perSecond);
  const now = deps.now ?? Date.now;
  /** This process's copy of the pause, so a paused worker does not ask the cache each time. */
  let pausedUntil = 0;

  async function waitForPause(): Promise<void> {
    for (;;) {
      const shared = (await cache.get<number>(pauseKey)) ?? 0;
      pausedUntil = Math.max(pausedUntil, shared);
      const left = pausedUntil - now();
      if (left <= 0) return;
      await sleep(left);
    }
  }

  return {
    async acquire() {
      for (;;) {
        await waitForPause();
        const hit = await store.hit(slotKey, slotMs);
        if (hit.count === 1) return;
        await sleep(Math.max(hit.resetInMs, 1));
      }
    },
    async pause(seconds) {
      const until = now() + seconds * 1000;
      pausedUntil = Math.max(pausedUntil, until);
      await cache.set(pauseKey, pausedUntil, seconds + 1);
    },
  };
}
