import { and, eq } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { telegramTicketMessages } from '../db/schema.js';

/**
 * Which ticket a bot message in a chat is about, so a user's reply to it (in Telegram's reply
 * feature) lands on that ticket. Written for notifications and for the bot's own ticket messages.
 */
export interface TicketMessages {
  /** Notes that the bot's message `messageId` in `chatId` is about `ticketId`. */
  record(chatId: number, messageId: number, ticketId: string, tx?: Db | Tx): Promise<void>;
  /** The ticket the bot's message is about, if it is one of those. */
  ticketOf(chatId: number, messageId: number): Promise<string | undefined>;
}

export function createTicketMessages(db: Db): TicketMessages {
  return {
    async record(chatId, messageId, ticketId, tx = db) {
      await tx
        .insert(telegramTicketMessages)
        .values({ chatId, messageId, ticketId })
        .onConflictDoNothing();
    },
    async ticketOf(chatId, messageId) {
      const [row] = await db
        .select({ ticketId: telegramTicketMessages.ticketId })
        .from(telegramTicketMessages)
        .where(
          and(
            eq(telegramTicketMessages.chatId, chatId),
            eq(telegramTicketMessages.messageId, messageId),
          ),
        );
      return row?.ticketId;
    },
  };
}
