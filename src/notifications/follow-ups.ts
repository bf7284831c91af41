import { and, desc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { instantPlaceholder, reusableStatement } from '../db/statement.js';
import { notifications } from '../db/schema.js';
import type { Clock } from '../platform/clock.js';
import type { DeliveryProfile } from '../users/service.js';
import { wantsTelegram } from './delivery-state.js';
import type { NotificationRow } from './schemas.js';
import { excerpt, textsFor } from './texts.js';

/** What a follow-up notice names of its ticket. */
export interface FollowUpTicket {
  id: string;
  number: number;
  title: string;
}

/**
 * The words of a notice counting `count` follow-ups, in the recipient's language: the count
 * and the ticket in the title, the ticket's title and the latest follow-up below.
 */
export function followUpWording(
  ticket: FollowUpTicket,
  latest: string,
  count: number,
  languageCode: string | null,
): { title: string; content: string } {
  return {
    title: textsFor(languageCode).new_messages(count, ticket.number),
    content: `${ticket.title}\n\n${excerpt(latest)}`,
  };
}

/**
 * True while a delivery job waits for the row: it owes Telegram a message or an edit, nobody
 * holds it, and it was not given up. Counting another follow-up into such a row needs no job of
 * its own; the waiting one sends the latest words.
 */
function jobWaits(row: NotificationRow): boolean {
  const owed = row.deliveredAt === null || (row.shownCount ?? 0) < (row.messageCount ?? 0);
  return owed && row.claimedAt === null && row.givenUpAt === null;
}

/**
 * A customer's follow-ups on a ticket nobody has taken, gathered per staff member: the first
 * one is a notice of its own, and each next one within `windowMs` of it counts into that notice
 * ("3 new messages in ticket #12", the latest text below) rather than making another. A notice
 * still waiting to be sent goes out with the latest words; one already sent owes an edit job
 * (`deliver-notification.ts` edits the Telegram message in place). Part of the
 * notifications service, which owns the table and queues the jobs.
 */
export function createFollowUpNotices(deps: { db: Db; clock: Clock; windowMs: number }) {
  const { db, clock, windowMs } = deps;

  // Both run in every follow-up's transaction: built once (`db/statement.ts`), each list of
  // recipients or notices as one array parameter.
  const openNoticesStatement = reusableStatement(db, 'notifications_open_follow_ups', (on) =>
    on
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.ticketId, sql.placeholder('ticket')),
          eq(notifications.type, 'new_message'),
          isNotNull(notifications.messageCount),
          sql`${notifications.userId} = any(${sql.placeholder('users')})`,
          gt(notifications.createdAt, instantPlaceholder('since')),
        ),
      )
      .orderBy(desc(notifications.createdAt))
      .for('update'),
  );
  const countInStatement = reusableStatement(db, 'notifications_count_follow_up', (on) =>
    on
      .update(notifications)
      .set({
        title: sql`${sql.placeholder('title')}`,
        content: sql`${sql.placeholder('content')}`,
        messageCount: sql`${sql.placeholder('count')}::int`,
        isRead: false,
      })
      .where(sql`${notifications.id} = any(${sql.placeholder('ids')})`)
      .returning(),
  );

  /** Each recipient's newest follow-up notice about the ticket still in its window, locked. */
  async function openNotices(tx: Tx, ticketId: string, userIds: string[]) {
    if (userIds.length === 0) return new Map<string, NotificationRow>();
    const rows = await openNoticesStatement(tx, {
      ticket: ticketId,
      users: userIds,
      since: new Date(clock.now().getTime() - windowMs).toISOString(),
    });
    const newest = new Map<string, NotificationRow>();
    for (const row of rows) if (!newest.has(row.userId)) newest.set(row.userId, row);
    return newest;
  }

  return {
    /**
     * Counts a follow-up into the open notices of these recipients, in the caller's transaction.
     * Returns the rows it changed, those of them that need a delivery job (an edit, or a send
     * no job waits for), and the recipients with no open notice, whom the caller writes a new one
     * (`messageCount` 1).
     */
    async countIn(
      tx: Tx,
      ticket: FollowUpTicket,
      latest: string,
      recipients: readonly DeliveryProfile[],
    ): Promise<{
      updated: NotificationRow[];
      toSend: NotificationRow[];
      fresh: DeliveryProfile[];
    }> {
      const open = await openNotices(
        tx,
        ticket.id,
        recipients.map((r) => r.id),
      );
      const fresh = recipients.filter((r) => !open.has(r.id));
      // Rows that get the same words (their count and language alike): one UPDATE each.
      const groups = new Map<string, { count: number; title: string; ids: string[] }>();
      for (const recipient of recipients) {
        const row = open.get(recipient.id);
        if (!row) continue;
        const count = (row.messageCount ?? 0) + 1;
        const { title } = followUpWording(ticket, latest, count, recipient.languageCode);
        const group = groups.get(title) ?? { count, title, ids: [] };
        group.ids.push(row.id);
        groups.set(title, group);
      }
      const content = followUpWording(ticket, latest, 1, null).content;
      const updated: NotificationRow[] = [];
      for (const group of groups.values()) {
        updated.push(
          ...(await countInStatement(tx, {
            title: group.title,
            content,
            count: group.count,
            ids: group.ids,
          })),
        );
      }
      const profiles = new Map(recipients.map((r) => [r.id, r]));
      const toSend = updated.filter((row) => {
        const before = open.get(row.userId);
        const profile = profiles.get(row.userId);
        return (
          before !== undefined &&
          profile !== undefined &&
          before.givenUpAt === null &&
          !jobWaits(before) &&
          wantsTelegram(profile, row.type, row.ticketId)
        );
      });
      return { updated, toSend, fresh };
    },
  };
}

/** The follow-up notices of the notifications service. */
export type FollowUpNotices = ReturnType<typeof createFollowUpNotices>;
