import { setNewest } from './bounded-map.js';

/** A client address refused for a while. Times are milliseconds since the epoch. */
export interface Ban {
  ip: string;
  /** When the strike that started it was counted. */
  since: number;
  /** When it ends. */
  until: number;
  /** Strikes counted in the window that led to it. */
  strikes: number;
}

/** When strikes turn into a ban: `limit` strikes within `windowMs` ban for `banMs`. */
export interface StrikeRule {
  limit: number;
  windowMs: number;
  banMs: number;
}

/** What a strike did: the strikes now in the window, and the ban it started, if it did. */
export interface StrikeOutcome {
  strikes: number;
  /** Set only for the one strike that started the ban (in whichever process counted it). */
  started?: Ban;
}

/**
 * Strikes against client addresses and the bans they lead to. Time comes from the clock the store
 * was made with (never from Redis's own), so a test's clock moves bans and windows in both
 * adapters; Redis's expiry only clears what has ended anyway.
 */
export interface BanStore {
  /**
   * Counts a strike against `ip`. The strike that makes `rule.limit` within `rule.windowMs` bans
   * it for `rule.banMs` and forgets its strikes. An address already banned is not counted.
   */
  strike(ip: string, rule: StrikeRule): Promise<StrikeOutcome>;
  /** The ban in force on `ip` now, if any. */
  banOf(ip: string): Promise<Ban | undefined>;
  /** Every ban in force now. */
  list(): Promise<Ban[]>;
  /** Ends `ip`'s ban now and forgets its strikes; the ban it ended, if there was one. */
  lift(ip: string): Promise<Ban | undefined>;
  /** Releases what the store holds. A Redis connection it was given stays open. */
  close(): Promise<void>;
}

/** Options for {@link createMemoryBanStore}. */
export interface MemoryBanStoreOptions {
  /** The time in milliseconds: the container's clock; tests pass their own. */
  now: () => number;
  /** How many addresses are tracked (strikes, and bans apart) before the oldest is dropped. */
  maxKeys?: number;
}

/** Strikes and bans of one process, bounded in size. */
export function createMemoryBanStore(options: MemoryBanStoreOptions): BanStore {
  const { now } = options;
  const maxKeys = options.maxKeys ?? 100_000;
  // Times of each address's strikes in its window, oldest first; insertion order is age order.
  const strikes = new Map<string, number[]>();
  const bans = new Map<string, Ban>();

  function current(ip: string, at: number): Ban | undefined {
    const ban = bans.get(ip);
    if (ban && ban.until <= at) bans.delete(ip);
    return ban && ban.until > at ? ban : undefined;
  }

  return {
    strike(ip, rule) {
      const at = now();
      if (current(ip, at)) return Promise.resolve({ strikes: 0 });
      const times = (strikes.get(ip) ?? []).filter((time) => time > at - rule.windowMs);
      times.push(at);
      if (times.length < rule.limit) {
        setNewest(strikes, ip, times, maxKeys);
        return Promise.resolve({ strikes: times.length });
      }
      strikes.delete(ip);
      const ban: Ban = { ip, since: at, until: at + rule.banMs, strikes: times.length };
      setNewest(bans, ip, ban, maxKeys);
      return Promise.resolve({ strikes: times.length, started: ban });
    },
    banOf(ip) {
      return Promise.resolve(current(ip, now()));
    },
    list() {
      const at = now();
      return Promise.resolve([...bans.keys()].flatMap((ip) => current(ip, at) ?? []));
    },
    lift(ip) {
      const ban = current(ip, now());
      bans.delete(ip);
      strikes.delete(ip);
      return Promise.resolve(ban);
    },
    close() {
      strikes.clear();
      bans.clear();
      return Promise.resolve();
    },
  };
}
