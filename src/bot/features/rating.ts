import { Composer } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { DomainError } from '../../errors.js';
import { stars, textsFor as noticeTextsFor } from '../../notifications/texts.js';
import { commentData, ratingData, ratingPressOf, scoreRow } from '../../ratings/rating-buttons.js';
import { ratingCommentMax } from '../../ratings/schemas.js';
import { isNotModified } from '../../telegram/edit-refusals.js';
import { openTicketButton } from '../../telegram/mini-app-button.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';

/** A comment the bot waits for after "Add a comment": on which ticket, asked when. */
interface AwaitedComment {
  ticketId: string;
  askedAt: string;
}

/**
 * How long after "Add a comment" the next text message is taken as the comment: long enough to
 * type it, short enough that a message written much later is not taken for one.
 */
const commentWaitMs = 30 * 60 * 1000;

/** The words of a rating refusal the customer can act on, or undefined for any other error. */
function refusalWords(ctx: BotContext, error: unknown): string | undefined {
  if (!(error instanceof DomainError)) return undefined;
  if (error.code === 'rating_final') return ctx.t.rating.final;
  if (error.code === 'not_resolved' || error.status === 404) return ctx.t.rating.not_resolved;
  return undefined;
}

/**
 * Runs a rating change; a refusal the customer can act on (a day has passed, the ticket was
 * reopened) is answered in their words and resolves to undefined. Any other error goes on to
 * the bot's error boundary.
 */
async function orRefused<T>(ctx: BotContext, change: () => Promise<T>): Promise<T | undefined> {
  try {
    return await change();
  } catch (error) {
    const words = refusalWords(ctx, error);
    if (words === undefined) throw error;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: words, show_alert: true });
    else await ctx.reply(words);
    return undefined;
  }
}

/**
 * The customer's rating in Telegram (CSAT): a resolved ticket's notice asks "How did we do?"
 * with buttons 1–5 (`notifications/deliver-notification.ts`). A press saves the score through
 * the ratings service (pressed again within the day, it changes), answers the button and edits
 * the notice to the chosen score with "Add a comment"; after that button the next text message
 * (within 30 minutes, not a command) is the rating's comment. The wait is kept in the bot's
 * state store, so another bot process takes the comment too.
 */
export function ratingFeature(
  deps: Pick<BotDeps, 'ratings' | 'tickets' | 'state' | 'clock' | 'config'>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const awaited = deps.state.storage<AwaitedComment>('rating:comment');

  /** The rated notice's buttons: the scores (the chosen marked), a comment, the ticket. */
  function ratedKeyboard(ctx: BotContext, ticketId: string, number: number, score: number) {
    const open = openTicketButton(
      deps.config.MINI_APP_URL,
      number,
      noticeTextsFor(ctx.user.languageCode).open_button,
    );
    const rows: InlineKeyboardButton[][] = [
      scoreRow(ticketId, score),
      [{ text: ctx.t.rating.comment_button, callback_data: commentData(ticketId) }],
    ];
    if (open) rows.push([open]);
    return { inline_keyboard: rows };
  }

  composer.callbackQuery(ratingData, async (ctx) => {
    const press = ratingPressOf(ctx.callbackQuery.data);
    if (!press) return;
    const { ticketId } = press;
    if ('comment' in press) {
      const state = await orRefused(ctx, () => deps.ratings.current(ctx.principal, ticketId));
      if (!state) return;
      if (!state.can_rate || !state.rating) {
        const words = state.rating ? ctx.t.rating.final : ctx.t.rating.not_resolved;
        await ctx.answerCallbackQuery({ text: words, show_alert: true });
        return;
      }
      await awaited.write(String(ctx.chat?.id ?? ctx.from.id), {
        ticketId,
        askedAt: deps.clock.now().toISOString(),
      });
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t.rating.comment_prompt(ratingCommentMax));
      return;
    }
    const rating = await orRefused(ctx, () =>
      deps.ratings.rate(ctx.principal, ticketId, { score: press.score }),
    );
    if (!rating) return;
    await ctx.answerCallbackQuery(ctx.t.rating.saved(rating.score));
    const ticket = await deps.tickets.get(ctx.principal, ticketId);
    try {
      await ctx.editMessageText(
        ctx.t.rating.rated(ticket.number, ticket.title, stars(rating.score)),
        {
          parse_mode: 'HTML',
          reply_markup: ratedKeyboard(ctx, ticketId, ticket.number, rating.score),
        },
      );
    } catch (error) {
      // The same score pressed again: the message already shows it.
      if (!isNotModified(error)) throw error;
    }
  });

  composer.on('message:text', async (ctx, next) => {
    if (ctx.message.text.startsWith('/')) return next();
    const key = String(ctx.chat.id);
    // Taken in one statement: of two messages handled at once, only one is the comment.
    const waiting = await awaited.take(key, {});
    if (!waiting) return next();
    const askedAt = new Date(waiting.askedAt).getTime();
    if (deps.clock.now().getTime() - askedAt > commentWaitMs) return next();
    const comment = ctx.message.text.trim();
    if (comment.length > ratingCommentMax) {
      await awaited.write(key, waiting);
      await ctx.reply(ctx.t.rating.comment_too_long(ratingCommentMax));
      return;
    }
    const state = await orRefused(ctx, () => deps.ratings.current(ctx.principal, waiting.ticketId));
    if (!state?.rating) {
      if (state) await ctx.reply(ctx.t.rating.not_resolved);
      return;
    }
    const { score } = state.rating;
    const saved = await orRefused(ctx, () =>
      deps.ratings.rate(ctx.principal, waiting.ticketId, { score, comment }),
    );
    if (saved) await ctx.reply(ctx.t.rating.comment_saved);
  });

  return composer;
}
