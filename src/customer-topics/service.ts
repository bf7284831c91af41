import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { customerTopics, type CustomerTopicState } from '../db/schema.js';
import { transactionExecutor } from '../db/transaction-executor.js';
import type { Work } from '../events/unit-of-work.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { BotProfile } from '../telegram/bot-profile.js';

/** The queue of topics to create (`jobs.ts`): one job per ticket a customer opened. */
export const topicOpenQueue = 'customer-topic.open';

/** A topic-open job: the ticket whose topic to create. */
export interface TopicOpenJob {
  ticket_id: string;
}

/**
 * Topic jobs retry soon and back off (network, Telegram 5xx), as deliveries do; a 429 is waited
 * out by the handler itself (`jobs.ts`).
 */
export const topicOpenJobOptions = {
  expireInSeconds: 60,
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
} as const;

/** A ticket's topic as the table keeps it. */
export interface CustomerTopic {
  ticketId: string;
  userId: string;
  state: CustomerTopicState;
  chatId: number | null;
  messageThreadId: number | null;
  cardMessageId: number | null;
}

const columns = {
  ticketId: customerTopics.ticketId,
  userId: customerTopics.userId,
  state: customerTopics.state,
  chatId: customerTopics.chatId,
  messageThreadId: customerTopics.messageThreadId,
  cardMessageId: customerTopics.cardMessageId,
};

/**
 * Creates the customer topics service: the only writer of `customer_topics`. A ticket a customer
 * opens gets a `pending` row and a job in the ticket's own transaction (Telegram is never called
 * in the request); workers create the topic (`topic-opener.ts`) holding a lease on the row, so
 * a ticket gets one topic however many workers try at once.
 */
export function createCustomerTopics(deps: {
  db: Db;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  /**
   * The bot's profile, read by this process at start: once it says the bot has no topics, a new
   * ticket owes none (no row, no job). Until it has been read, one is owed.
   */
  profile?: Pick<BotProfile, 'known'>;
}) {
  const { db, queue, clock, logger, profile } = deps;

  return {
    /**
     * A customer opened `ticket`: its topic is owed (a `pending` row) and a worker is asked to
     * create it, both in the ticket's transaction. Whether the bot has topics at all is the
     * worker's to find out (`getMe`): the request never waits for Telegram; but where this
     * process has already read that the bot has none, nothing is owed. (Topics switched on later
     * are read at the next start; older tickets get theirs with their next notice.)
     */
    async ticketOpened(work: Work, ticket: { id: string; userId: string }): Promise<void> {
      if (profile?.known() === false) return;
      await work.tx
        .insert(customerTopics)
        .values({ ticketId: ticket.id, userId: ticket.userId, createdAt: clock.now() })
        .onConflictDoNothing();
      if (!queue.isRunning()) {
        // Only a process that never started its queue (some tests) gets here; the first message
        // to the customer about the ticket creates the topic instead (`topic-opener.ts`).
        logger.warn(
          { ticketId: ticket.id },
          'job queue not running: the topic waits for a message',
        );
        return;
      }
      await queue.send<TopicOpenJob>(
        topicOpenQueue,
        { ticket_id: ticket.id },
        { ...topicOpenJobOptions, executor: transactionExecutor(work.tx) },
      );
      work.afterCommit(() => queue.wake(topicOpenQueue), `wake:${topicOpenQueue}`);
    },

    /** The ticket's topic row, if the ticket was opened with one owed. */
    async ofTicket(ticketId: string): Promise<CustomerTopic | undefined> {
      const [row] = await db
        .select(columns)
        .from(customerTopics)
        .where(eq(customerTopics.ticketId, ticketId));
      return row;
    },

    /** The ticket whose open topic `threadId` is in the chat, if any. */
    async ticketOfThread(chatId: number, threadId: number): Promise<string | undefined> {
      const [row] = await db
        .select({ ticketId: customerTopics.ticketId })
        .from(customerTopics)
        .where(
          and(
            eq(customerTopics.chatId, chatId),
            eq(customerTopics.messageThreadId, threadId),
            eq(customerTopics.state, 'open'),
          ),
        );
      return row?.ticketId;
    },

    /**
     * Takes the row to create its topic: true unless another worker holds it (a lease of
     * `leaseMs`, so a worker that died mid-way is replaced).
     */
    async claim(ticketId: string, leaseMs: number): Promise<boolean> {
      const now = clock.now();
      const rows = await db
        .update(customerTopics)
        .set({ claimedAt: now, updatedAt: now })
        .where(
          and(
            eq(customerTopics.ticketId, ticketId),
            or(
              isNull(customerTopics.claimedAt),
              lt(customerTopics.claimedAt, new Date(now.getTime() - leaseMs)),
            ),
          ),
        )
        .returning({ ticketId: customerTopics.ticketId });
      return rows.length > 0;
    },

    /** Gives the row back without a change (a failure to retry later). */
    async release(ticketId: string): Promise<void> {
      await db
        .update(customerTopics)
        .set({ claimedAt: null })
        .where(eq(customerTopics.ticketId, ticketId));
    },

    /**
     * The topic exists: its thread is kept at once (before its card is sent), so a crash after
     * this never makes a second topic.
     */
    async created(ticketId: string, chatId: number, threadId: number): Promise<void> {
      await db
        .update(customerTopics)
        .set({
          state: 'open',
          chatId,
          messageThreadId: threadId,
          cardMessageId: null,
          updatedAt: clock.now(),
        })
        .where(eq(customerTopics.ticketId, ticketId));
    },

    /** The card is in the topic: the row is done and given back. */
    async cardSent(ticketId: string, messageId: number): Promise<void> {
      await db
        .update(customerTopics)
        .set({ cardMessageId: messageId, claimedAt: null, updatedAt: clock.now() })
        .where(eq(customerTopics.ticketId, ticketId));
    },

    /** Telegram refused the topic: the ticket's messages go to the main chat from now on. */
    async failed(ticketId: string): Promise<void> {
      await db
        .update(customerTopics)
        .set({ state: 'failed', claimedAt: null, updatedAt: clock.now() })
        .where(eq(customerTopics.ticketId, ticketId));
    },

    /**
     * The topic `threadId` is gone (the user deleted it): owed again, so the next message makes
     * a new one. Only that thread: a topic made meanwhile by another worker stays.
     */
    async lost(ticketId: string, threadId: number): Promise<void> {
      await db
        .update(customerTopics)
        .set({
          state: 'pending',
          messageThreadId: null,
          cardMessageId: null,
          updatedAt: clock.now(),
        })
        .where(
          and(eq(customerTopics.ticketId, ticketId), eq(customerTopics.messageThreadId, threadId)),
        );
    },
  };
}

/** The customer topics service. */
export type CustomerTopicService = ReturnType<typeof createCustomerTopics>;
