import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { telegramTicketMessages } from '../db/schema.js';

/** What a bot message is about: a ticket, and whether it is staff-only (an internal note's). */
export interface TicketMessageSubject {
  ticketId: string;
  /** A reply to a staff-only message is an internal note, never shown to the customer. */
  internal: boolean;
}

/**
 * Which ticket a bot message in a chat is about, so a user's reply to it (in Telegram's reply
 * feature) lands on that ticket. Written by the delivery worker for notifications and by the bot
 * for its own ticket messages; read by the bot.
 */
export interface TicketMessages {
  /** Notes that the bot's message `messageId` in `chatId` is about `subject`. */
  record(
    chatId: number,
    messageId: number,
    subject: TicketMessageSubject,
    tx?: Db | Tx,
  ): Promise<void>;
  /** What the bot's message is about, if it is one of those. */
  subjectOf(chatId: number, messageId: number): Promise<TicketMessageSubject | undefined>;
}

/** The ticket-message links: the only reader and writer of `telegram_ticket_messages`. */
export function createTicketMessages(db: Db): TicketMessages {
  return {
    async record(chatId, messageId, subject, tx = db) {
      await tx
        .insert(telegramTicketMessages)
        .values({ chatId, messageId, ticketId: subject.ticketId, internal: subject.internal })
        .onConflictDoNothing();
    },
    async subjectOf(chatId, messageId) {
      const [row] = await db
        .select({
          ticketId: telegramTicketMessages.ticketId,
          internal: telegramTicketMessages.internal,
        })
        .from(telegramTicketMessages)
        .where(
          and(
            eq(telegramTicketMessages.chatId, chatId),
            eq(telegramTicketMessages.messageId, messageId),
          ),
        );
      return row;
    },
  };
}
