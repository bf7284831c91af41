import { autoRetry } from '@grammyjs/auto-retry';
import { limit } from '@grammyjs/ratelimiter';
import { Bot, type BotError, type MiddlewareFn } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { isDatabaseUnavailable } from '../db/errors.js';
import { createOutageLog } from '../db/outage-log.js';
import type { UserRow } from '../db/schema.js';
import { languageOf } from '../i18n/language.js';
import { runInLogContext, updateLogContext } from '../platform/log-context.js';
import { botApiClientOptions } from '../telegram/bot-api.js';
import type { BotContext } from './context.js';
import type { BotDeps } from './deps.js';
import { adminFeature } from './features/admin/index.js';
import { cannedRepliesFeature } from './features/canned-replies.js';
import { chatRepliesFeature } from './features/chat-replies.js';
import { freeTextFeature } from './features/free-text.js';
import { ratingFeature } from './features/rating.js';
import { settingsFeature } from './features/settings.js';
import { staffGroupGate } from './features/staff-group/index.js';
import { startFeature } from './features/start.js';
import { telegramEditsFeature } from './features/telegram-edits.js';
import { ticketTopicsFeature } from './features/ticket-topics.js';
import { leaveSupportFormOnCommand, supportFeature } from './features/support/index.js';
import { answerRefusal } from './refusals.js';
import { textsFor } from './texts/index.js';

/**
 * Updates one user may send per `floodWindowMs` before the bot asks them to slow down: room
 * for an album of 10 photos (each its own update) and a couple more.
 */
const floodLimit = 12;
const floodWindowMs = 3_000;

/**
 * The flood counter on the shared rate-limit store (Redis when configured), in the shape the
 * ratelimiter plugin takes: every bot process counts one limit, and a user's window starts at
 * their first update. Should the store fail, updates pass rather than fail.
 */
function floodCounter(deps: Pick<BotDeps, 'rateLimitStore' | 'logger'>) {
  return {
    async incr(key: string): Promise<number> {
      try {
        return (await deps.rateLimitStore.hit(key, floodWindowMs)).count;
      } catch (error) {
        deps.logger.warn({ err: error }, 'bot: the flood counter is unavailable');
        return 1;
      }
    },
    // The store's window already ends by itself.
    pexpire: () => Promise.resolve(1),
  };
}

/** Tells a flooding user to slow down; a failure to tell them is only logged. */
async function warnFlood(deps: Pick<BotDeps, 'logger'>, ctx: BotContext): Promise<void> {
  try {
    await ctx.reply(textsFor(languageOf(ctx.from?.language_code)).common.slow_down);
  } catch (error) {
    deps.logger.warn({ err: error }, 'bot: could not send the flood warning');
  }
}

/**
 * Counts every update that reaches the bot, flooded ones included (`ttb_bot_updates_total`), and
 * those whose handling failed (`ttb_bot_errors_total`), in polling and webhook mode alike: the
 * error goes on to `bot.catch` or, for a queued webhook update, to the job's retry.
 */
function countUpdates(deps: Pick<BotDeps, 'metrics'>): MiddlewareFn<BotContext> {
  return async (_ctx, next) => {
    deps.metrics.botUpdates.inc();
    try {
      await next();
    } catch (error) {
      deps.metrics.botErrors.inc();
      throw error;
    }
  };
}

/**
 * Sets who is writing: creates or refreshes the sender from their Telegram profile, picks their
 * language, follows the user blocking or unblocking the bot, and stops blocked accounts here.
 * Updates without a human sender (channel posts, other
 * bots) and chats other than private ones go no further (the staff group's were taken before,
 * by `features/staff-group/`).
 */
function identify(deps: Pick<BotDeps, 'users' | 'clock'>): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    if (!from || from.is_bot || (ctx.chat && ctx.chat.type !== 'private')) return;
    const user = await deps.users.upsertFromTelegram({
      id: from.id,
      first_name: from.first_name,
      ...(from.last_name ? { last_name: from.last_name } : {}),
      ...(from.username ? { username: from.username } : {}),
      ...(from.language_code ? { language_code: from.language_code } : {}),
      ...(from.is_premium ? { is_premium: true } : {}),
    });
    ctx.user = user;
    ctx.principal = { userId: user.id, role: user.role, sessionId: '' };
    ctx.language = languageOf(user.languageCode);
    ctx.t = textsFor(ctx.language);
    if (ctx.myChatMember) {
      await followChatMember(deps, user, ctx.myChatMember.new_chat_member.status);
      return;
    }
    if (!user.isActive) {
      // An inline query has no chat to answer in: it gets no results.
      if (ctx.inlineQuery) {
        await ctx.answerInlineQuery([], { is_personal: true });
        return;
      }
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t.common.account_blocked);
      return;
    }
    // Writing to the bot again means they unblocked it: notifications may reach them again.
    if (user.botBlockedAt) await deps.users.markBotReachable(user.id);
    await next();
  };
}

/**
 * Telegram's word that the user blocked (`kicked`) or unblocked the bot: notifications stop or
 * resume at once, without waiting for a 403. Nothing is answered: a blocked chat takes nothing.
 */
async function followChatMember(
  deps: Pick<BotDeps, 'users' | 'clock'>,
  user: UserRow,
  status: string,
): Promise<void> {
  if (status === 'kicked') {
    if (!user.botBlockedAt) await deps.users.markBotBlocked(user.id, deps.clock.now());
  } else if (user.botBlockedAt) {
    await deps.users.markBotReachable(user.id);
  }
}

/**
 * What the bot does with an update whose handling failed: logs and reports it (a database outage
 * warned once per cause, not per update, as every update fails alike meanwhile) and tells the
 * user politely.
 */
function answerFailure(
  deps: Pick<BotDeps, 'logger' | 'errors'>,
): (failure: BotError<BotContext>) => Promise<void> {
  const logOutage = createOutageLog(deps.logger);
  return async ({ ctx, error }) => {
    if (isDatabaseUnavailable(error)) logOutage(error, 'bot: database unavailable');
    else {
      deps.logger.error({ err: error, update: ctx.update.update_id }, 'bot handler failed');
      deps.errors.report(error, {
        role: 'bot',
        updateId: ctx.update.update_id,
        ...(ctx.user ? { userId: ctx.user.id } : {}),
      });
    }
    const t = textsFor(languageOf(ctx.from?.language_code));
    if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
    if (ctx.chat) {
      await ctx.reply(t.common.error).catch((replyError: unknown) => {
        deps.logger.warn({ err: replyError }, 'bot: could not send the error reply');
      });
    }
  };
}

/**
 * The bot: grammY against `TELEGRAM_API_ROOT` with the Bot API time-out, retrying Telegram's
 * 429s, a per-user flood limit, the sender identified, then each feature's handlers. A
 * service's refusal is answered in the user's words (`refusals.ts`); other errors are logged,
 * reported, and answered politely.
 */
export function createBot(deps: BotDeps, botInfo?: UserFromGetMe): Bot<BotContext> {
  const token = deps.config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('the bot needs TELEGRAM_BOT_TOKEN');
  const bot = new Bot<BotContext>(token, {
    client: botApiClientOptions(deps.config.TELEGRAM_API_ROOT),
    ...(botInfo ? { botInfo } : {}),
  });
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  // Every line logged while an update is handled (and every job it queues) carries its ids.
  bot.use((ctx, next) => runInLogContext(updateLogContext(ctx.update.update_id), next));
  bot.use(countUpdates(deps));

  bot.use(
    limit({
      timeFrame: floodWindowMs,
      limit: floodLimit,
      keyGenerator: (ctx) => ctx.from?.id.toString(),
      keyPrefix: 'bot-flood:',
      storageClient: floodCounter(deps),
      // Called once per window, on the first update over the limit; later ones are dropped.
      onLimitExceeded: (ctx) => {
        void warnFlood(deps, ctx);
      },
    }),
  );
  // The staff group's updates go to its own features; other groups' stop there.
  bot.use(staffGroupGate(deps));
  bot.use(identify(deps));
  // A service's refusal that no handler answered is told to the user in their words.
  bot.errorBoundary(
    answerRefusal,
    // Another command closes a half-filled /support form before that command's feature runs.
    leaveSupportFormOnCommand(deps),
    // Features, in order: the first to handle an update ends it. Free text comes last.
    startFeature(deps),
    adminFeature(deps),
    settingsFeature(deps),
    // After "Add a comment" the next text is the rating's comment, wherever it is written.
    ratingFeature(deps),
    // Inline queries (`@bot refund`): staff's canned replies.
    cannedRepliesFeature(deps),
    // A message in a ticket's topic is the ticket's, even while a /support form is open.
    ticketTopicsFeature(deps),
    telegramEditsFeature(deps),
    supportFeature(deps),
    chatRepliesFeature(deps),
    freeTextFeature(deps),
  );

  // grammY calls its error handler once the update's middleware has ended, outside its context.
  const answer = answerFailure(deps);
  bot.catch((failure) =>
    runInLogContext(updateLogContext(failure.ctx.update.update_id), () => answer(failure)),
  );
  return bot;
}
