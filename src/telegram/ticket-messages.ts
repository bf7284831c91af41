import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { telegramTicketMessages } from '../db/schema.js';

/** What a bot message is about: a ticket, and whether it is staff-only (an internal note's). */
export interface TicketMessageSubject {
  ticketId: string;
  /** A reply to a staff-only message is an internal note, never shown to the customer. */
  internal: boolean;
}

/** A message the user wrote in Telegram that became a ticket message. */
export interface WrittenTicketMessage {
  ticketId: string;
  /** The ticket message it became (`messages.id`). */
  ticketMessageId: string;
  /** When it became one (by the clock of whoever recorded it). */
  writtenAt: Date;
}

/**
 * Which ticket a bot message in a chat is about, so a user's reply to it (in Telegram's reply
 * feature) lands on that ticket. Written by the delivery worker for notifications and by the bot
 * for its own ticket messages; read by the bot.
 */
export interface TicketMessages {
  /**
   * Notes that the message `messageId` in `chatId` is about `subject`: one the bot sent, or one
   * the user wrote that became the ticket message `ticketMessageId`.
   */
  record(
    chatId: number,
    messageId: number,
    subject: TicketMessageSubject & { ticketMessageId?: string; at?: Date },
    tx?: Db | Tx,
  ): Promise<void>;
  /** What the message is about, if it is one of those. */
  subjectOf(chatId: number, messageId: number): Promise<TicketMessageSubject | undefined>;
  /** The ticket message the user's Telegram message became, if it became one. */
  writtenAs(chatId: number, messageId: number): Promise<WrittenTicketMessage | undefined>;
}

/** The ticket-message links: the only reader and writer of `telegram_ticket_messages`. */
export function createTicketMessages(db: Db): TicketMessages {
  return {
    async record(chatId, messageId, subject, tx = db) {
      await tx
        .insert(telegramTicketMessages)
        .values({
          chatId,
          messageId,
          ticketId: subject.ticketId,
          internal: subject.internal,
          ticketMessageId: subject.ticketMessageId ?? null,
          ...(subject.at ? { createdAt: subject.at } : {}),
        })
        .onConflictDoNothing();
    },
    async writtenAs(chatId, messageId) {
      const [row] = await db
        .select({
          ticketId: telegramTicketMessages.ticketId,
          ticketMessageId: telegramTicketMessages.ticketMessageId,
          writtenAt: telegramTicketMessages.createdAt,
        })
        .from(telegramTicketMessages)
        .where(
          and(
            eq(telegramTicketMessages.chatId, chatId),
            eq(telegramTicketMessages.messageId, messageId),
          ),
        );
      return row?.ticketMessageId
        ? { ticketId: row.ticketId, ticketMessageId: row.ticketMessageId, writtenAt: row.writtenAt }
        : undefined;
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
