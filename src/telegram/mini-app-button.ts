import type { InlineKeyboardButton } from 'grammy/types';

/**
 * The address a `web_app` button (or the menu button) may open: the Mini App URL, with
 * `?startapp=<startapp>` when given, or undefined when the URL is not https, as Telegram refuses
 * `web_app` buttons on anything else (https://core.telegram.org/bots/api#webappinfo). A query
 * parameter, not a hash route, because Telegram passes its launch parameters in the URL's hash;
 * the name matches the `startapp` of t.me direct links, so the Mini App reads either the same way.
 */
export function webAppUrl(miniAppUrl: string | undefined, startapp?: string): string | undefined {
  if (!miniAppUrl?.startsWith('https://')) return undefined;
  if (startapp === undefined) return miniAppUrl;
  const url = new URL(miniAppUrl);
  url.searchParams.set('startapp', startapp);
  return url.toString();
}

/**
 * An inline keyboard button that opens the ticket in the Mini App
 * (`?startapp=ticket_<number>`), or undefined when the Mini App URL is not https
 * (see {@link webAppUrl}).
 */
export function openTicketButton(
  miniAppUrl: string | undefined,
  ticketNumber: number,
  text: string,
): InlineKeyboardButton | undefined {
  const url = webAppUrl(miniAppUrl, `ticket_${ticketNumber}`);
  return url === undefined ? undefined : { text, web_app: { url } };
}

/**
 * A button that opens the ticket in the Mini App from a group, where Telegram refuses `web_app`
 * buttons (they work in private chats only, https://core.telegram.org/bots/api#inlinekeyboardbutton):
 * a `url` button to the bot's main Mini App link `https://t.me/<bot>?startapp=ticket_<number>`
 * (https://core.telegram.org/bots/webapps#main-mini-apps), or undefined when the Mini App URL is
 * not https (no Mini App to open).
 */
export function groupTicketButton(
  botUsername: string,
  miniAppUrl: string | undefined,
  ticketNumber: number,
  text: string,
): InlineKeyboardButton | undefined {
  if (webAppUrl(miniAppUrl) === undefined) return undefined;
  return { text, url: `https://t.me/${botUsername}?startapp=ticket_${ticketNumber}` };
}
