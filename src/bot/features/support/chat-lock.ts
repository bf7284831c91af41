import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { botState } from '../../../db/schema.js';

/**
 * How long a lock holds before another handler may take it over: longer than a form step takes
 * with Telegram's retries, short enough that a bot that died holding it stalls a chat briefly.
 * A handler waits at most as long for the lock, then goes ahead rather than drop the update.
 */
const leaseSeconds = 60;

/** Pause between attempts to take a lock someone else holds. */
const retryMs = 25;

async function tryLock(db: Db, key: string, token: string): Promise<boolean> {
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

async function release(db: Db, key: string, token: string): Promise<void> {
  await db
    .delete(botState)
    .where(and(eq(botState.key, key), sql`${botState.value}->>'token' = ${token}`));
}

/**
 * Runs `work` alone for this chat's form, across every bot process: in webhook mode updates are
 * jobs that several workers may take at once, and two photos of an album (or a double press of
 * Send) would otherwise both read the same form and one would overwrite the other. The lock is
 * a `bot_state` row, so it needs no connection held open and works on PGlite as on PostgreSQL.
 */
export async function withChatLock<T>(db: Db, chat: string, work: () => Promise<T>): Promise<T> {
  const key = `support:lock:${chat}`;
  const token = randomUUID();
  const giveUpAt = Date.now() + leaseSeconds * 1000;
  while (!(await tryLock(db, key, token)) && Date.now() < giveUpAt) await sleep(retryMs);
  try {
    return await work();
  } finally {
    await release(db, key, token);
  }
}
