import { Composer } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { ticketPriorities, type TicketPriority } from '../../../db/schema.js';
import { homeLanguage } from '../../../i18n/language.js';
import { displayName } from '../../../threads/outbox.js';
import { cardButtons } from '../../../threads/render.js';
import { staffTextsFor } from '../../../threads/texts.js';
import type { TicketDto } from '../../../tickets/schemas.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { refusalText } from '../../refusals.js';

/** What the card's buttons call. */
export type CardButtonDeps = Pick<BotDeps, 'tickets' | 'users' | 'config'>;

/** Staff offered by Assign, at most (Telegram's keyboards stay readable). */
const assignLimit = 24;

/**
 * The buttons of a ticket's card in its staff topic (`threads/render.ts`): Take, Assign (a
 * list of active staff), Priority (the four), Resolve, Close. Each acts through the tickets
 * service with the presser's own rights, as the Mini App does; a refusal is answered on the
 * button in the presser's language. The card's own words stay in the group's language.
 */
export function cardButtonsFeature(deps: CardButtonDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const group = staffTextsFor(homeLanguage);

  const cardKeyboard = (ctx: BotContext, number: number) =>
    cardButtons(group, number, {
      botUsername: ctx.me.username,
      miniAppUrl: deps.config.MINI_APP_URL,
    });

  async function showKeyboard(ctx: BotContext, keyboard: InlineKeyboardButton[][]) {
    await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard } });
  }

  /** Runs a change of ticket `number` and answers the button: `done`, or the refusal. */
  async function act(
    ctx: BotContext,
    number: number,
    change: (ticket: TicketDto) => Promise<unknown>,
    done: string,
  ): Promise<void> {
    try {
      const ticket = await deps.tickets.getByNumber(ctx.principal, number);
      await change(ticket);
    } catch (error) {
      const words = refusalText(error, ctx.t);
      if (words === undefined) throw error;
      await ctx.answerCallbackQuery({ text: words, show_alert: true });
      return;
    }
    await ctx.answerCallbackQuery({ text: done });
  }

  composer.callbackQuery(/^sg:take:(\d+)$/, (ctx) =>
    act(
      ctx,
      Number(ctx.match[1]),
      (ticket) => deps.tickets.assign(ctx.principal, ticket.id, ctx.principal.userId),
      staffTextsFor(ctx.language).taken,
    ),
  );

  composer.callbackQuery(/^sg:resolve:(\d+)$/, (ctx) =>
    act(
      ctx,
      Number(ctx.match[1]),
      (ticket) => deps.tickets.changeStatus(ctx.principal, ticket.id, 'resolved'),
      staffTextsFor(ctx.language).status_set,
    ),
  );

  composer.callbackQuery(/^sg:close:(\d+)$/, (ctx) =>
    act(
      ctx,
      Number(ctx.match[1]),
      (ticket) => deps.tickets.changeStatus(ctx.principal, ticket.id, 'closed'),
      staffTextsFor(ctx.language).status_set,
    ),
  );

  composer.callbackQuery(/^sg:assign:(\d+)$/, async (ctx) => {
    const number = Number(ctx.match[1]);
    const profiles = (await deps.users.activeStaffProfiles()).slice(0, assignLimit);
    const authors = await deps.users.authors(profiles.map((p) => p.id));
    if (authors.size === 0) {
      await ctx.answerCallbackQuery({ text: staffTextsFor(ctx.language).no_staff });
      return;
    }
    const people = [...authors.values()].map((author) => ({
      text: displayName(author),
      callback_data: `sg:to:${number}:${author.id}`,
    }));
    const rows: InlineKeyboardButton[][] = [];
    for (let i = 0; i < people.length; i += 2) rows.push(people.slice(i, i + 2));
    await showKeyboard(ctx, [...rows, [{ text: group.back, callback_data: `sg:back:${number}` }]]);
    await ctx.answerCallbackQuery();
  });

  composer.callbackQuery(/^sg:to:(\d+):([0-9a-f-]{36})$/, async (ctx) => {
    const number = Number(ctx.match[1]);
    const assignee = ctx.match[2] ?? '';
    await act(
      ctx,
      number,
      (ticket) => deps.tickets.assign(ctx.principal, ticket.id, assignee),
      staffTextsFor(ctx.language).assigned,
    );
    await showKeyboard(ctx, cardKeyboard(ctx, number));
  });

  composer.callbackQuery(/^sg:prio:(\d+)$/, async (ctx) => {
    const number = Number(ctx.match[1]);
    await showKeyboard(ctx, [
      ticketPriorities.map((priority) => ({
        text: group.names.priorities[priority],
        callback_data: `sg:p:${number}:${priority}`,
      })),
      [{ text: group.back, callback_data: `sg:back:${number}` }],
    ]);
    await ctx.answerCallbackQuery();
  });

  composer.callbackQuery(/^sg:p:(\d+):(low|normal|high|critical)$/, async (ctx) => {
    const number = Number(ctx.match[1]);
    const priority = ctx.match[2] as TicketPriority;
    await act(
      ctx,
      number,
      (ticket) => deps.tickets.update(ctx.principal, ticket.id, { priority }),
      staffTextsFor(ctx.language).priority_set,
    );
    await showKeyboard(ctx, cardKeyboard(ctx, number));
  });

  composer.callbackQuery(/^sg:back:(\d+)$/, async (ctx) => {
    await showKeyboard(ctx, cardKeyboard(ctx, Number(ctx.match[1])));
    await ctx.answerCallbackQuery();
  });
  return composer;
}
