import { Composer, InlineKeyboard } from 'grammy';
import { excerpt } from '../../notifications/texts.js';
import { escapeHtml } from '../../telegram/html.js';
import { commandOf } from '../command-of.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { chatKey } from './support/form-message.js';
import { createSupportStore } from './support/form-state.js';
import { formActions } from './support/form-view.js';

/** How much of the offered text the offer quotes back. */
const quoteLength = 300;

function quote(text: string): string {
  return `<blockquote>${escapeHtml(excerpt(text, quoteLength))}</blockquote>`;
}

/**
 * The last word on a private message nobody else took: a command no feature knows gets a
 * pointer to /help (and /cancel with nothing to cancel says so); plain text is offered as a new
 * ticket, the text kept in the bot's state until the user answers.
 */
export function freeTextFeature(deps: Pick<BotDeps, 'state'>): Composer<BotContext> {
  const store = createSupportStore(deps.state);
  const composer = new Composer<BotContext>();

  composer.on('message:text', async (ctx) => {
    const t = ctx.t.support;
    const command = commandOf(ctx.message);
    if (command !== undefined) {
      await ctx.reply(command === 'cancel' ? t.nothing_to_cancel : t.unknown_command);
      return;
    }
    const keyboard = new InlineKeyboard()
      .text(t.button.create, formActions.fromText)
      .text(t.button.no, formActions.declineText);
    const offer = await ctx.reply(`${t.offer}\n\n${quote(ctx.message.text)}`, {
      parse_mode: 'HTML',
      reply_markup: keyboard,
    });
    await store.offers.write(chatKey(ctx), { text: ctx.message.text, messageId: offer.message_id });
  });

  return composer;
}
