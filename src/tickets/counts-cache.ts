import type { DomainEvents } from '../events/domain-events.js';
import { createLocalCache } from '../platform/local-cache.js';
import type { PubSub } from '../platform/pubsub.js';
import type { TicketCounts } from './schemas.js';

/** What the cache needs to know about time and size. */
export interface TicketCountsCacheOptions {
  /** Milliseconds since the epoch, from the application's clock. */
  now: () => number;
  /** The longest an entry is used: the bound on a change whose event was lost. */
  ttlMs?: number;
  /** Entries kept at most (one per caller scope and filters); the oldest go first. */
  maxEntries?: number;
}

/**
 * Ticket counts by status, kept in this process until a ticket changes anywhere
 * (docs/architecture.md, "Caching"). Every dashboard reads the counts on each refresh, and they
 * change only when a ticket is opened, moved, assigned, edited or deleted, while counting the
 * staff's view reads every ticket (bench/scale.ts). A hit costs no round trip: entries live in
 * memory, not in Redis, and are emptied by this process's own ticket changes at commit, by the
 * ticket events of every process (domain events over pub/sub), when pub/sub comes back after a
 * loss (events may have been missed), and after `ttlMs` in any case (publishing is best effort).
 */
export interface TicketCountsCache {
  /** The counts under `key`, computed by `compute` when absent or stale (one computation at once). */
  get(key: string, compute: () => Promise<TicketCounts>): Promise<TicketCounts>;
  /** Forgets every entry: a ticket changed. */
  clear(): void;
  /** Starts emptying on other processes' ticket changes; resolves to the stop. */
  follow(events: DomainEvents, pubsub: PubSub): Promise<() => Promise<void>>;
}

/** Creates an empty ticket counts cache: a local cache (`platform/local-cache.ts`) of one key per scope. */
export function createTicketCountsCache(options: TicketCountsCacheOptions): TicketCountsCache {
  const kept = createLocalCache<TicketCounts>({
    now: options.now,
    // Emptied by every process's ticket events and on reconnect, so always worth keeping.
    live: () => true,
    ttlMs: options.ttlMs ?? 30_000,
    maxEntries: options.maxEntries ?? 10_000,
    // A computation under way when a ticket changed is dropped with `clear`; nothing writes back.
    againAfterMs: 0,
  });
  const clear = () => kept.clear();
  return {
    get: (key, compute) => kept.get(key, compute) as Promise<TicketCounts>,
    clear,
    async follow(events, pubsub) {
      const stopEvents = await events.subscribe((event) => {
        if (event.type.startsWith('ticket.')) clear();
      });
      const stopReconnect = pubsub.onReconnect(clear);
      return async () => {
        stopReconnect();
        await stopEvents();
      };
    },
  };
}
