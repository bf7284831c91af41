import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { StorageAdapter } from 'grammy';
import type { Db } from '../db/client.js';
import { botState } from '../db/schema.js';

/** One feature's values in the bot's state, as grammY storage, plus an atomic take. */
export interface BotStorage<T> extends StorageAdapter<T> {
  /**
   * Removes and returns the value at `key` in one statement, only when it holds every field of
   * `match` (JSON containment): of two updates handled at once, one gets it and the other
   * nothing.
   */
  take(key: string, match: Record<string, string | number | boolean>): Promise<T | undefined>;
}

/**
 * The bot's own state in the `bot_state` table: forms, offers and drafts that survive a restart
 * and are shared by every bot process, and per-chat locks. The only reader and writer of that
 * table; bot features get this store, never the database.
 */
export interface BotStateStore {
  /** The values of one feature, keys `<prefix>:<key>`, so features stay apart. */
  storage<T>(prefix: string): BotStorage<T>;
  /**
   * Runs `work` alone for `name` across every bot process (a lock row, `<name>` as its key):
   * in webhook mode updates are jobs that several workers may take at once.
   */
  withLock<R>(name: string, work: () => Promise<R>): Promise<R>;
}

/**
 * How long a lock holds before another handler may take it over: longer than a form step takes
 * with Telegram's retries, short enough that a bot that died holding it stalls a chat briefly.
 * A handler waits at most as long for the lock, then goes ahead rather than drop the update.
 */
const leaseSeconds = 60;

/** Pause between attempts to take a lock someone else holds. */
const retryMs = 25;

/** Opens the bot's state store on `db`. */
export function createBotStateStore(db: Db): BotStateStore {
  async function tryLock(key: string, token: string): Promise<boolean> {
    const taken = await db
      .insert(botState)
      .values({ key, value: { token } })
      .onConflictDoUpdate({
        target: botState.key,
        set: { value: sql`excluded.value`, updatedAt: sql`now()` },
        setWhere: lt(botState.updatedAt, sql`now() - make_interval(secs => ${leaseSeconds})`),
      })
      .returning({ key: botState.key });
    return taken.length > 0;
  }

  async function release(key: string, token: string): Promise<void> {
    await db
      .delete(botState)
      .where(and(eq(botState.key, key), sql`${botState.value}->>'token' = ${token}`));
  }

  return {
    storage<T>(prefix: string): BotStorage<T> {
      const keyOf = (key: string) => `${prefix}:${key}`;
      return {
        async read(key) {
          const [row] = await db
            .select({ value: botState.value })
            .from(botState)
            .where(eq(botState.key, keyOf(key)));
          return row?.value as T | undefined;
        },
        async write(key, value) {
          await db
            .insert(botState)
            .values({ key: keyOf(key), value })
            .onConflictDoUpdate({
              target: botState.key,
              set: { value: sql`excluded.value`, updatedAt: sql`now()` },
            });
        },
        async delete(key) {
          await db.delete(botState).where(eq(botState.key, keyOf(key)));
        },
        async take(key, match) {
          const [row] = await db
            .delete(botState)
            .where(
              and(
                eq(botState.key, keyOf(key)),
                sql`${botState.value} @> ${JSON.stringify(match)}::jsonb`,
              ),
            )
            .returning({ value: botState.value });
          return row?.value as T | undefined;
        },
      };
    },

    /**
     * The lock is a `bot_state` row, so it needs no connection held open and works on PGlite
     * as on PostgreSQL.
     */
    async withLock(name, work) {
      const token = randomUUID();
      const giveUpAt = Date.now() + leaseSeconds * 1000;
      while (!(await tryLock(name, token)) && Date.now() < giveUpAt) await sleep(retryMs);
      try {
        return await work();
      } finally {
        await release(name, token);
      }
    },
  };
}
