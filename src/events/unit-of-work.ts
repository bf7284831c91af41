import type { Logger } from 'pino';
import type { Db, Tx } from '../db/client.js';
import type { DomainEvent, DomainEvents } from './domain-events.js';

/** What to do once a change has committed: drop a cache entry, wake workers, delete blobs. */
export type AfterCommitStep = () => Promise<void> | void;

/**
 * One change under way: its transaction, the events it raises and what is to follow its commit.
 * Services that raise events take it instead of a bare `Tx`, so a nested call (a message ->
 * `tickets.noteMessage` -> the notifications service) adds to the same change. Its functions
 * need no `this`: `run(async ({ tx, raise }) => …)` works.
 */
export interface Work {
  readonly tx: Tx;
  /** Records events, published in this order once the transaction commits; never on rollback. */
  raise(...events: DomainEvent[]): void;
  /**
   * Runs `step` after commit, before the events are published (so a cache they invalidate is
   * gone before anyone reacts to them). Steps with the same `key` run once, the first one given:
   * several services may ask to wake the same workers.
   */
  afterCommit(step: AfterCommitStep, key?: string): void;
}

/**
 * Writes what the change's events call for in the change's own transaction, once the change is
 * done and before it commits (the staff group's outbox, `threads/outbox.ts`): so what follows
 * from an event is kept or lost with the change, whichever service raised it.
 */
export type BeforeCommit = (tx: Tx, events: readonly DomainEvent[]) => Promise<void>;

/** Runs changes as units of work: one transaction, then its after-commit steps and events. */
export interface UnitOfWork {
  /**
   * Runs `change` in a transaction. Once it has committed, runs the after-commit steps in the
   * order given, then publishes the raised events in one batch, and resolves to what `change`
   * returned. If it throws, the transaction rolls back, nothing is run or published, and the
   * error is rethrown.
   */
  run<T>(change: (work: Work) => Promise<T>): Promise<T>;
}

/**
 * Creates the unit of work over the database and the domain events. A failed step is logged
 * and the rest still run: the change has committed, so the caller is told it succeeded (as the
 * events' own publishing is best effort).
 */
export function createUnitOfWork(deps: {
  db: Db;
  events: DomainEvents;
  logger: Logger;
  /** Run in each change's transaction with its events, in this order (read at each change). */
  beforeCommit?: readonly BeforeCommit[];
}): UnitOfWork {
  const { db, events, logger } = deps;
  return {
    async run(change) {
      const raised: DomainEvent[] = [];
      const steps = new Map<string | symbol, AfterCommitStep>();
      let open = true;
      const refuseWhenEnded = () => {
        // A Work kept past its transaction would raise events nobody publishes.
        if (!open) throw new Error('this unit of work has ended');
      };
      let result;
      try {
        result = await db.transaction(async (tx) => {
          const value = await change({
            tx,
            raise(...more) {
              refuseWhenEnded();
              raised.push(...more);
            },
            afterCommit(step, key) {
              refuseWhenEnded();
              const name = key ?? Symbol('step');
              if (!steps.has(name)) steps.set(name, step);
            },
          });
          if (raised.length > 0) {
            for (const hook of deps.beforeCommit ?? []) await hook(tx, raised);
          }
          return value;
        });
      } finally {
        open = false;
      }
      for (const step of steps.values()) {
        try {
          await step();
        } catch (error) {
          logger.error({ err: error }, 'an after-commit step failed; the change stands');
        }
      }
      await events.publish(raised);
      return result;
    },
  };
}
