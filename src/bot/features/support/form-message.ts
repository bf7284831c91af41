import { GrammyError, type InlineKeyboard } from 'grammy';
import type { BotContext } from '../../context.js';
import { categoryInLanguage } from '../../../categories/in-language.js';
import { isNotModified } from '../../../telegram/edit-refusals.js';
import { renderForm } from './form-view.js';
import type { FormDeps, FormFields, SupportStore } from './form-state.js';

/** The storage key of a chat's form and offer. */
export function chatKey(ctx: BotContext): string {
  return String(ctx.chat?.id ?? ctx.from?.id ?? 0);
}

/**
 * Puts `text` in the bot's message `messageId` in this chat, or in a new message when there is
 * none yet or Telegram would not edit it (deleted, too old): a form resumed after a restart still
 * finds a place to live. Resolves to the id of the message that shows it.
 */
export async function editOrSend(
  ctx: BotContext,
  messageId: number | undefined,
  text: string,
  keyboard?: InlineKeyboard,
): Promise<number> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) throw new Error('a form needs a chat');
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (messageId !== undefined) {
    try {
      await ctx.api.editMessageText(chatId, messageId, text, extra);
      return messageId;
    } catch (error) {
      // An edit that would change nothing is harmless for a form.
      if (isNotModified(error)) return messageId;
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
    }
  }
  const sent = await ctx.api.sendMessage(chatId, text, extra);
  return sent.message_id;
}

/** Removes a message the form consumed (the user's input), keeping the chat tidy; best effort. */
export async function tidyAway(ctx: BotContext, messageId: number): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  await ctx.api.deleteMessage(chatId, messageId).catch(() => undefined);
}

/** A form to show: one without a message yet is posted as a new message. */
export type FormToShow = FormFields & { messageId?: number };

/**
 * Shows the form at its step (listing the active categories when it asks for one) and saves it,
 * its one-off note dropped. Without any active category there is nothing to choose: the form
 * says so and ends.
 */
export async function showForm(
  ctx: BotContext,
  deps: Pick<FormDeps, 'categories'>,
  store: SupportStore,
  form: FormToShow,
): Promise<void> {
  const categories =
    form.step === 'category'
      ? (await deps.categories.list({ includeInactive: false, limit: 100 })).items.map((category) =>
          categoryInLanguage(category, ctx.language),
        )
      : [];
  if (form.step === 'category' && categories.length === 0) {
    await editOrSend(ctx, form.messageId, ctx.t.support.no_categories);
    await store.forms.delete(chatKey(ctx));
    return;
  }
  const view = renderForm(form, ctx.t.support, categories);
  const messageId = await editOrSend(ctx, form.messageId, view.text, view.keyboard);
  await store.forms.write(chatKey(ctx), { ...form, note: undefined, messageId });
}
