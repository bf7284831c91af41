import type { Clock } from '../src/platform/clock.js';

/** A clock a test moves by hand, so what it checks never depends on the wall clock. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Moves the clock to `iso`, forward or back. */
  set(iso: string): void;
}

/** A manual clock standing at `start` (an ISO time) until it is advanced. */
export function manualClock(start: string): ManualClock {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
    set(iso) {
      now = new Date(iso).getTime();
    },
  };
}
