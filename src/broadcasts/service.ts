import { and, eq, isNotNull, isNull, not, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { can } from '../auth/permissions.js';
import type { Actor } from '../users/service.js';
import type { Db } from '../db/client.js';
import { broadcasts, notifications as notificationRows, users } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import { Forbidden, Invalid } from '../errors.js';
import { deliveryQueue, type NotificationService } from '../notifications/service.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import { broadcastTextsFor } from './texts.js';

/** The queue of the job that reports a broadcast's progress (`broadcasts/progress-job.ts`). */
export const broadcastProgressQueue = 'broadcast.progress';

/** A progress job: the broadcast to report on. */
export interface BroadcastProgressJob {
  broadcast_id: string;
}

/** A broadcast row. */
export type BroadcastRow = typeof broadcasts.$inferSelect;

/** Who a broadcast would reach right now. */
export interface BroadcastAudience {
  /** Active users who will get it. */
  recipients: number;
  /** Active users skipped because they blocked the bot. */
  skipped: number;
}

/** How far a broadcast got: its notifications by outcome. */
export interface BroadcastProgress {
  total: number;
  sent: number;
  failed: number;
  blocked: number;
  pending: number;
}

/** The longest broadcast text: a Telegram message, less room for the title. */
export const broadcastTextLimit = 3500;

/**
 * Active users who have not muted broadcasts: the audience. Those who blocked the bot are in it
 * (counted as skipped); muted ones are left out entirely, as they asked.
 */
const audienceCondition = and(
  eq(users.isActive, true),
  not(sql`${users.notificationSettings} -> 'muted_types' @> '["broadcast"]'::jsonb`),
);

/**
 * Broadcasts: an admin's message to every user through the bot. Starting one writes, in one
 * transaction, the `broadcasts` row, a `broadcast` notification per reachable user (delivered by
 * the notification worker at its pace, 429s and 403s included) and the first progress job.
 */
export function createBroadcastService(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  notifications: NotificationService;
  logger: Logger;
  /** Seconds between progress reports. */
  progressIntervalS: number;
}) {
  const { db, queue, clock, notifications, logger } = deps;

  function requireAllowed(actor: Actor): void {
    if (!can(actor.role, 'broadcast.send')) throw new Forbidden('Only admins send broadcasts');
  }

  return {
    /** How many users a broadcast would reach now, and how many are skipped (blocked the bot). */
    async audience(actor: Actor): Promise<BroadcastAudience> {
      requireAllowed(actor);
      const [row] = await db
        .select({
          recipients: sql<number>`count(*) filter (where ${users.botBlockedAt} is null)`.mapWith(
            Number,
          ),
          skipped: sql<number>`count(*) filter (where ${users.botBlockedAt} is not null)`.mapWith(
            Number,
          ),
        })
        .from(users)
        .where(and(audienceCondition, not(eq(users.id, actor.userId))));
      return { recipients: row?.recipients ?? 0, skipped: row?.skipped ?? 0 };
    },

    /**
     * Starts a broadcast of `text` (plain text) to every user but its author, reporting progress
     * by editing `statusMessageId` in `chatId`. Resolves to the row once committed.
     */
    async start(
      actor: Actor,
      input: { text: string; chatId: number; statusMessageId: number },
    ): Promise<BroadcastRow> {
      requireAllowed(actor);
      const text = input.text.trim();
      if (!text || text.length > broadcastTextLimit) {
        throw new Invalid('The broadcast text must be 1 to 3500 characters', [
          { field: 'text', message: `1 to ${broadcastTextLimit} characters` },
        ]);
      }
      const row = await db.transaction(async (tx) => {
        const audience = await tx
          .select({ id: users.id, languageCode: users.languageCode })
          .from(users)
          .where(
            and(audienceCondition, not(eq(users.id, actor.userId)), isNull(users.botBlockedAt)),
          );
        const skipped = await tx
          .select({ n: sql<number>`count(*)`.mapWith(Number) })
          .from(users)
          .where(
            and(audienceCondition, not(eq(users.id, actor.userId)), isNotNull(users.botBlockedAt)),
          );
        const blocked = skipped[0]?.n ?? 0;
        const [created] = await tx
          .insert(broadcasts)
          .values({
            authorId: actor.userId,
            text,
            total: audience.length + blocked,
            blocked,
            chatId: input.chatId,
            statusMessageId: input.statusMessageId,
            createdAt: clock.now(),
          })
          .returning();
        if (!created) throw new Error('no broadcast row inserted');
        await notifications.broadcast(tx, created.id, audience, (languageCode) => ({
          title: broadcastTextsFor(languageCode).title,
          content: text,
        }));
        await queue.send<BroadcastProgressJob>(
          broadcastProgressQueue,
          { broadcast_id: created.id },
          { startAfter: deps.progressIntervalS, executor: transactionExecutor(tx) },
        );
        return created;
      });
      queue.wake(deliveryQueue);
      logger.info({ broadcastId: row.id, total: row.total }, 'broadcast started');
      return row;
    },

    /** The broadcast, if it exists. */
    async get(id: string): Promise<BroadcastRow | undefined> {
      const [row] = await db.select().from(broadcasts).where(eq(broadcasts.id, id));
      return row;
    },

    /**
     * Its notifications by outcome: delivered, given up because the user blocked the bot,
     * given up otherwise, still pending. Users skipped at the start come on top (`row.blocked`).
     */
    async progress(row: BroadcastRow): Promise<BroadcastProgress> {
      const [counts] = await db
        .select({
          rows: sql<number>`count(*)`.mapWith(Number),
          sent: sql<number>`count(*) filter (where ${notificationRows.deliveredAt} is not null)`.mapWith(
            Number,
          ),
          blocked:
            sql<number>`count(*) filter (where ${notificationRows.deliveredAt} is null and ${notificationRows.givenUpAt} is not null and ${users.botBlockedAt} is not null)`.mapWith(
              Number,
            ),
          failed:
            sql<number>`count(*) filter (where ${notificationRows.deliveredAt} is null and ${notificationRows.givenUpAt} is not null and ${users.botBlockedAt} is null)`.mapWith(
              Number,
            ),
        })
        .from(notificationRows)
        .innerJoin(users, eq(users.id, notificationRows.userId))
        .where(eq(notificationRows.broadcastId, row.id));
      const rows = counts?.rows ?? 0;
      const sent = counts?.sent ?? 0;
      const failed = counts?.failed ?? 0;
      const blocked = counts?.blocked ?? 0;
      return {
        total: row.total,
        sent,
        failed,
        blocked: row.blocked + blocked,
        pending: rows - sent - failed - blocked,
      };
    },

    /**
     * Marks the broadcast done with its final counts (`pending` ones count as failed). False
     * when it was done already (a second progress job, e.g. one retried after a crash), so the
     * report is written once.
     */
    async finish(row: BroadcastRow, progress: BroadcastProgress): Promise<boolean> {
      const done = await db
        .update(broadcasts)
        .set({
          status: 'done',
          sent: progress.sent,
          failed: progress.failed + progress.pending,
          blocked: progress.blocked,
          finishedAt: clock.now(),
        })
        .where(and(eq(broadcasts.id, row.id), eq(broadcasts.status, 'sending')))
        .returning({ id: broadcasts.id });
      return done.length > 0;
    },
  };
}

/** The broadcasts service. */
export type BroadcastService = ReturnType<typeof createBroadcastService>;
