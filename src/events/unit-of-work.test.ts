import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from '../db/client.js';
import { categories } from '../db/schema.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryPubSub } from '../platform/pubsub.js';
import {
  createDomainEvents,
  type AccessChangedEvent,
  type DomainEvent,
  type DomainEvents,
} from './domain-events.js';
import { createUnitOfWork, type UnitOfWork, type Work } from './unit-of-work.js';

/** An event to raise: one user's session revoked. */
function revoked(userId: string): AccessChangedEvent {
  return {
    type: 'user.access_changed',
    ticket_id: null,
    ticket_user_id: null,
    user_id: userId,
    actor_id: userId,
    is_internal: false,
    occurred_at: '2026-11-24T10:00:00.000Z',
    data: { id: userId, revoked_session_id: 's1' },
  };
}

describe('the unit of work', () => {
  let database: Database;
  let uow: UnitOfWork;
  /** What happened after the transactions, in order: steps run and batches published. */
  let log: string[];
  /** Each `publish` call's events, and whether the change's row was visible outside by then. */
  let batches: { events: DomainEvent[]; committed: boolean }[];
  let categoryName: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    const logger = createLogger('silent');
    const real = createDomainEvents({ pubsub: createMemoryPubSub(), logger });
    const recording: DomainEvents = {
      async publish(events) {
        const [row] = await database.db
          .select({ id: categories.id })
          .from(categories)
          .where(eq(categories.name, categoryName));
        batches.push({ events: [...events], committed: row !== undefined });
        log.push(`published ${events.length}`);
        await real.publish(events);
      },
      subscribe: (handler) => real.subscribe(handler),
    };
    uow = createUnitOfWork({ db: database.db, events: recording, logger });
  });
  afterAll(() => database.close());
  beforeEach(() => {
    log = [];
    batches = [];
    categoryName = `Category ${Math.random().toString(36).slice(2, 8)}`;
  });

  /** Writes a row in the change's transaction, so a test can tell whether it committed. */
  const addCategory = (work: Work) => work.tx.insert(categories).values({ name: categoryName });

  it('publishes the raised events in one batch, in order, once the transaction has committed', async () => {
    const result = await uow.run(async (work) => {
      await addCategory(work);
      work.raise(revoked('u1'));
      work.raise(revoked('u2'), revoked('u3'));
      expect(batches).toEqual([]);
      return 'done';
    });
    expect(result).toBe('done');
    expect(batches).toHaveLength(1);
    expect(batches[0]?.committed).toBe(true);
    expect(batches[0]?.events).toEqual([revoked('u1'), revoked('u2'), revoked('u3')]);
  });

  it('publishes nothing and runs no step when the change throws, and rethrows', async () => {
    const failure = new Error('refused');
    await expect(
      uow.run(async (work) => {
        await addCategory(work);
        work.raise(revoked('u1'));
        work.afterCommit(() => {
          log.push('step');
        });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(log).toEqual([]);
    const rows = await database.db
      .select()
      .from(categories)
      .where(eq(categories.name, categoryName));
    expect(rows).toEqual([]);
  });

  it('runs each after-commit step once, in the order given, before the events', async () => {
    await uow.run(async (work) => {
      work.raise(revoked('u1'));
      work.afterCommit(() => {
        log.push('wake');
      }, 'wake');
      work.afterCommit(() => {
        log.push('delete blobs');
      });
      work.afterCommit(() => {
        log.push('wake again');
      }, 'wake');
      expect(log).toEqual([]);
    });
    expect(log).toEqual(['wake', 'delete blobs', 'published 1']);
  });

  it('still runs the other steps and publishes when a step fails: the change has committed', async () => {
    const result = await uow.run(async (work) => {
      await addCategory(work);
      work.raise(revoked('u1'));
      work.afterCommit(() => Promise.reject(new Error('blob store away')));
      work.afterCommit(() => {
        log.push('second step');
      });
      return 42;
    });
    expect(result).toBe(42);
    expect(log).toEqual(['second step', 'published 1']);
    expect(batches[0]?.committed).toBe(true);
  });

  it('refuses events raised on a unit of work that has ended', async () => {
    const kept = await uow.run(async (work) => work);
    expect(() => kept.raise(revoked('u1'))).toThrow(/ended/);
    expect(() => kept.afterCommit(() => undefined)).toThrow(/ended/);
  });
});
