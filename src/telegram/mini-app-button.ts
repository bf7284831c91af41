import type { InlineKeyboardButton } from 'grammy/types';

/**
 * The address that opens a ticket in the Mini App: the Mini App URL with
 * `?startapp=ticket_<number>`. A query parameter, not a hash route, because Telegram passes its
 * launch parameters in the URL's hash; the name matches the `startapp` of t.me direct links, so
 * the Mini App reads a ticket from either the same way.
 */
export function ticketAppUrl(miniAppUrl: string, ticketNumber: number): string {
  const url = new URL(miniAppUrl);
  url.searchParams.set('startapp', `ticket_${ticketNumber}`);
  return url.toString();
}

/**
 * An inline keyboard button that opens the ticket in the Mini App, or undefined when the Mini
 * App URL is not https: Telegram refuses `web_app` buttons on anything else
 * (https://core.telegram.org/bots/api#webappinfo).
 */
export function openTicketButton(
  miniAppUrl: string | undefined,
  ticketNumber: number,
  text: string,
): InlineKeyboardButton | undefined {
  if (!miniAppUrl?.startsWith('https://')) return undefined;
  return { text, web_app: { url: ticketAppUrl(miniAppUrl, ticketNumber) } };
}
