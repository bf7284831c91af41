import { Composer, InlineKeyboard, type BotError } from 'grammy';
import { ticketStatuses, type TicketStatus } from '../../../db/schema.js';
import { activeStatuses } from '../../../tickets/ticket-status.js';
import type { TicketDto } from '../../../tickets/schemas.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { guard } from '../../guard.js';
import { refusalText } from '../../refusals.js';
import { isNotModified } from '../../../telegram/edit-refusals.js';
import { webAppUrl } from '../../../telegram/mini-app-button.js';

/** What the panel calls: tickets to list and change, staff to name, the Mini App's address. */
type PanelDeps = Pick<BotDeps, 'tickets' | 'users' | 'config'>;

/** Tickets the panel lists in each section. */
const queueSize = 5;
const criticalSize = 3;
/** Staff shown in the Assign… list (one button each). */
const staffListSize = 30;

/** What the panel message shows: its HTML and its keyboard. */
interface View {
  text: string;
  keyboard: InlineKeyboard;
}

/** The panel as the caller may see it now: counts, the unassigned queue, critical tickets. */
async function panelView(deps: PanelDeps, ctx: BotContext): Promise<View> {
  const t = ctx.t.admin;
  const counts = await deps.tickets.counts(ctx.principal, {});
  const status = [...activeStatuses];
  const queue = await deps.tickets.list(ctx.principal, {
    status,
    assigned_to: 'none',
    sort: '-created_at',
    limit: queueSize,
  });
  const critical = await deps.tickets.list(ctx.principal, {
    status,
    priority: ['critical'],
    sort: '-created_at',
    limit: criticalSize,
  });
  const byStatus = Object.fromEntries(ticketStatuses.map((s) => [s, counts[s]])) as Record<
    TicketStatus,
    number
  >;
  const section = (title: string, none: string, items: TicketDto[]) =>
    [title, ...(items.length === 0 ? [none] : items.map((item) => t.ticket_line(item)))].join('\n');
  const text = [
    t.panel_header(byStatus),
    section(t.unassigned_title, t.unassigned_none, queue.items),
    section(t.critical_title, t.critical_none, critical.items),
  ].join('\n\n');

  const keyboard = new InlineKeyboard();
  for (const ticket of queue.items) {
    keyboard
      .text(t.take_button(ticket.number), `adm:take:${ticket.number}`)
      .text(t.assign_button, `adm:assign:${ticket.number}`)
      .text(t.close_button, `adm:close:${ticket.number}`)
      .row();
  }
  keyboard.text(t.refresh_button, 'adm:panel');
  // The Mini App's admin pages, when Telegram can open them (https).
  const appUrl = webAppUrl(deps.config.MINI_APP_URL, 'admin');
  if (appUrl) keyboard.webApp(t.open_app_button, appUrl);
  return { text, keyboard };
}

/** The list of active staff to assign ticket `number` to, one button each. */
async function assigneeView(deps: PanelDeps, ctx: BotContext, number: number): Promise<View> {
  const t = ctx.t.admin;
  const ids = (await deps.users.activeStaffIds()).slice(0, staffListSize);
  const people = await deps.users.authors(ids);
  const keyboard = new InlineKeyboard();
  for (const person of people.values()) {
    const name = [person.first_name, person.last_name].filter(Boolean).join(' ');
    keyboard.text(name || '—', `adm:to:${number}:${person.id}`).row();
  }
  keyboard.text(t.back_button, 'adm:panel');
  return { text: people.size === 0 ? t.no_staff : t.assign_choose(number), keyboard };
}

async function show(ctx: BotContext, view: View): Promise<void> {
  const options = {
    parse_mode: 'HTML' as const,
    reply_markup: view.keyboard,
    link_preview_options: { is_disabled: true },
  };
  if (!ctx.callbackQuery) {
    await ctx.reply(view.text, options);
    return;
  }
  try {
    await ctx.editMessageText(view.text, options);
  } catch (error) {
    if (!isNotModified(error)) throw error;
  }
}

/** Answers a panel button with its result and shows the panel again, refreshed, in place. */
async function act(deps: PanelDeps, ctx: BotContext, action: () => Promise<string>): Promise<void> {
  const answer = await action();
  await ctx.answerCallbackQuery({ text: answer });
  await show(ctx, await panelView(deps, ctx));
}

/**
 * The panel buttons' error boundary: a service's refusal (a ticket taken or closed meanwhile,
 * deleted, an assignee no longer staff) answers the button in the panel's words and refreshes
 * the panel; anything else goes on to the bot's error handler.
 */
function refusedOnPanel(deps: PanelDeps) {
  return async ({ ctx, error }: BotError<BotContext>): Promise<void> => {
    const answer = refusalText(error, ctx.t, { what: 'panel' });
    if (answer === undefined || !ctx.callbackQuery) throw error;
    await ctx.answerCallbackQuery({ text: answer });
    await show(ctx, await panelView(deps, ctx));
  };
}

/** How a staff member is named in button answers: their first name. */
async function firstNameOf(deps: PanelDeps, userId: string): Promise<string> {
  return (await deps.users.authors([userId])).get(userId)?.first_name ?? '—';
}

/** Ticket number `n` of the matched callback data, as the caller may see it. */
function ticketOf(deps: PanelDeps, ctx: BotContext) {
  return deps.tickets.getByNumber(ctx.principal, Number(ctx.match?.[1]));
}

/**
 * `/admin`: the staff's panel in one message, with buttons to take, assign or close tickets of
 * the unassigned queue; every button edits the panel in place. Agents and above only.
 */
export function panelFeature(deps: PanelDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const staffOnly = guard(composer, 'tickets.read_all', {
    commands: ['admin'],
    callbacks: [/^adm:/],
  }).errorBoundary(refusedOnPanel(deps));

  staffOnly.command('admin', async (ctx) => show(ctx, await panelView(deps, ctx)));
  staffOnly.callbackQuery('adm:panel', async (ctx) => {
    await act(deps, ctx, () => Promise.resolve(ctx.t.admin.refreshed));
  });
  staffOnly.callbackQuery(/^adm:take:(\d+)$/, (ctx) =>
    act(deps, ctx, async () => {
      const ticket = await ticketOf(deps, ctx);
      // An older panel still offers Take on a ticket a colleague has taken since: say so, do
      // not take it away from them (the Assign… list is there for a deliberate hand-over).
      if (ticket.assigned_to && ticket.assigned_to !== ctx.principal.userId) {
        return ctx.t.admin.already_taken(
          ticket.number,
          await firstNameOf(deps, ticket.assigned_to),
        );
      }
      await deps.tickets.assign(ctx.principal, ticket.id, ctx.principal.userId);
      return ctx.t.admin.taken(ticket.number);
    }),
  );
  staffOnly.callbackQuery(/^adm:close:(\d+)$/, (ctx) =>
    act(deps, ctx, async () => {
      const ticket = await ticketOf(deps, ctx);
      await deps.tickets.changeStatus(ctx.principal, ticket.id, 'closed');
      return ctx.t.admin.closed(ticket.number);
    }),
  );
  staffOnly.callbackQuery(/^adm:assign:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await show(ctx, await assigneeView(deps, ctx, Number(ctx.match[1])));
  });
  staffOnly.callbackQuery(/^adm:to:(\d+):([0-9a-f-]{36})$/, (ctx) =>
    act(deps, ctx, async () => {
      const ticket = await ticketOf(deps, ctx);
      const assigneeId = ctx.match[2] ?? '';
      await deps.tickets.assign(ctx.principal, ticket.id, assigneeId);
      return ctx.t.admin.assigned(ticket.number, await firstNameOf(deps, assigneeId));
    }),
  );
  return composer;
}
