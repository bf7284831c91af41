import { Composer } from 'grammy';
import { telegramEditWindowMs } from '../../telegram/edit-refusals.js';
import type { BotContext } from '../context.js';
import type { BotDeps } from '../deps.js';
import { attempt } from '../refusals.js';
import { replyContentLimit } from './chat-replies.js';

/**
 * A user's edit in Telegram of a message that became a ticket message (a reply to a ticket
 * message, or a message in the ticket's topic): the ticket message takes the new text (its
 * caption, for a photo or document) through the messages service, as an edit in the Mini App
 * would, so it is marked edited, the history keeps the words before, the Mini App shows it live
 * and the notices' copies follow. Within Telegram's 48 hours of when it was added (else the
 * user is told it was not carried); the ticket's own refusals (closed) are answered. Edits of
 * anything else pass unnoticed: nothing else is kept.
 */
export function telegramEditsFeature(
  deps: Pick<BotDeps, 'ticketMessages' | 'messages' | 'tickets' | 'clock'>,
): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.on('edited_message', async (ctx) => {
    const edited = ctx.editedMessage;
    const written = await deps.ticketMessages.writtenAs(ctx.chat.id, edited.message_id);
    if (!written) return;
    const text = (edited.text ?? edited.caption ?? '').trim();
    if (!text) return;
    const t = ctx.t.common;
    if (text.length > replyContentLimit) {
      await ctx.reply(t.reply_too_long(replyContentLimit));
      return;
    }
    const number = await deps.tickets.numberOf(written.ticketId);
    if (number === null) return;
    if (deps.clock.now().getTime() - written.writtenAt.getTime() > telegramEditWindowMs) {
      await ctx.reply(t.edit_too_old(number));
      return;
    }
    const edit = await attempt(ctx, { what: 'reply', number }, () =>
      deps.messages.update(ctx.principal, written.ticketMessageId, { content: text }),
    );
    if (!edit.ok) await ctx.reply(edit.words, { parse_mode: 'HTML' });
  });
  return composer;
}
