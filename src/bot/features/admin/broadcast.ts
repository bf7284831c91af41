import { Composer, InlineKeyboard } from 'grammy';
import { broadcastTextLimit } from '../../../broadcasts/service.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { guard } from '../../guard.js';

/**
 * An admin's broadcast in the making, kept in `bot_state` so a restart loses nothing: waiting
 * for the text, or shown as a preview waiting for Confirm (on message `previewMessageId`).
 */
type Draft =
  | { step: 'text' }
  | { step: 'confirm'; text: string; previewMessageId: number; recipients: number };

/** The drafts' key prefix in the bot's state (`state-store.ts`: keys are `<prefix>:<key>`). */
const draftPrefix = 'broadcast';

/** The preview's buttons: Confirm (with the number of recipients) and Cancel. */
function confirmKeyboard(ctx: BotContext, recipients: number): InlineKeyboard {
  const t = ctx.t.admin;
  return new InlineKeyboard()
    .text(t.broadcast_confirm_button(recipients), 'bc:ok')
    .text(t.broadcast_cancel_button, 'bc:no');
}

/**
 * `/broadcast`: asks for the text, shows a preview with the number of recipients (and of users
 * skipped because they blocked the bot), and on Confirm starts the broadcast
 * (`broadcasts/service.ts`): the queue sends it, and a progress job edits a status message here.
 * `/cancel` or Cancel drops the draft. Admins and above.
 */
export function broadcastFeature(
  deps: Pick<BotDeps, 'broadcasts' | 'state' | 'logger'>,
): Composer<BotContext> {
  const drafts = deps.state.storage<Draft>(draftPrefix);
  const composer = new Composer<BotContext>();
  const keyOf = (ctx: BotContext) => String(ctx.chat?.id ?? ctx.from?.id);

  /**
   * Takes the draft previewed on `messageId` out of storage in one statement, so two presses of
   * Confirm (updates handled concurrently behind a webhook) start one broadcast, not two.
   */
  async function takeDraft(key: string, messageId: number | undefined) {
    const draft = await drafts.take(key, { step: 'confirm', previewMessageId: messageId ?? -1 });
    return draft?.step === 'confirm' ? draft : undefined;
  }

  // A draft is dropped by /cancel even after its author lost the right to send it.
  composer.command('cancel', async (ctx, next) => {
    if (!(await drafts.read(keyOf(ctx)))) return next();
    await drafts.delete(keyOf(ctx));
    await ctx.reply(ctx.t.admin.broadcast_cancelled);
  });

  const admins = guard(composer, 'broadcast.send', {
    commands: ['broadcast'],
    callbacks: ['bc:ok', 'bc:no'],
  });

  admins.command('broadcast', async (ctx) => {
    await drafts.write(keyOf(ctx), { step: 'text' });
    await ctx.reply(ctx.t.admin.broadcast_ask);
  });

  admins.on('message', async (ctx, next) => {
    const draft = await drafts.read(keyOf(ctx));
    if (draft?.step !== 'text') return next();
    const text = ctx.message.text;
    if (text?.startsWith('/')) return next();
    const t = ctx.t.admin;
    if (!text?.trim()) {
      await ctx.reply(t.broadcast_text_only);
      return;
    }
    if (text.length > broadcastTextLimit) {
      await ctx.reply(t.broadcast_too_long(broadcastTextLimit));
      return;
    }
    const audience = await deps.broadcasts.audience(ctx.principal);
    if (audience.recipients === 0) {
      await drafts.delete(keyOf(ctx));
      await ctx.reply(t.broadcast_nobody);
      return;
    }
    const preview = await ctx.reply(
      t.broadcast_preview(text, audience.recipients, audience.skipped),
      {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        reply_markup: confirmKeyboard(ctx, audience.recipients),
      },
    );
    await drafts.write(keyOf(ctx), {
      step: 'confirm',
      text: text.trim(),
      previewMessageId: preview.message_id,
      recipients: audience.recipients,
    });
  });

  /**
   * Confirm or Cancel on a preview. A broadcast that fails to start (its transaction rolled
   * back) puts the draft and the preview's buttons back, so the admin retries without retyping.
   */
  admins.callbackQuery(['bc:ok', 'bc:no'], async (ctx) => {
    const t = ctx.t.admin;
    const messageId = ctx.callbackQuery.message?.message_id;
    await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
    const draft = await takeDraft(keyOf(ctx), messageId);
    if (!draft) {
      await ctx.answerCallbackQuery({ text: t.broadcast_expired, show_alert: true });
      return;
    }
    if (ctx.callbackQuery.data === 'bc:no') {
      await ctx.answerCallbackQuery({ text: t.broadcast_cancelled });
      await ctx.reply(t.broadcast_cancelled);
      return;
    }
    await ctx.answerCallbackQuery({ text: t.broadcast_started });
    const status = await ctx.reply(t.broadcast_starting, { parse_mode: 'HTML' });
    try {
      await deps.broadcasts.start(ctx.principal, {
        text: draft.text,
        chatId: status.chat.id,
        statusMessageId: status.message_id,
      });
    } catch (error) {
      deps.logger.error({ err: error }, 'bot: the broadcast did not start');
      await drafts.write(keyOf(ctx), draft);
      await ctx.api
        .editMessageReplyMarkup(status.chat.id, draft.previewMessageId, {
          reply_markup: confirmKeyboard(ctx, draft.recipients),
        })
        .catch(() => undefined);
      await ctx.api.editMessageText(status.chat.id, status.message_id, t.broadcast_failed);
    }
  });
  return composer;
}
