import { GrammyError, InputFile, type Api } from 'grammy';
import type { Sticker } from 'grammy/types';
import type { Logger } from 'pino';
import type { CategoryService } from '../categories/service.js';
import type { StaffPostRow, StaffTopicRow } from '../db/schema.js';
import { homeLanguage } from '../i18n/language.js';
import type { FileService } from '../files/service.js';
import type { Metrics } from '../platform/metrics.js';
import type { SettingsService } from '../settings/service.js';
import type { TicketDto } from '../tickets/schemas.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import { displayName, type ChangePost, type MessagePost } from './outbox.js';
import {
  cardButtons,
  cardText,
  changeLine,
  messageText,
  statusIcons,
  topicName,
} from './render.js';
import { isNotModified } from '../telegram/edit-refusals.js';
import type { StaffStore, TopicLook } from './store.js';
import { staffTextsFor } from './texts.js';

/** How long a group that refuses the bot (rights taken away, not a forum) rests before a retry. */
export const refusedPauseMs = 60_000;

/** How long the group rests after a network failure or a Telegram 5xx. */
const errorPauseMs = 5_000;

/** Telegram's words for a topic that is gone (deleted in a client). */
const topicGone = /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i;

/** Telegram's words for a group the bot may not post topics in. */
const groupRefuses =
  /not enough rights|CHAT_ADMIN_REQUIRED|chat not found|not a forum|have no rights|bot is not a member|was kicked/i;

/** What the sender runs on. */
export interface StaffSenderDeps {
  api: Api;
  store: StaffStore;
  settings: Pick<SettingsService, 'current'>;
  tickets: Pick<TicketService, 'snapshot'>;
  users: Pick<UserService, 'authors'>;
  categories: Pick<CategoryService, 'get'>;
  files: Pick<FileService, 'contentOf'>;
  logger: Logger;
  miniAppUrl: string | undefined;
  /** Calls a minute the group takes (`STAFF_GROUP_POSTS_PER_MIN`). */
  perMinute: number;
  /** How long a claim on a post holds, should its sender die mid-call. */
  leaseMs: number;
  metrics?: Pick<Metrics, 'staffGroupCalls' | 'staffGroupFailures'>;
}

/** One Telegram call a post needs next, and what it leaves the post's progress at. */
interface Action {
  method: string;
  run(): Promise<void>;
  /** The post's progress after the call (unchanged for the topic's own calls). */
  progress: number;
}

/**
 * The staff group's sender: each call of `tick` makes at most one Telegram call for the first
 * waiting post (`store.claimNext`), when the group's shared pace gives it a turn
 * (`perMinute` a minute, across every process), so posts go out in order, never faster than
 * Telegram's group limit, and never in the way of notifications to customers (their own queue).
 * A post's calls are worked out from what its topic shows now: a missing topic (never made, or
 * deleted since) is made with a fresh card first; a closed topic of a reopened ticket is
 * reopened; then the post's own calls (a change's line and its card shown anew; a message
 * and its files); then the topic's name, icon and closed state follow the ticket. A 429 rests the group for `retry_after`; a group that refuses the bot rests a minute
 * (logged and counted, never a crash loop); the post waits meanwhile, nothing lost.
 */
export function createStaffSender(deps: StaffSenderDeps) {
  const { api, store, logger } = deps;
  const t = staffTextsFor(homeLanguage);
  const intervalMs = Math.ceil(60_000 / deps.perMinute);
  let icons: Map<string, string> | undefined;
  let botUsername: string | undefined;
  let refusing = false;

  /** The custom emoji id of a status's icon, if Telegram offers it (the list read once). */
  async function iconFor(status: TicketDto['status']): Promise<string | null> {
    if (!icons) {
      const stickers: Sticker[] = await api.getForumTopicIconStickers();
      icons = new Map(
        stickers.flatMap((s) =>
          s.emoji && s.custom_emoji_id ? [[s.emoji, s.custom_emoji_id]] : [],
        ),
      );
    }
    return icons.get(statusIcons[status]) ?? null;
  }

  async function username(): Promise<string> {
    botUsername ??= (await api.getMe()).username;
    return botUsername;
  }

  async function nameOf(userId: string | null): Promise<string | null> {
    if (!userId) return null;
    const author = (await deps.users.authors([userId])).get(userId);
    return author ? displayName(author) : null;
  }

  async function card(
    ticket: TicketDto,
  ): Promise<{ text: string; buttons: ReturnType<typeof cardButtons> }> {
    const category = await deps.categories
      .get(ticket.category_id, { includeInactive: true })
      .then((c) => c.name)
      .catch(() => '—');
    const text = cardText(t, {
      number: ticket.number,
      title: ticket.title,
      description: ticket.description,
      status: ticket.status,
      priority: ticket.priority,
      customer: (await nameOf(ticket.user_id)) ?? '—',
      category,
      assignee: await nameOf(ticket.assigned_to),
    });
    const buttons = cardButtons(t, ticket.number, {
      botUsername: await username(),
      miniAppUrl: deps.miniAppUrl,
    });
    return { text, buttons };
  }

  /** The card shown anew with the ticket as it is now; "not modified" means it shows that. */
  async function refreshCard(ticket: TicketDto, chatId: number, cardMessageId: number) {
    const { text, buttons } = await card(ticket);
    try {
      await api.editMessageText(chatId, cardMessageId, text, {
        parse_mode: 'HTML',
        reply_markup: { inline_keyboard: buttons },
      });
    } catch (error) {
      if (!isNotModified(error)) throw error;
    }
  }

  /**
   * The post's own calls, in order: a change's line, then its card shown anew; a message's
   * text, then each file.
   */
  async function postSends(
    post: StaffPostRow,
    ticket: TicketDto,
    chatId: number,
    topic: StaffTopicRow,
  ): Promise<{ method: string; run: () => Promise<unknown> }[]> {
    const into = { message_thread_id: topic.messageThreadId };
    if (post.kind === 'change') {
      const change = post.payload as ChangePost;
      const line = changeLine(t, change.changes, {
        actor: await nameOf(change.actor_id),
        assignee: await nameOf((change.changes.assigned_to?.to as string | null) ?? null),
      });
      if (!line) return [];
      const cardId = topic.cardMessageId;
      return [
        {
          method: 'sendMessage',
          run: () => api.sendMessage(chatId, line, { ...into, parse_mode: 'HTML' }),
        },
        ...(cardId === null
          ? []
          : [{ method: 'editMessageText', run: () => refreshCard(ticket, chatId, cardId) }]),
      ];
    }
    if (post.kind !== 'message') return [];
    const message = post.payload as MessagePost;
    const text = messageText(t, {
      author: message.author,
      content: message.content,
      isInternal: message.is_internal,
    });
    return [
      {
        method: 'sendMessage',
        run: () => api.sendMessage(chatId, text, { ...into, parse_mode: 'HTML' }),
      },
      ...message.attachments.map((file) => {
        const method = file.mime_type.startsWith('image/') ? 'sendPhoto' : 'sendDocument';
        return {
          method,
          run: async () => {
            const content = await deps.files.contentOf(file.id);
            if (!content) {
              return api.sendMessage(chatId, t.file_unavailable(file.file_name), into);
            }
            const input = new InputFile(content.bytes, content.fileName);
            return method === 'sendPhoto'
              ? api.sendPhoto(chatId, input, into)
              : api.sendDocument(chatId, input, into);
          },
        };
      }),
    ];
  }

  /** The next call the post needs, or undefined when it is made. */
  async function nextAction(
    post: StaffPostRow,
    ticket: TicketDto,
    chatId: number,
    topic: StaffTopicRow | undefined,
  ): Promise<Action | undefined> {
    const progress = post.progress;
    if (!topic) {
      const look: TopicLook = {
        name: topicName(ticket),
        iconCustomEmojiId: await iconFor(ticket.status),
        closed: false,
      };
      return {
        method: 'createForumTopic',
        progress,
        async run() {
          const made = await api.createForumTopic(chatId, look.name, {
            ...(look.iconCustomEmojiId ? { icon_custom_emoji_id: look.iconCustomEmojiId } : {}),
          });
          await store.saveTopic(ticket.id, chatId, made.message_thread_id, look);
        },
      };
    }
    const threadId = topic.messageThreadId;
    if (topic.cardMessageId === null) {
      const { text, buttons } = await card(ticket);
      return {
        method: 'sendMessage',
        progress,
        async run() {
          const sent = await api.sendMessage(chatId, text, {
            message_thread_id: threadId,
            parse_mode: 'HTML',
            reply_markup: { inline_keyboard: buttons },
          });
          await store.updateTopic(ticket.id, chatId, { cardMessageId: sent.message_id });
        },
      };
    }
    if (topic.closed && ticket.status !== 'closed') {
      return {
        method: 'reopenForumTopic',
        progress,
        async run() {
          await api.reopenForumTopic(chatId, threadId);
          await store.updateTopic(ticket.id, chatId, { closed: false });
        },
      };
    }
    const sends = await postSends(post, ticket, chatId, topic);
    const send = sends[progress];
    if (send) {
      return {
        method: send.method,
        progress: progress + 1,
        async run() {
          await send.run();
        },
      };
    }
    const name = topicName(ticket);
    const icon = await iconFor(ticket.status);
    if (name !== topic.name || icon !== topic.iconCustomEmojiId) {
      return {
        method: 'editForumTopic',
        progress,
        async run() {
          await api.editForumTopic(chatId, threadId, {
            name,
            icon_custom_emoji_id: icon ?? '',
          });
          await store.updateTopic(ticket.id, chatId, { name, iconCustomEmojiId: icon });
        },
      };
    }
    if (ticket.status === 'closed' && !topic.closed) {
      return {
        method: 'closeForumTopic',
        progress,
        async run() {
          await api.closeForumTopic(chatId, threadId);
          await store.updateTopic(ticket.id, chatId, { closed: true });
        },
      };
    }
    return undefined;
  }

  /**
   * Settles a refusal about the ticket's topic (gone, unchanged, closed meanwhile); false when
   * the refusal is about something else.
   */
  async function settleTopic(
    description: string,
    post: StaffPostRow,
    action: Action,
    chatId: number,
    ticket: TicketDto,
    topic: StaffTopicRow,
  ): Promise<boolean> {
    if (topicGone.test(description)) {
      deps.metrics?.staffGroupFailures.inc({ reason: 'topic_gone' });
      logger.info(
        { ticketId: ticket.id, method: action.method, description },
        'staff group: the topic is gone; making it anew',
      );
      await store.forgetTopic(ticket.id, chatId, topic.messageThreadId);
      await store.release(post.id);
      return true;
    }
    if (/TOPIC_NOT_MODIFIED/i.test(description)) {
      await store.updateTopic(ticket.id, chatId, {
        name: topicName(ticket),
        iconCustomEmojiId: await iconFor(ticket.status),
        closed: action.method === 'closeForumTopic' ? true : topic.closed,
      });
      await store.release(post.id);
      return true;
    }
    if (/TOPIC_CLOSED/i.test(description)) {
      // Closed in a client meanwhile: reopened first when the ticket is not closed; a post to
      // the topic of a closed ticket is left out.
      if (ticket.status === 'closed') await store.release(post.id, action.progress);
      else {
        await store.updateTopic(ticket.id, chatId, { closed: true });
        await store.release(post.id);
      }
      return true;
    }
    return false;
  }

  /** Settles a call that failed without a refusal, or with a flood limit: the group rests. */
  async function rest(error: unknown, post: StaffPostRow, action: Action, chatId: number) {
    const context = { ticketId: post.ticketId, postId: post.id, method: action.method };
    if (error instanceof GrammyError && error.error_code === 429) {
      const retryAfter = error.parameters.retry_after ?? 1;
      deps.metrics?.staffGroupFailures.inc({ reason: 'rate_limited' });
      logger.warn({ ...context, retryAfter }, 'staff group: Telegram flood limit; posting paused');
      await store.pause(chatId, retryAfter * 1000);
    } else {
      deps.metrics?.staffGroupFailures.inc({ reason: 'error' });
      logger.warn({ ...context, err: error }, 'staff group: Telegram call failed; retrying soon');
      await store.pause(chatId, errorPauseMs);
    }
    await store.release(post.id);
  }

  /** Settles a failed call; the post is given back (perhaps one step on). */
  async function settle(
    error: unknown,
    post: StaffPostRow,
    action: Action,
    chatId: number,
    ticket: TicketDto,
    topic: StaffTopicRow | undefined,
  ): Promise<void> {
    if (!(error instanceof GrammyError) || error.error_code >= 500 || error.error_code === 429) {
      await rest(error, post, action, chatId);
      return;
    }
    const description = error.description;
    if (topic && (await settleTopic(description, post, action, chatId, ticket, topic))) return;
    const context = { ticketId: post.ticketId, postId: post.id, method: action.method };
    deps.metrics?.staffGroupFailures.inc({ reason: 'refused' });
    if (error.error_code === 403 || groupRefuses.test(description)) {
      if (!refusing) {
        logger.error(
          { ...context, chatId, description },
          'staff group: Telegram refuses the bot there (is it an admin with "Manage topics"?); ' +
            'posts wait, tried again every minute',
        );
      }
      refusing = true;
      await store.pause(chatId, refusedPauseMs);
      await store.release(post.id);
      return;
    }
    // Any other refusal is about this one call (its text, its file): it is left out.
    logger.warn({ ...context, description }, 'staff group: Telegram refused a post; left out');
    await store.release(post.id, Math.max(action.progress, post.progress + 1));
  }

  return {
    /** Makes at most one Telegram call for the first waiting post; true when it made one. */
    async tick(): Promise<boolean> {
      const chatId = (await deps.settings.current()).staff_chat.chat_id;
      if (chatId === null) {
        const dropped = await store.giveUpAll();
        if (dropped > 0) logger.info({ dropped }, 'staff group: none set; waiting posts dropped');
        return false;
      }
      const post = await store.claimNext(deps.leaseMs);
      if (!post) return false;
      const ticket = await deps.tickets.snapshot(post.ticketId);
      if (!ticket) {
        await store.markSent(post.id);
        return false;
      }
      const topic = await store.topicOf(ticket.id, chatId);
      const action = await nextAction(post, ticket, chatId, topic);
      if (!action) {
        await store.markSent(post.id);
        return false;
      }
      if (!(await store.takeTurn(chatId, intervalMs))) {
        await store.release(post.id);
        return false;
      }
      try {
        await action.run();
      } catch (error) {
        await settle(error, post, action, chatId, ticket, topic);
        return true;
      }
      refusing = false;
      deps.metrics?.staffGroupCalls.inc({ method: action.method });
      await store.release(post.id, action.progress);
      return true;
    },
  };
}

/** The staff group's sender. */
export type StaffSender = ReturnType<typeof createStaffSender>;
