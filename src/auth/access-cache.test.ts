import { describe, expect, it } from 'vitest';
import { accessChanged, createDomainEvents } from '../events/domain-events.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryPubSub, type PubSub } from '../platform/pubsub.js';
import type { UserAccess } from '../users/service.js';
import { createAccessCache, type SessionState } from './access-cache.js';

const at = new Date(0);
const userId = '01a20d14-0000-7000-8000-000000000001';
const sessionId = '01a20d14-0000-7000-8000-0000000000aa';

/** A stand-in for the shared cache and database: each read returns a new version. */
function source<T>(make: (version: number) => T) {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: () => {
      reads += 1;
      return Promise.resolve(make(reads));
    },
  };
}

const accessOf = (version: number): UserAccess => ({
  id: userId,
  role: version === 1 ? 'user' : 'agent',
  is_active: true,
});
const sessionOf = (version: number): SessionState => ({
  user_id: userId,
  revoked: version > 1,
  expires_at: 1_000_000,
});

/** An access cache following a memory pub/sub whose reconnection the test can announce. */
async function following(options: { live?: () => boolean; now?: () => number } = {}) {
  const pubsub = createMemoryPubSub();
  const reconnects = new Set<() => void>();
  const watched: PubSub = {
    ...pubsub,
    onReconnect(listener) {
      reconnects.add(listener);
      return () => reconnects.delete(listener);
    },
  };
  const events = createDomainEvents({ pubsub: watched, logger: createLogger('silent') });
  const cache = createAccessCache({
    now: options.now ?? (() => 0),
    live: options.live ?? (() => true),
  });
  const stop = await cache.follow(events, watched);
  const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    cache,
    events,
    stop,
    settled,
    reconnect: () => {
      for (const listener of reconnects) listener();
    },
  };
}

describe('the access cache', () => {
  it('answers from memory until the user’s access changes in any process, then reads again', async () => {
    const { cache, events, stop, settled } = await following();
    const access = source(accessOf);
    expect((await cache.access.get(userId, access.read))?.role).toBe('user');
    expect((await cache.access.get(userId, access.read))?.role).toBe('user');
    expect(access.reads).toBe(1);
    await events.publish([accessChanged({ id: userId, role: 'agent', is_active: true }, null, at)]);
    await settled();
    expect((await cache.access.get(userId, access.read))?.role).toBe('agent');
    expect(access.reads).toBe(2);
    await stop();
  });

  it('drops a session revoked in any process, and the user’s access with it', async () => {
    const { cache, events, stop, settled } = await following();
    const session = source(sessionOf);
    const access = source(accessOf);
    await cache.sessions.get(sessionId, session.read);
    await cache.access.get(userId, access.read);
    await events.publish([
      accessChanged({ id: userId, revoked_session_id: sessionId }, userId, at),
    ]);
    await settled();
    expect((await cache.sessions.get(sessionId, session.read))?.revoked).toBe(true);
    expect(access.reads).toBe(1);
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(2);
    await stop();
  });

  it('keeps nothing while other processes cannot reach it, and forgets everything when they can again', async () => {
    let live = true;
    const { cache, stop, reconnect } = await following({ live: () => live });
    const access = source(accessOf);
    await cache.access.get(userId, access.read);
    live = false;
    await cache.access.get(userId, access.read);
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(3);
    live = true;
    await cache.access.get(userId, access.read);
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(4);
    reconnect();
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(5);
    await stop();
  });

  it('reads again after its time to live, the bound on a lost announcement', async () => {
    let now = 0;
    const { cache, stop } = await following({ now: () => now });
    const access = source(accessOf);
    await cache.access.get(userId, access.read);
    now = 29_999;
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(1);
    now = 30_000;
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(2);
    await stop();
  });

  it('drops a forgotten entry a second time, after a late write-back elsewhere', async () => {
    const { cache, stop } = await following();
    const access = source(accessOf);
    await cache.access.get(userId, access.read);
    cache.access.forget(userId);
    // A request that read the old row before the change committed brings it back meanwhile.
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await cache.access.get(userId, access.read);
    expect(access.reads).toBe(3);
    await stop();
  });
});
