import { and, asc, count, eq, isNull, lte, min, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  staffGroupPace,
  staffPosts,
  staffTopics,
  type StaffPostRow,
  type StaffTopicRow,
} from '../db/schema.js';
import type { Clock } from '../platform/clock.js';

/** A post waiting to be made. */
const pending = and(isNull(staffPosts.sentAt), isNull(staffPosts.givenUpAt));

/** What a topic shows, as the bot last set it. */
export type TopicLook = Pick<StaffTopicRow, 'name' | 'iconCustomEmojiId' | 'closed'>;

/**
 * The staff group's bookkeeping (`staff_posts`, `staff_topics`, `staff_group_pace`) for the
 * sender (`sender.ts`) and the bot's staff group feature: claims of posts, the topics of
 * tickets, the shared pace. The outbox writer (`outbox.ts`) adds the posts.
 */
export function createStaffStore(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /**
     * Takes the first waiting post of the whole queue, when nobody else holds it (or their
     * lease of `leaseMs` ran out): posts go out one at a time, in the order they were written.
     */
    async claimNext(leaseMs: number): Promise<StaffPostRow | undefined> {
      const now = clock.now();
      const [head] = await db
        .select({ id: staffPosts.id })
        .from(staffPosts)
        .where(pending)
        .orderBy(asc(staffPosts.seq))
        .limit(1);
      if (!head) return undefined;
      const [row] = await db
        .update(staffPosts)
        .set({ claimedAt: now })
        .where(
          and(
            eq(staffPosts.id, head.id),
            pending,
            or(
              isNull(staffPosts.claimedAt),
              lte(staffPosts.claimedAt, new Date(now.getTime() - leaseMs)),
            ),
          ),
        )
        .returning();
      return row;
    },

    /** Lets go of a claimed post, with the Telegram calls made so far. */
    async release(id: string, progress?: number): Promise<void> {
      await db
        .update(staffPosts)
        .set({ claimedAt: null, ...(progress === undefined ? {} : { progress }) })
        .where(eq(staffPosts.id, id));
    },

    /** The post is made. */
    async markSent(id: string): Promise<void> {
      await db
        .update(staffPosts)
        .set({ sentAt: clock.now(), claimedAt: null })
        .where(eq(staffPosts.id, id));
    },

    /** Gives up every waiting post (no staff group any more); how many. */
    async giveUpAll(): Promise<number> {
      const rows = await db
        .update(staffPosts)
        .set({ givenUpAt: clock.now(), claimedAt: null })
        .where(pending)
        .returning({ id: staffPosts.id });
      return rows.length;
    },

    /** How many posts wait, and since when the oldest (the queue-depth gauges). */
    async depth(): Promise<{ waiting: number; oldestAt: Date | null }> {
      const [row] = await db
        .select({ n: count(), oldest: min(staffPosts.createdAt) })
        .from(staffPosts)
        .where(pending);
      return { waiting: row?.n ?? 0, oldestAt: row?.oldest ?? null };
    },

    /**
     * Takes the group's next turn to call Telegram if it has come (`intervalMs` after the last
     * one, or after a pause): one row-locked UPDATE, so two processes never take the same turn.
     */
    async takeTurn(chatId: number, intervalMs: number): Promise<boolean> {
      const now = clock.now();
      await db
        .insert(staffGroupPace)
        .values({ chatId, nextAt: now })
        .onConflictDoNothing({ target: staffGroupPace.chatId });
      const [taken] = await db
        .update(staffGroupPace)
        .set({ nextAt: new Date(now.getTime() + intervalMs) })
        .where(and(eq(staffGroupPace.chatId, chatId), lte(staffGroupPace.nextAt, now)))
        .returning({ chatId: staffGroupPace.chatId });
      return taken !== undefined;
    },

    /** No call to the group before `ms` from now (Telegram's `retry_after`, or a back-off). */
    async pause(chatId: number, ms: number): Promise<void> {
      const until = new Date(clock.now().getTime() + ms);
      await db
        .update(staffGroupPace)
        .set({ nextAt: sql`greatest(${staffGroupPace.nextAt}, ${until})` })
        .where(eq(staffGroupPace.chatId, chatId));
    },

    /** The topic of a ticket in this group, if it has one. */
    async topicOf(ticketId: string, chatId: number): Promise<StaffTopicRow | undefined> {
      const [row] = await db
        .select()
        .from(staffTopics)
        .where(and(eq(staffTopics.ticketId, ticketId), eq(staffTopics.chatId, chatId)));
      return row;
    },

    /** The ticket a topic of this group is about, if any. */
    async ticketOfThread(chatId: number, threadId: number): Promise<string | undefined> {
      const [row] = await db
        .select({ ticketId: staffTopics.ticketId })
        .from(staffTopics)
        .where(and(eq(staffTopics.chatId, chatId), eq(staffTopics.messageThreadId, threadId)));
      return row?.ticketId;
    },

    /** Records a new topic of the ticket (replacing one that was deleted). */
    async saveTopic(
      ticketId: string,
      chatId: number,
      threadId: number,
      look: TopicLook,
    ): Promise<void> {
      const now = clock.now();
      const values = { messageThreadId: threadId, ...look, cardMessageId: null, updatedAt: now };
      await db
        .insert(staffTopics)
        .values({ ticketId, chatId, ...values, createdAt: now })
        .onConflictDoUpdate({ target: [staffTopics.ticketId, staffTopics.chatId], set: values });
    },

    /** Records what the topic shows now, or its card. */
    async updateTopic(
      ticketId: string,
      chatId: number,
      change: Partial<TopicLook> & { cardMessageId?: number },
    ): Promise<void> {
      await db
        .update(staffTopics)
        .set({ ...change, updatedAt: clock.now() })
        .where(and(eq(staffTopics.ticketId, ticketId), eq(staffTopics.chatId, chatId)));
    },

    /** Forgets a topic Telegram says is gone: the next post makes a new one. */
    async forgetTopic(ticketId: string, chatId: number, threadId: number): Promise<void> {
      await db
        .delete(staffTopics)
        .where(
          and(
            eq(staffTopics.ticketId, ticketId),
            eq(staffTopics.chatId, chatId),
            eq(staffTopics.messageThreadId, threadId),
          ),
        );
    },
  };
}

/** The staff group's bookkeeping. */
export type StaffStore = ReturnType<typeof createStaffStore>;
