import { describe, expect, it } from 'vitest';
import { createDomainEvents, type DomainEvent } from '../events/domain-events.js';
import { createMemoryPubSub, type PubSub } from '../platform/pubsub.js';
import { createLogger } from '../platform/logger.js';
import { createTicketCountsCache } from './counts-cache.js';
import type { TicketCounts } from './schemas.js';

const counts = (open: number): TicketCounts => ({
  open,
  in_progress: 0,
  waiting: 0,
  resolved: 0,
  closed: 0,
  total: open,
});

/** A counter standing in for the database: each computation counts one more open ticket. */
function database() {
  let open = 0;
  return {
    get computed() {
      return open;
    },
    compute: () => {
      open += 1;
      return Promise.resolve(counts(open));
    },
  };
}

const event = (type: DomainEvent['type']) => ({ type }) as DomainEvent;

describe('the ticket counts cache', () => {
  it('answers from memory until a ticket changes, then counts again', async () => {
    const cache = createTicketCountsCache({ now: () => 0 });
    const db = database();
    expect((await cache.get('all', db.compute)).open).toBe(1);
    expect((await cache.get('all', db.compute)).open).toBe(1);
    expect((await cache.get('own:u1', db.compute)).open).toBe(2);
    cache.clear();
    expect((await cache.get('all', db.compute)).open).toBe(3);
    expect(db.computed).toBe(3);
  });

  it('counts once for callers asking at the same time', async () => {
    const cache = createTicketCountsCache({ now: () => 0 });
    const db = database();
    const answers = await Promise.all([1, 2, 3].map(() => cache.get('all', db.compute)));
    expect(answers.map((answer) => answer.open)).toEqual([1, 1, 1]);
    expect(db.computed).toBe(1);
  });

  it('does not keep counts that a change overtook while they were being counted', async () => {
    const cache = createTicketCountsCache({ now: () => 0 });
    let finish: (value: TicketCounts) => void = () => {};
    const slow = cache.get('all', () => new Promise((resolve) => (finish = resolve)));
    cache.clear();
    finish(counts(1));
    expect((await slow).open).toBe(1);
    expect((await cache.get('all', () => Promise.resolve(counts(2)))).open).toBe(2);
  });

  it('counts again after the time-to-live, in case a change went unheard', async () => {
    let now = 0;
    const cache = createTicketCountsCache({ now: () => now, ttlMs: 30_000 });
    const db = database();
    await cache.get('all', db.compute);
    now = 29_999;
    expect((await cache.get('all', db.compute)).open).toBe(1);
    now = 30_000;
    expect((await cache.get('all', db.compute)).open).toBe(2);
  });

  it('keeps no failed count', async () => {
    const cache = createTicketCountsCache({ now: () => 0 });
    await expect(cache.get('all', () => Promise.reject(new Error('away')))).rejects.toThrow('away');
    expect((await cache.get('all', () => Promise.resolve(counts(5)))).open).toBe(5);
  });

  it('keeps at most its bound of entries, dropping the oldest', async () => {
    const cache = createTicketCountsCache({ now: () => 0, maxEntries: 2 });
    const db = database();
    await cache.get('a', db.compute);
    await cache.get('b', db.compute);
    await cache.get('c', db.compute);
    expect((await cache.get('c', db.compute)).open).toBe(3);
    expect((await cache.get('a', db.compute)).open).toBe(4);
  });

  it('empties on the ticket events of every process and when pub/sub comes back', async () => {
    const pubsub = createMemoryPubSub();
    let reconnect: () => void = () => {};
    const watched: PubSub = {
      ...pubsub,
      onReconnect: (listener) => {
        reconnect = listener;
        return () => {};
      },
    };
    const events = createDomainEvents({ pubsub, logger: createLogger('silent') });
    const cache = createTicketCountsCache({ now: () => 0 });
    const stop = await cache.follow(events, watched);
    const db = database();
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

    await cache.get('all', db.compute);
    await events.publish([event('message.created'), event('notification.created')]);
    await settle();
    expect((await cache.get('all', db.compute)).open).toBe(1);

    await events.publish([event('ticket.status_changed')]);
    await settle();
    expect((await cache.get('all', db.compute)).open).toBe(2);

    reconnect();
    expect((await cache.get('all', db.compute)).open).toBe(3);

    await stop();
    await events.publish([event('ticket.created')]);
    await settle();
    expect((await cache.get('all', db.compute)).open).toBe(3);
  });
});
