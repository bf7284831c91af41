import type { InlineKeyboardButton } from 'grammy/types';
import type { TicketPriority, TicketStatus } from '../db/schema.js';
import { escapeHtml } from '../telegram/html.js';
import { groupTicketButton } from '../telegram/mini-app-button.js';
import type { staffTextsFor } from './texts.js';

/** The staff group's words (`texts.ts`). */
type Texts = ReturnType<typeof staffTextsFor>;

/** Telegram's longest topic name (https://core.telegram.org/bots/api#createforumtopic). */
export const topicNameLimit = 128;

/** Telegram's longest message text, and the longest caption of a file. */
const textLimit = 4096;

/** The icon each status shows, by its emoji among `getForumTopicIconStickers`. */
export const statusIcons: Record<TicketStatus, string> = {
  open: '💬',
  in_progress: '⚡',
  waiting: '❓',
  resolved: '✅',
  closed: '✅',
};

/** `text` cut to `limit` UTF-16 units (as Telegram counts), whole characters, with `…`. */
export function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let kept = '';
  for (const char of text) {
    if (kept.length + char.length > limit - 1) break;
    kept += char;
  }
  return `${kept}…`;
}

/** The topic of a ticket is named `#<number> · <title>`, cut to Telegram's 128 characters. */
export function topicName(ticket: { number: number; title: string }): string {
  return cut(`#${ticket.number} · ${ticket.title}`, topicNameLimit);
}

/** What the card of a ticket shows. */
export interface CardFacts {
  number: number;
  title: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority;
  customer: string;
  category: string;
  assignee: string | null;
}

/** The ticket's card: its details, escaped for HTML. */
export function cardText(t: Texts, facts: CardFacts): string {
  const lines = [
    `<b>${escapeHtml(topicName(facts))}</b>`,
    `${t.customer}: ${escapeHtml(facts.customer)}`,
    `${t.category}: ${escapeHtml(facts.category)} · ${t.priority}: ${t.names.priorities[facts.priority]}`,
    `${t.status}: ${t.names.statuses[facts.status]} · ${t.assignee}: ${escapeHtml(facts.assignee ?? t.nobody)}`,
    '',
    escapeHtml(cut(facts.description, 1000)),
  ];
  return lines.join('\n');
}

/** The card's buttons: Take, Assign; Priority, Resolve, Close; Open in the app. */
export function cardButtons(
  t: Texts,
  ticketNumber: number,
  app: { botUsername: string; miniAppUrl: string | undefined },
): InlineKeyboardButton[][] {
  const open = groupTicketButton(app.botUsername, app.miniAppUrl, ticketNumber, t.open_in_app);
  return [
    [
      { text: t.take, callback_data: `sg:take:${ticketNumber}` },
      { text: t.assign, callback_data: `sg:assign:${ticketNumber}` },
    ],
    [
      { text: t.change_priority, callback_data: `sg:prio:${ticketNumber}` },
      { text: t.resolve, callback_data: `sg:resolve:${ticketNumber}` },
      { text: t.close, callback_data: `sg:close:${ticketNumber}` },
    ],
    ...(open ? [[open]] : []),
  ];
}

/** A field's move, as an outbox `change` post keeps it. */
export interface Move<T> {
  from: T;
  to: T;
}

/** The fields a `change` post tells of. */
export interface ChangeFields {
  status?: Move<TicketStatus>;
  priority?: Move<TicketPriority>;
  assigned_to?: Move<string | null>;
  title?: Move<string>;
}

/**
 * The one short line of a change (its fields' last state; a field back where it started is
 * left out), with who made it; undefined when nothing is left to tell.
 */
export function changeLine(
  t: Texts,
  changes: ChangeFields,
  names: { actor: string | null; assignee: string | null },
): string | undefined {
  const parts: string[] = [];
  const { status, priority, assigned_to: assigned, title } = changes;
  if (status && status.from !== status.to) {
    parts.push(
      `${t.status}: ${t.names.statuses[status.from]} → <b>${t.names.statuses[status.to]}</b>`,
    );
  }
  if (priority && priority.from !== priority.to) {
    parts.push(
      `${t.priority}: ${t.names.priorities[priority.from]} → <b>${t.names.priorities[priority.to]}</b>`,
    );
  }
  if (assigned && assigned.from !== assigned.to) {
    parts.push(`${t.assignee}: <b>${escapeHtml(names.assignee ?? t.nobody)}</b>`);
  }
  if (title && title.from !== title.to) {
    parts.push(`${t.renamed}: <b>${escapeHtml(cut(title.to, 200))}</b>`);
  }
  if (parts.length === 0) return undefined;
  return `${parts.join(' · ')} — ${t.by} ${escapeHtml(names.actor ?? t.system)}`;
}

/** A message of the ticket as posted in its topic: who wrote it (and a note's mark), then it. */
export function messageText(
  t: Texts,
  message: { author: string; content: string; isInternal: boolean },
): string {
  const mark = message.isInternal ? ` · ${t.internal}` : '';
  const head = `<b>${escapeHtml(message.author)}</b>${mark}`;
  const room = textLimit - head.length - 64;
  return `${head}\n${escapeHtml(cut(message.content, room))}`;
}
