/** The time source; tests pass a fixed or moving one instead of the wall clock. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
