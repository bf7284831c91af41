import { Composer, InlineKeyboard } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { can, isStaff } from '../../auth/permissions.js';
import type { SetupChecklist } from '../../setup/checklist.js';
import type { TicketDto } from '../../tickets/schemas.js';
import { userTicketListQuery } from '../../tickets/schemas.js';
import { escapeHtml } from '../../telegram/html.js';
import { openTicketButton, webAppUrl } from '../../telegram/mini-app-button.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { attempt } from '../refusals.js';
import type { TicketSummary } from '../texts/common.js';
import { formActions } from './support/form-view.js';

/** What everyone's commands call. */
type StartDeps = Pick<
  BotDeps,
  'tickets' | 'ticketMessages' | 'checklist' | 'config' | 'clock' | 'settings'
>;

/** Callback data of the menu and /status buttons. */
export const startActions = {
  status: 'start:status',
  ticket: 'start:ticket:',
} as const;

/** How many tickets /status lists. */
const statusLimit = 10;

function summary(ticket: TicketDto): TicketSummary {
  return {
    number: ticket.number,
    title: ticket.title,
    status: ticket.status,
    priority: ticket.priority,
    updatedAt: new Date(ticket.updated_at),
  };
}

/** The main menu: the Mini App (when it can open), a new ticket, my tickets. */
function mainMenu(ctx: BotContext, appUrl: string | undefined): InlineKeyboard {
  const b = ctx.t.common.button;
  const keyboard = new InlineKeyboard();
  if (appUrl) keyboard.webApp(b.open_app, appUrl).row();
  return keyboard.text(b.new_ticket, formActions.start).text(b.my_tickets, startActions.status);
}

/**
 * The greeting an admin saved for the user's language (plain text, escaped here), or the
 * built-in one when that is empty.
 */
async function greeting(ctx: BotContext, deps: Pick<StartDeps, 'settings'>): Promise<string> {
  const saved = (await deps.settings.current()).greeting[ctx.language];
  return saved === '' ? ctx.t.common.welcome(ctx.user.firstName) : escapeHtml(saved);
}

async function sendWelcome(
  ctx: BotContext,
  deps: Pick<StartDeps, 'config' | 'settings'>,
): Promise<void> {
  const appUrl = webAppUrl(deps.config.MINI_APP_URL);
  const t = ctx.t.common;
  const welcome = await greeting(ctx, deps);
  const text = appUrl ? welcome : `${welcome}\n\n${t.app_hint(deps.config.MINI_APP_URL)}`;
  await ctx.reply(text, {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    reply_markup: mainMenu(ctx, appUrl),
  });
}

/** The owner's checklist of what this install has set up, under the greeting. */
async function sendChecklist(ctx: BotContext, checklist: SetupChecklist): Promise<void> {
  await ctx.reply(ctx.t.setup.checklist(await checklist.read(ctx.language)), {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  });
}

/**
 * The card of ticket `number` if the user may see it (recorded, so a reply to it lands on the
 * ticket), else a clear "not found".
 */
async function sendTicketCard(ctx: BotContext, deps: StartDeps, number: number): Promise<void> {
  const found = await attempt(ctx, { what: 'ticket', number }, () =>
    deps.tickets.getByNumber(ctx.principal, number),
  );
  if (!found.ok) {
    await ctx.reply(found.words);
    return;
  }
  const ticket = found.value;
  const button = openTicketButton(
    deps.config.MINI_APP_URL,
    ticket.number,
    ctx.t.common.button.open_ticket(ticket.number),
  );
  const sent = await ctx.reply(ctx.t.common.ticket_card(summary(ticket), deps.clock.now()), {
    parse_mode: 'HTML',
    ...(button ? { reply_markup: { inline_keyboard: [[button]] } } : {}),
  });
  await deps.ticketMessages.record(sent.chat.id, sent.message_id, {
    ticketId: ticket.id,
    internal: false,
  });
}

/** The user's own tickets that are not resolved or closed, newest activity first. */
async function activeTickets(
  ctx: BotContext,
  deps: Pick<StartDeps, 'tickets'>,
): Promise<TicketDto[]> {
  const query = userTicketListQuery.parse({
    status: 'open,in_progress,waiting',
    sort: '-updated_at',
    limit: statusLimit,
  });
  const page = await deps.tickets.listForUser(ctx.principal, ctx.user.id, query);
  return page.items;
}

/** A button opening the ticket: in the Mini App when it can, else its card in the chat. */
function ticketButton(
  ctx: BotContext,
  deps: Pick<StartDeps, 'config'>,
  ticket: TicketDto,
): InlineKeyboardButton {
  const text = ctx.t.common.button.open_ticket(ticket.number);
  return (
    openTicketButton(deps.config.MINI_APP_URL, ticket.number, text) ?? {
      text,
      callback_data: `${startActions.ticket}${ticket.number}`,
    }
  );
}

async function sendStatus(ctx: BotContext, deps: StartDeps): Promise<void> {
  const t = ctx.t.common;
  const tickets = await activeTickets(ctx, deps);
  if (tickets.length === 0) {
    await ctx.reply(t.status_empty, {
      reply_markup: new InlineKeyboard().text(t.button.new_ticket, formActions.start),
    });
    return;
  }
  const now = deps.clock.now();
  const lines = tickets.map((ticket) => t.status_line(summary(ticket), now));
  const buttons = tickets.map((ticket) => [ticketButton(ctx, deps, ticket)]);
  await ctx.reply([t.status_heading(tickets.length), ...lines].join('\n\n'), {
    parse_mode: 'HTML',
    reply_markup: { inline_keyboard: buttons },
  });
}

async function sendTicketsLink(ctx: BotContext, deps: Pick<StartDeps, 'config'>): Promise<void> {
  const appUrl = webAppUrl(deps.config.MINI_APP_URL);
  const t = ctx.t.common;
  if (!appUrl) {
    await ctx.reply(t.tickets_no_app(deps.config.MINI_APP_URL), {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    return;
  }
  await ctx.reply(t.tickets_open, {
    reply_markup: new InlineKeyboard().webApp(t.button.open_app, appUrl),
  });
}

/** `ticket_<n>` start payloads (from Mini App and notification deep links). */
function ticketPayload(payload: string): number | undefined {
  const match = /^ticket_(\d{1,9})$/.exec(payload.trim());
  return match?.[1] ? Number(match[1]) : undefined;
}

/**
 * Everyone's commands: `/start` (greeting and main menu, for owners followed by the setup
 * checklist; or a ticket's card for a `ticket_<n>` payload), `/help`, `/tickets` (the Mini
 * App's list) and `/status` (active tickets). Cards of one ticket are recorded so replies to
 * them land on that ticket.
 */
export function startFeature(deps: StartDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('start', async (ctx) => {
    const number = ticketPayload(ctx.match);
    if (number !== undefined) {
      await sendTicketCard(ctx, deps, number);
      return;
    }
    await sendWelcome(ctx, deps);
    if (can(ctx.user.role, 'setup.checklist')) await sendChecklist(ctx, deps.checklist);
  });
  composer.command('help', async (ctx) => {
    const audience = {
      staff: isStaff(ctx.user.role),
      admin: can(ctx.user.role, 'users.set_role'),
    };
    await ctx.reply(ctx.t.common.help(audience), { parse_mode: 'HTML' });
  });
  composer.command('tickets', (ctx) => sendTicketsLink(ctx, deps));
  composer.command('status', (ctx) => sendStatus(ctx, deps));

  composer.callbackQuery(startActions.status, async (ctx) => {
    await ctx.answerCallbackQuery();
    await sendStatus(ctx, deps);
  });
  composer.callbackQuery(new RegExp(`^${startActions.ticket}(\\d{1,9})$`), async (ctx) => {
    await ctx.answerCallbackQuery();
    await sendTicketCard(ctx, deps, Number(ctx.match[1]));
  });
  return composer;
}
