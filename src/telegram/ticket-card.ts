import type { TicketStatus } from '../db/schema.js';
import type { Language } from '../i18n/language.js';
import { vocabulary } from '../i18n/vocabulary.js';
import { escapeHtml } from './html.js';

/** A ticket as its card shows it. */
export interface CardTicket {
  number: number;
  title: string;
  status: TicketStatus;
}

/** Telegram's limit of a topic's name (https://core.telegram.org/bots/api#createforumtopic). */
export const topicNameLimit = 128;

/**
 * The ticket card: the bot's confirmation of a new ticket (`bot/texts/support.ts`) and the first
 * message of the ticket's topic in the customer's chat. `where` says how to add to the ticket:
 * by replying to the card (`reply`), or by writing in the topic (`topic`). Telegram HTML, the
 * title escaped.
 */
export function ticketCard(
  language: Language,
  ticket: CardTicket,
  where: 'reply' | 'topic',
): string {
  const status = vocabulary[language].statuses[ticket.status];
  if (language === 'ru') {
    return (
      `✅ Обращение <b>#${ticket.number}</b> создано\n<b>${escapeHtml(ticket.title)}</b>\n` +
      `Статус: ${status}\n\n` +
      (where === 'reply'
        ? 'Мы напишем сюда, когда поддержка ответит. Чтобы дополнить обращение, ответьте на это ' +
          'сообщение.'
        : 'Ответы поддержки и смена статуса придут в эту тему. Всё, что вы напишете здесь, ' +
          'добавится к обращению.')
    );
  }
  return (
    `✅ Ticket <b>#${ticket.number}</b> created\n<b>${escapeHtml(ticket.title)}</b>\n` +
    `Status: ${status}\n\n` +
    (where === 'reply'
      ? 'We will write here when support answers. To add details, reply to this message.'
      : 'Support’s answers and status changes will arrive in this topic. Whatever you write here ' +
        'is added to the ticket.')
  );
}

/**
 * The name of a ticket's topic: `#<number> · <title>`, cut with an ellipsis to Telegram's 128
 * characters (counted in UTF-16 units, the stricter count; never inside a character).
 */
export function topicName(ticket: Pick<CardTicket, 'number' | 'title'>): string {
  const name = `#${ticket.number} · ${ticket.title.replace(/\s+/g, ' ').trim()}`;
  if (name.length <= topicNameLimit) return name;
  let cut = '';
  for (const char of name) {
    if (cut.length + char.length > topicNameLimit - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

/** The card's button opening the ticket in the Mini App (as the bot's own card words it). */
export function openInAppLabel(language: Language): string {
  return language === 'ru' ? 'Открыть в приложении' : 'Open in the app';
}
