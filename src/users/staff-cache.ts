import { createLocalCache } from '../platform/local-cache.js';
import type { PubSub } from '../platform/pubsub.js';

/** Announced by the process that changed someone's staff profile, so every process drops its copy. */
export const staffChangedChannel = 'users.staff_changed';

/** The longest a copy is used: the bound on a change whose announcement was lost. */
const TTL_MS = 30_000;
/** The second drop after a change: past a read that started before it committed. */
const SECOND_DROP_MS = 500;

const key = 'active-staff';

/**
 * The active staff's delivery profiles (who hears of every new ticket and follow-up) kept in
 * this process's memory while every process's changes reach it, in front of the read each new
 * ticket and message made in its transaction. The users service, the only writer of `users`,
 * calls `changed` once a change of role, block state, language, notification settings, duty or
 * reachability has committed; every process drops its copy then, all of it when pub/sub comes
 * back after a loss, and after 30 s in any case.
 */
export interface StaffCache<T> {
  /** The kept list, or `read`'s (in the caller's transaction: never shared with another caller). */
  get(read: () => Promise<T>): Promise<T>;
  /** Drops every process's copy; call once the change has committed. */
  changed(): Promise<void>;
  /** Starts dropping on every process's announcement; resolves to the stop. */
  follow(): Promise<() => Promise<void>>;
}

/** Creates an empty staff cache; without `pubsub` nothing is kept (every `get` reads). */
export function createStaffCache<T>(deps: {
  now: () => number;
  pubsub?: PubSub;
  /** True while pub/sub reaches the other processes. */
  live?: () => boolean;
}): StaffCache<T> {
  const { pubsub } = deps;
  const live = deps.live ?? (() => true);
  // A finished read only, never one under way: the caller's transaction could be waiting behind
  // it (PGlite's one session), and a read inside a transaction sees that transaction's changes.
  const local = createLocalCache<T>({
    now: deps.now,
    live: () => pubsub !== undefined && live(),
    ttlMs: TTL_MS,
    maxEntries: 1,
    againAfterMs: SECOND_DROP_MS,
    shareReads: false,
  });
  const drop = () => local.forget(key);
  return {
    get: (read) => local.get(key, read) as Promise<T>,
    async changed() {
      drop();
      await pubsub?.publish(staffChangedChannel, {});
    },
    async follow() {
      if (!pubsub) return () => Promise.resolve();
      const stopChanges = await pubsub.subscribe(staffChangedChannel, drop);
      const stopReconnect = pubsub.onReconnect(drop);
      return async () => {
        stopReconnect();
        await stopChanges();
      };
    },
  };
}
