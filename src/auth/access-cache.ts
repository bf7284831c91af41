import type { DomainEvents } from '../events/domain-events.js';
import { createLocalCache, type LocalCache } from '../platform/local-cache.js';
import type { PubSub } from '../platform/pubsub.js';
import type { UserAccess } from '../users/service.js';

/** What every request's check needs to know of its session. */
export interface SessionState {
  user_id: string;
  revoked: boolean;
  expires_at: number;
}

/**
 * Session states and users' access (role, block state) kept in this process's memory, in front
 * of the shared cache, for the check every signed-in request makes (docs/architecture.md,
 * "Caching"). An entry is dropped by this process's own change once it has committed (the auth
 * and users services `forget` it), by every process's `user.access_changed` over pub/sub, all
 * of them when pub/sub comes back after a loss, and after `ttlMs` in any case. While pub/sub is
 * cut off nothing is kept: every check reads the shared cache or the database, as before.
 */
export interface AccessCache {
  sessions: LocalCache<SessionState>;
  access: LocalCache<UserAccess>;
  /** Starts forgetting on every process's access changes; resolves to the stop. */
  follow(events: DomainEvents, pubsub: PubSub): Promise<() => Promise<void>>;
}

/** Creates an empty access cache; `live` says whether pub/sub reaches the other processes. */
export function createAccessCache(options: {
  now: () => number;
  live: () => boolean;
  /** The bound on a change whose announcement was lost. */
  ttlMs?: number;
}): AccessCache {
  const settings = {
    now: options.now,
    live: options.live,
    ttlMs: options.ttlMs ?? 30_000,
    maxEntries: 100_000,
    // Past the users service's second drop of the shared entry (250 ms after the first).
    againAfterMs: 500,
  };
  const sessions = createLocalCache<SessionState>(settings);
  const access = createLocalCache<UserAccess>(settings);
  return {
    sessions,
    access,
    async follow(events, pubsub) {
      const stopEvents = await events.subscribe((event) => {
        if (event.type !== 'user.access_changed' || !event.user_id) return;
        access.forget(event.user_id);
        if ('revoked_session_id' in event.data) sessions.forget(event.data.revoked_session_id);
      });
      const stopReconnect = pubsub.onReconnect(() => {
        sessions.clear();
        access.clear();
      });
      return async () => {
        stopReconnect();
        await stopEvents();
      };
    },
  };
}
