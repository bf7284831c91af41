import type { StorageAdapter } from 'grammy';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { botState } from '../db/schema.js';

/**
 * grammY storage (sessions, conversations) in the `bot_state` table, so a half-filled form or a
 * draft survives a restart and is shared by every bot process. `prefix` keeps features apart.
 */
export function createStateStorage<T>(db: Db, prefix: string): StorageAdapter<T> {
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
  };
}
