import { GrammyError, type Api } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import {
  deliveryJobOptions,
  deliveryQueue,
  wantsTelegram,
  type DeliveryJob,
  type NotificationService,
} from './service.js';
import type { NotificationRow } from './schemas.js';
import { excerpt, textsFor } from './texts.js';
import type { Clock } from '../platform/clock.js';
import type { DeliveryFailure, Metrics } from '../platform/metrics.js';
import type { JobHandler, JobQueue } from '../platform/queue.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';
import { isNotModified, isThreadGone } from '../telegram/edit-refusals.js';
import type { TopicOpener } from '../customer-topics/topic-opener.js';
import { escapeHtml } from '../telegram/html.js';
import { openTicketButton, webAppUrl } from '../telegram/mini-app-button.js';
import type { TicketService } from '../tickets/service.js';
import { scoreRow } from '../ratings/rating-buttons.js';
import type { RatingService } from '../ratings/service.js';
import type { DeliveryProfile, UserService } from '../users/service.js';
import type { SendLimiter } from './send-limiter.js';
import { quietUntil, supportTimeZone } from './quiet-hours.js';
import type { SettingsService } from '../settings/service.js';

/**
 * How long a claim holds by default (`NOTIFY_CLAIM_LEASE_S`): as long as a delivery job may run
 * before pg-boss retries it, and longer than a Bot API call may take (`telegram/bot-api.ts`), so
 * a live sender keeps its row.
 */
export const claimLeaseMs = deliveryJobOptions.expireInSeconds * 1000;

/**
 * How often a worker looks for lapsed claims (`reclaimLapsed`): a twelfth of the lease (5 s of
 * 60 s), so a row whose sender died is queued again at most lease + lease / 12 after its claim.
 */
export function reclaimEveryMs(leaseMs: number): number {
  return Math.max(100, Math.round(leaseMs / 12));
}

/** Thrown when another worker holds the row: the job is retried after its claim runs out. */
export class ClaimedElsewhere extends Error {
  override name = 'ClaimedElsewhere';
}

/** Telegram's limit of a message's text, counted after entity parsing (`sendMessage`). */
export const telegramTextLimit = 4096;

/** The longest title shown; the content gets the rest of the message. */
const titleLimit = 256;

/**
 * The Telegram message of a notification: bold title, then the text, all escaped. The plain
 * texts are cut to fit Telegram's limit before escaping, so no entity is ever cut.
 */
export function renderNotification(row: Pick<NotificationRow, 'title' | 'content'>): string {
  const title = excerpt(row.title, titleLimit);
  const content = excerpt(row.content, telegramTextLimit - title.length - 1);
  return `<b>${escapeHtml(title)}</b>\n${escapeHtml(content)}`;
}

/** What the delivery worker runs on. */
export interface DeliveryDeps {
  db: Db;
  notifications: NotificationService;
  users: UserService;
  tickets: Pick<TicketService, 'numberOf'>;
  queue: JobQueue;
  api: Api;
  limiter: SendLimiter;
  clock: Clock;
  logger: Logger;
  miniAppUrl: string | undefined;
  /** How long a claim holds (default `claimLeaseMs`; shorter in tests). */
  leaseMs?: number;
  /** The saved settings: quiet hours are read in the support hours' time zone. */
  settings: Pick<SettingsService, 'current'>;
  /** The zone quiet hours are read in, instead of the settings' (tests pass one). */
  quietHoursZone?: () => string | Promise<string>;
  /** Where delivery lag and failures are recorded (none: not recorded). */
  metrics?: Pick<Metrics, 'deliveryLag' | 'deliveryFailures'>;
  /**
   * The tickets' topics in their customers' chats (none: every notice goes to the main chat):
   * a customer's notice about their ticket goes into its topic.
   */
  opener?: Pick<TopicOpener, 'threadFor' | 'lost'>;
  /**
   * The customers' ratings (none: nobody is asked): a resolved ticket's status notice to its
   * customer asks "How did we do?" with buttons 1–5 (`bot/features/rating.ts` takes the press).
   */
  ratings?: Pick<RatingService, 'asks'>;
}

/**
 * How a notification's message is formatted: HTML, no link previews, and a button opening the
 * Mini App at its ticket or, for the daily digest (a reminder about no one ticket), at its start.
 */
export function notificationMessageOptions(
  row: NotificationRow,
  profile: DeliveryProfile,
  ticketNumber: number | null,
  miniAppUrl: string | undefined,
) {
  const t = textsFor(profile.languageCode);
  let button: InlineKeyboardButton | undefined;
  if (ticketNumber !== null) button = openTicketButton(miniAppUrl, ticketNumber, t.open_button);
  else if (row.type === 'reminder') {
    const url = webAppUrl(miniAppUrl);
    if (url !== undefined) button = { text: t.open_app_button, web_app: { url } };
  }
  return {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
    ...(button ? { reply_markup: { inline_keyboard: [[button]] } } : {}),
  };
}

/** The failure reason of a Telegram refusal or error (`ttb_notification_delivery_failures_total`). */
function failureOf(error: unknown): DeliveryFailure {
  if (!(error instanceof GrammyError) || error.error_code >= 500) return 'error';
  if (error.error_code === 429) return 'rate_limited';
  return error.error_code === 403 ? 'blocked' : 'refused';
}

/**
 * Sends one notification to its recipient's Telegram chat, once: the row is claimed before the
 * send and marked delivered after it. A notice that counts follow-ups and was sent already is
 * edited in place to its latest words instead (`editMessageText`); "message is not modified" is
 * taken as shown, and a message Telegram can no longer edit (deleted by the user, say) is
 * replaced by a new one. A 429 pauses every sender for `retry_after` and queues the
 * notification again after it (not a failure); a 403 marks the user unreachable; a 400 (no such
 * chat) is given up; anything else (network, 5xx) throws, and pg-boss retries with backoff.
 * Rows given up (403, 400, muted, recipient blocked or gone, ticket gone) are marked so, and no
 * later job or start-up sweep sends them. During the recipient's quiet hours a new message is
 * held: its job is queued again to start as they end (`quiet-hours.ts`).
 */
export function createDeliveryHandler(deps: DeliveryDeps): JobHandler<DeliveryJob> {
  const { db, notifications, users, tickets, queue, api, limiter, clock, logger } = deps;
  const ticketMessages = createTicketMessages(db);

  const messageOptions = (
    row: NotificationRow,
    profile: DeliveryProfile,
    ticketNumber: number | null,
  ) => notificationMessageOptions(row, profile, ticketNumber, deps.miniAppUrl);

  /**
   * The topic a notice goes into: its ticket's, in the customer's chat, for a customer's notice
   * about their own ticket where the bot has topics; none (the main chat) otherwise. Staff-only
   * notices stay in the main chat, where a reply to them is an internal note.
   */
  async function threadOf(row: NotificationRow): Promise<number | undefined> {
    if (!deps.opener || !row.ticketId || row.internal) return undefined;
    return deps.opener.threadFor(row.ticketId, row.userId);
  }

  /**
   * Sends the notice, into its ticket's topic when it has one. A topic the user deleted is made
   * again (a new topic with a fresh card) and the notice goes there: nothing is lost.
   */
  /**
   * Whether the notice asks its customer to rate the ticket's resolution: a status notice to
   * them while that resolution may be rated (`RatingService.asks`).
   */
  async function asksRating(row: NotificationRow): Promise<boolean> {
    if (!deps.ratings || row.type !== 'status_changed' || !row.ticketId || row.internal) {
      return false;
    }
    return deps.ratings.asks({
      ticketId: row.ticketId,
      userId: row.userId,
      createdAt: row.createdAt,
    });
  }

  /**
   * The message of a notice: its words and button, and for a resolved ticket's customer the
   * question "How did we do?" with the 1–5 buttons above the button opening the ticket.
   */
  async function messageOf(
    row: NotificationRow,
    profile: DeliveryProfile,
    ticketNumber: number | null,
  ) {
    const text = renderNotification(row);
    const options = messageOptions(row, profile, ticketNumber);
    if (!row.ticketId || !(await asksRating(row))) return { text, options };
    const question = textsFor(profile.languageCode).rating_question;
    const below = options.reply_markup?.inline_keyboard ?? [];
    return {
      text: `${text}\n\n${escapeHtml(question)}`,
      options: {
        ...options,
        reply_markup: { inline_keyboard: [scoreRow(row.ticketId), ...below] },
      },
    };
  }

  async function send(
    row: NotificationRow,
    profile: DeliveryProfile,
    ticketNumber: number | null,
  ): Promise<number> {
    const { text, options } = await messageOf(row, profile, ticketNumber);
    const sendInto = async (threadId: number | undefined) =>
      api.sendMessage(
        profile.telegramId,
        text,
        threadId === undefined ? options : { ...options, message_thread_id: threadId },
      );
    const threadId = await threadOf(row);
    try {
      return (await sendInto(threadId)).message_id;
    } catch (error) {
      if (threadId === undefined || !row.ticketId || !isThreadGone(error)) throw error;
      await deps.opener?.lost(row.ticketId, threadId);
      return (await sendInto(await threadOf(row))).message_id;
    }
  }

  /**
   * Edits the message already sent to the row's latest words (the same button kept); the
   * message that now shows them. Telegram's "not modified" means it shows them already; any
   * other 400 (the message deleted, or no longer editable) is answered with a new message.
   */
  async function edit(
    row: NotificationRow,
    messageId: number,
    profile: DeliveryProfile,
    ticketNumber: number | null,
  ): Promise<number> {
    try {
      const text = renderNotification(row);
      await api.editMessageText(
        profile.telegramId,
        messageId,
        text,
        messageOptions(row, profile, ticketNumber),
      );
      return messageId;
    } catch (error) {
      if (isNotModified(error)) return messageId;
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      logger.info(
        { notificationId: row.id, description: error.description },
        'the notice could not be edited: sending it anew',
      );
      return send(row, profile, ticketNumber);
    }
  }

  /**
   * Notes which ticket the sent message is about, so the user's reply to it lands on that
   * ticket. The message is out already: a failure here is logged, never a reason to resend.
   */
  async function remember(row: NotificationRow, chatId: number, messageId: number) {
    if (!row.ticketId) return;
    try {
      await ticketMessages.record(chatId, messageId, {
        ticketId: row.ticketId,
        internal: row.internal,
      });
    } catch (error) {
      logger.warn({ err: error, notificationId: row.id }, 'the sent notification was not recorded');
    }
  }

  /**
   * Settles a failed send: true when handled here (the row given up or queued again), false when
   * the job should fail and be retried (the row is given back first).
   */
  async function settle(error: unknown, row: NotificationRow, job: DeliveryJob): Promise<boolean> {
    deps.metrics?.deliveryFailures.inc({ reason: failureOf(error) });
    if (!(error instanceof GrammyError) || error.error_code >= 500) {
      await notifications.release(row.id);
      return false;
    }
    const context = { notificationId: row.id, userId: row.userId, description: error.description };
    if (error.error_code === 429) {
      await notifications.release(row.id);
      const retryAfter = error.parameters.retry_after ?? 1;
      await limiter.pause(retryAfter);
      await queue.send<DeliveryJob>(deliveryQueue, job, {
        ...deliveryJobOptions,
        startAfter: retryAfter,
      });
      logger.warn({ ...context, retryAfter }, 'Telegram flood limit: sending paused');
      return true;
    }
    await notifications.giveUp(row.id);
    if (error.error_code === 403) {
      await users.markBotBlocked(row.userId, clock.now());
      logger.info(context, 'the user blocked the bot: no more Telegram messages to them');
    } else {
      logger.warn({ ...context, code: error.error_code }, 'Telegram refused the notification');
    }
    return true;
  }

  return async ({ data }) => {
    // The turn to send is taken before the claim, so a long wait (a 429 pause) never outlasts
    // the claim's lease and lets another worker send the same row meanwhile.
    await limiter.acquire();
    const claim = await notifications.claim(data.notification_id, deps.leaseMs ?? claimLeaseMs);
    if (claim.state === 'done') return;
    if (claim.state === 'busy') {
      throw new ClaimedElsewhere(`notification ${data.notification_id} is being sent elsewhere`);
    }
    const { row } = claim;
    const ticketNumber = row.ticketId ? await tickets.numberOf(row.ticketId) : null;
    const [profile] = await users.deliveryProfiles(db, [row.userId]);
    // A ticket deleted since takes its notifications with it; nothing to open, nothing to send.
    const ticketGone = row.ticketId !== null && ticketNumber === null;
    if (ticketGone || !profile || !wantsTelegram(profile, row.type, row.ticketId)) {
      await notifications.giveUp(row.id);
      return;
    }
    const sentBefore = row.deliveredAt === null ? null : row.telegramMessageId;
    // Quiet hours hold a new message (an edit makes no sound): the row is given back and its
    // job queued again to start as they end; pg-boss keeps it until then (docs/operations.md).
    const zone = await (deps.quietHoursZone ?? supportTimeZone(deps.settings))();
    const until =
      sentBefore === null
        ? quietUntil(profile.notificationSettings.quiet_hours, clock.now(), zone)
        : null;
    if (until) {
      await notifications.release(row.id);
      await queue.send<DeliveryJob>(deliveryQueue, data, {
        ...deliveryJobOptions,
        startAfter: until,
      });
      return;
    }
    let messageId: number;
    try {
      messageId =
        sentBefore === null
          ? await send(row, profile, ticketNumber)
          : await edit(row, sentBefore, profile, ticketNumber);
    } catch (error) {
      if (await settle(error, row, data)) return;
      throw error;
    }
    if (messageId !== sentBefore) await remember(row, profile.telegramId, messageId);
    await notifications.markDelivered(row.id, { messageId, shownCount: row.messageCount });
    // The lag of the first delivery; an edit to newer words is not a new delivery.
    if (sentBefore === null) {
      const lagMs = clock.now().getTime() - row.createdAt.getTime();
      deps.metrics?.deliveryLag.observe(Math.max(0, lagMs) / 1000);
    }
  };
}
