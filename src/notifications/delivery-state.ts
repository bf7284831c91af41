import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { isStaff } from '../auth/permissions.js';
import type { Db } from '../db/client.js';
import { instantPlaceholder } from '../db/statement.js';
import { notifications } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { UserService } from '../users/service.js';
import type { NotificationRow } from './schemas.js';
import type { NotificationType } from '../db/schema.js';
import type { DeliveryProfile } from '../users/service.js';

/** The queue the delivery worker (`deliver-notification.ts`) takes notifications from. */
export const deliveryQueue = 'notification.deliver';

/** A delivery job: the notification to send. */
export interface DeliveryJob {
  notification_id: string;
}

/**
 * Delivery jobs expire (and are retried) after a minute: a backstop only, since pg-boss looks
 * for expired jobs every two minutes or so; a worker that died mid-send is replaced sooner by
 * the reclaim sweep (`reclaimLapsed`, run by `jobs.ts`). Failures (network, Telegram
 * 5xx) retry soon and back off: 1 s, 2 s, 4 s … about 17 minutes over ten attempts, so a short
 * outage delays notifications by little.
 */
export const deliveryJobOptions = {
  expireInSeconds: 60,
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
} as const;

/**
 * True when Telegram delivery should be attempted for this recipient and kind (`ticketId`: the
 * ticket it is about, if any). A staff member who takes the daily digest gets no reminder about
 * a single ticket in Telegram (`digest.ts` lists them); the digest itself is a reminder without one.
 * A blocked user still gets `system` notices: the one written to a blocked person is the notice
 * of their block (`accountStatusChanged`), which they must hear; every other notice is written to
 * active people only.
 */
export function wantsTelegram(
  profile: DeliveryProfile,
  type: NotificationType,
  ticketId: string | null,
): boolean {
  const settings = profile.notificationSettings;
  const digested =
    type === 'reminder' && ticketId !== null && isStaff(profile.role) && settings.digest === true;
  return (
    (profile.isActive || type === 'system') &&
    profile.botBlockedAt === null &&
    !settings.muted_types.includes(type) &&
    !digested
  );
}

/**
 * The rows that owe Telegram something: never delivered, or delivered before more follow-ups
 * were counted into them (an edit is owed); never once given up.
 */
const owesTelegram = sql`(${notifications.givenUpAt} is null and (${notifications.deliveredAt} is null or ${notifications.shownCount} < ${notifications.messageCount}))`;

/** What the Telegram message of a delivered row is and shows. */
export interface Delivered {
  /** The message in the recipient's chat. */
  messageId: number;
  /** The count it shows, for a notice counting follow-ups; null for any other. */
  shownCount: number | null;
}

/**
 * The delivery bookkeeping of notification rows, for the delivery worker
 * (`deliver-notification.ts`) and its start-up sweep: claim, deliver, give back, give up.
 * Part of the notifications service, which owns the table.
 */
export function createDeliveryState(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  users: UserService;
}) {
  const { db, queue, clock, users } = deps;

  // A delivery's claim and its record, built once and prepared: every notice sent or edited runs
  // both (see the ticket reads in tickets/queries.ts for why).
  const at = instantPlaceholder;
  const claimStatement = db
    .update(notifications)
    .set({ claimedAt: at('now') })
    .where(
      and(
        eq(notifications.id, sql.placeholder('id')),
        owesTelegram,
        sql`(${notifications.claimedAt} is null or ${notifications.claimedAt} < ${at('leaseEnd')})`,
      ),
    )
    .returning()
    .prepare('notifications_claim');
  const deliveredStatement = db
    .update(notifications)
    .set({
      deliveredAt: sql`coalesce(${notifications.deliveredAt}, ${at('now')})`,
      claimedAt: null,
      telegramMessageId: sql`${sql.placeholder('message')}`,
      shownCount: sql`${sql.placeholder('shown')}`,
    })
    .where(eq(notifications.id, sql.placeholder('id')))
    .prepare('notifications_delivered');
  return {
    /**
     * Queues delivery of recent rows that were never delivered nor claimed (written while no
     * queue ran). A row queued twice is still sent once: the worker's claim decides.
     */
    async queueUndelivered(since: Date): Promise<number> {
      const rows = await db
        .select({
          id: notifications.id,
          userId: notifications.userId,
          type: notifications.type,
          ticketId: notifications.ticketId,
        })
        .from(notifications)
        .where(
          and(
            sql`${notifications.deliveredAt} is null`,
            sql`${notifications.claimedAt} is null`,
            sql`${notifications.givenUpAt} is null`,
            sql`${notifications.createdAt} >= ${since}`,
          ),
        )
        .orderBy(desc(notifications.createdAt))
        .limit(10_000);
      const profiles = new Map(
        (
          await users.deliveryProfiles(
            db,
            rows.map((r) => r.userId),
          )
        ).map((p) => [p.id, p]),
      );
      const due = rows.filter((row) => {
        const profile = profiles.get(row.userId);
        return profile !== undefined && wantsTelegram(profile, row.type, row.ticketId);
      });
      for (const row of due) {
        await queue.send<DeliveryJob>(
          deliveryQueue,
          { notification_id: row.id },
          deliveryJobOptions,
        );
      }
      return due.length;
    },

    /**
     * Takes a row for sending (or editing, when follow-ups were counted into it since): only one
     * worker gets it while its lease (`leaseMs`) runs, and never once it owes nothing or was
     * given up. One UPDATE decides: a second worker's waits for the first's to commit, then finds
     * the claim taken. `done` when nothing is owed or the row is gone; `busy` when claimed
     * elsewhere.
     */
    async claim(
      id: string,
      leaseMs: number,
    ): Promise<{ state: 'claimed'; row: NotificationRow } | { state: 'done' } | { state: 'busy' }> {
      const now = clock.now();
      const leaseEnd = new Date(now.getTime() - leaseMs);
      const [row] = await claimStatement.execute({
        id,
        now: now.toISOString(),
        leaseEnd: leaseEnd.toISOString(),
      });
      if (!row) {
        const [owing] = await db
          .select({ id: notifications.id })
          .from(notifications)
          .where(and(eq(notifications.id, id), owesTelegram));
        return owing ? { state: 'busy' } : { state: 'done' };
      }
      return { state: 'claimed', row };
    },

    /**
     * Records that the Telegram message went out, or was edited, showing what the claimed row
     * said, and lets go of the claim: follow-ups counted in meanwhile are owed as an edit.
     */
    async markDelivered(id: string, delivered: Delivered): Promise<void> {
      await deliveredStatement.execute({
        id,
        now: clock.now().toISOString(),
        message: delivered.messageId,
        shown: delivered.shownCount,
      });
    },

    /**
     * Takes back the rows whose claim lapsed (claimed before `leaseMs` ago and still owing
     * Telegram: the worker that claimed them died mid-send) and queues each a delivery job, in
     * one transaction, so a row is never left claimed without a job nor queued twice by two
     * sweeps at once: the second finds the claim gone. Resolves to the ids taken back.
     */
    async reclaimLapsed(leaseMs: number): Promise<string[]> {
      const leaseEnd = new Date(clock.now().getTime() - leaseMs);
      return db.transaction(async (tx) => {
        const rows = await tx
          .update(notifications)
          .set({ claimedAt: null })
          .where(and(sql`${notifications.claimedAt} < ${leaseEnd}`, owesTelegram))
          .returning({ id: notifications.id });
        if (rows.length > 0) {
          await queue.sendMany<DeliveryJob>(
            deliveryQueue,
            rows.map((row) => ({ notification_id: row.id })),
            { ...deliveryJobOptions, executor: transactionExecutor(tx) },
          );
        }
        return rows.map((row) => row.id);
      });
    },

    /** Gives up delivering (or editing) a claimed row for good: no later job or sweep sends it. */
    async giveUp(id: string): Promise<void> {
      await db
        .update(notifications)
        .set({ givenUpAt: clock.now(), claimedAt: null })
        .where(and(eq(notifications.id, id), owesTelegram));
    },

    /** Gives a claimed row back, so a later attempt may take it at once. */
    async release(id: string): Promise<void> {
      await db
        .update(notifications)
        .set({ claimedAt: null })
        .where(and(eq(notifications.id, id), owesTelegram));
    },

    /** The notifications with these ids (for tests and the worker's bookkeeping). */
    byIds(ids: readonly string[]): Promise<NotificationRow[]> {
      if (ids.length === 0) return Promise.resolve([]);
      return db
        .select()
        .from(notifications)
        .where(inArray(notifications.id, [...ids]));
    },
  };
}
