import { GrammyError, InlineKeyboard, type Api } from 'grammy';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { languageOf } from '../i18n/language.js';
import type { BotProfile } from '../telegram/bot-profile.js';
import { openTicketButton } from '../telegram/mini-app-button.js';
import { openInAppLabel, ticketCard, topicName } from '../telegram/ticket-card.js';
import type { TicketMessages } from '../telegram/ticket-messages.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import type { CustomerTopicService } from './service.js';

/** Thrown while another worker creates the ticket's topic: the caller retries a little later. */
export class TopicBusy extends Error {
  override name = 'TopicBusy';
}

/** How long a worker may hold a topic row while creating it (as a delivery claim: 60 s). */
const topicLeaseMs = 60_000;

/** What creating topics runs on. */
export interface TopicOpenerDeps {
  db: Db;
  api: Pick<Api, 'createForumTopic' | 'sendMessage'>;
  /** Whether the bot has topics in private chats (`getMe`, read once per process). */
  profile: BotProfile;
  topics: CustomerTopicService;
  tickets: Pick<TicketService, 'snapshot'>;
  users: Pick<UserService, 'deliveryProfiles'>;
  ticketMessages: Pick<TicketMessages, 'record'>;
  /** The shared send budget (`notifications/send-limiter.ts`): each call takes a turn. */
  limiter: { acquire(): Promise<void> };
  miniAppUrl: string | undefined;
  logger: Logger;
}

/** A refusal by Telegram (400, 403): not worth retrying; 429 and 5xx are. */
function refused(error: unknown): error is GrammyError {
  return error instanceof GrammyError && (error.error_code === 400 || error.error_code === 403);
}

/**
 * Creates and finds the topics of tickets in their customers' private chats (Bot API 9.4:
 * `createForumTopic` in a private chat, where the bot has topics enabled in @BotFather). A topic
 * is named `#<number> · <title>` and starts with the ticket card; a refusal by Telegram leaves
 * the ticket in the main chat (`failed`), a flood limit or an outage is thrown for the caller's
 * retry, and a topic the user deleted is made again on the next message.
 */
export function createTopicOpener(deps: TopicOpenerDeps) {
  const { api, topics, logger } = deps;

  /** Sends the card into the topic, so a reply to it lands on the ticket too. */
  async function sendCard(
    ticketId: string,
    chatId: number,
    threadId: number,
    card: { number: number; title: string; status: Parameters<typeof ticketCard>[1]['status'] },
    languageCode: string | null,
  ): Promise<void> {
    const language = languageOf(languageCode);
    const button = openTicketButton(deps.miniAppUrl, card.number, openInAppLabel(language));
    await deps.limiter.acquire();
    const sent = await api.sendMessage(chatId, ticketCard(language, card, 'topic'), {
      parse_mode: 'HTML',
      message_thread_id: threadId,
      link_preview_options: { is_disabled: true },
      ...(button ? { reply_markup: InlineKeyboard.from([[button]]) } : {}),
    });
    await deps.ticketMessages.record(chatId, sent.message_id, { ticketId, internal: false });
    await topics.cardSent(ticketId, sent.message_id);
  }

  /** Creates the topic (or finishes one whose card is missing) under the row's lease. */
  async function make(ticketId: string): Promise<number | undefined> {
    if (!(await topics.claim(ticketId, topicLeaseMs))) {
      throw new TopicBusy(`the topic of ticket ${ticketId} is being created elsewhere`);
    }
    let threadId: number | undefined;
    try {
      const row = await topics.ofTicket(ticketId);
      const card = await deps.tickets.snapshot(ticketId);
      const [profile] = row ? await deps.users.deliveryProfiles(deps.db, [row.userId]) : [];
      if (!row || row.state === 'failed' || !card || !profile) {
        await topics.release(ticketId);
        return undefined;
      }
      if (row.state === 'open' && row.messageThreadId !== null && row.cardMessageId !== null) {
        await topics.release(ticketId);
        return row.messageThreadId;
      }
      const chatId = profile.telegramId;
      threadId =
        row.state === 'open' && row.messageThreadId !== null ? row.messageThreadId : undefined;
      if (threadId === undefined) {
        await deps.limiter.acquire();
        const topic = await api.createForumTopic(chatId, topicName(card));
        threadId = topic.message_thread_id;
        await topics.created(ticketId, chatId, threadId);
      }
      await sendCard(ticketId, chatId, threadId, card, profile.languageCode);
      return threadId;
    } catch (error) {
      if (!refused(error)) {
        await topics.release(ticketId);
        throw error;
      }
      logger.warn(
        { ticketId, code: error.error_code, description: error.description },
        'Telegram refused the ticket’s topic: its messages go to the main chat',
      );
      await topics.failed(ticketId);
      return undefined;
    }
  }

  /** See `threadFor` below. */
  async function threadFor(ticketId: string, recipientId: string): Promise<number | undefined> {
    const row = await topics.ofTicket(ticketId);
    if (!row || row.userId !== recipientId || row.state === 'failed') return undefined;
    if (!(await deps.profile.topicsEnabled())) return undefined;
    if (row.state === 'open' && row.messageThreadId !== null && row.cardMessageId !== null) {
      return row.messageThreadId;
    }
    return make(ticketId);
  }

  return {
    /**
     * The thread to send a notification about `ticketId` to `recipientId` into: the ticket's
     * topic when the recipient is its author, the bot has topics and the topic exists or can be
     * made now; undefined for the main chat (no topic owed, topics off, Telegram refused one).
     * Throws `TopicBusy` while another worker makes it, and Telegram's 429 and 5xx.
     */
    threadFor,

    /** Creates the ticket's topic and card if it is owed and the bot has topics (the open job). */
    async open(ticketId: string): Promise<void> {
      const row = await topics.ofTicket(ticketId);
      if (!row) return;
      await threadFor(ticketId, row.userId);
    },

    /** A send into `threadId` found the topic gone (deleted by the user): it is owed again. */
    async lost(ticketId: string, threadId: number): Promise<void> {
      logger.info({ ticketId, threadId }, 'the ticket’s topic is gone: making it again');
      await topics.lost(ticketId, threadId);
    },
  };
}

/** Creates and finds ticket topics in customers' chats. */
export type TopicOpener = ReturnType<typeof createTopicOpener>;
