import { Composer, type FilterQuery, type MiddlewareFn } from 'grammy';
import type { Message } from 'grammy/types';
import { commandOf } from '../../command-of.js';
import type { BotContext } from '../../context.js';
import type { BotDeps } from '../../deps.js';
import { handleFormPress } from './form-callbacks.js';
import { incomingFile, withCaption, withFile, withTypedText } from './form-input.js';
import { chatKey, editOrSend, showForm, tidyAway, type FormToShow } from './form-message.js';
import {
  checkField,
  createSupportStore,
  suggestTitle,
  ticketLimits,
  type SupportForm,
  type SupportStore,
  type FormDeps,
  type SubmitDeps,
  type TextOffer,
} from './form-state.js';
import { formActions } from './form-view.js';

/** Commands the form itself answers; any other command closes it. */
const formCommands = new Set(['support', 'cancel']);

/**
 * Closes an open /support form when the user runs another command (/start, /status, …), so the
 * command runs as usual and later messages are not taken for the form's answers. Installed
 * before every feature, since the first feature to handle a command ends the update.
 */
export function leaveSupportFormOnCommand(deps: Pick<BotDeps, 'state'>): MiddlewareFn<BotContext> {
  const store = createSupportStore(deps.state);
  return async (ctx, next) => {
    const command = commandOf(ctx.message);
    if (command !== undefined && !formCommands.has(command)) await leaveForm(ctx, store);
    await next();
  };
}

/** Closes the chat's form, if one is open, saying so in its message. */
async function leaveForm(ctx: BotContext, store: SupportStore): Promise<void> {
  const key = chatKey(ctx);
  if (!(await store.forms.read(key))) return;
  await store.withChatLock(key, async () => {
    const form = await store.forms.read(key);
    if (form) await endForm(ctx, store, form, ctx.t.support.left_for_command);
  });
}

/**
 * Ends the form: its message says why, without buttons, and its state is gone. Should that
 * message be gone, the user still gets the answer as a new message.
 */
async function endForm(ctx: BotContext, store: SupportStore, form: SupportForm, text: string) {
  await store.forms.delete(chatKey(ctx));
  await editOrSend(ctx, form.messageId, text);
}

/**
 * Opens the form as a new message at the bottom of the chat. A form already under way moves
 * down with what was filled in, rather than starting over.
 */
async function openForm(ctx: BotContext, deps: FormDeps, store: SupportStore): Promise<void> {
  const current = await store.forms.read(chatKey(ctx));
  if (current) await tidyAway(ctx, current.messageId);
  const fields: FormToShow = current
    ? { ...current, messageId: undefined }
    : { step: 'category', files: [], returnToPreview: false };
  await showForm(ctx, deps, store, fields);
}

/**
 * Turns the free-text offer into a form, in the offer's own message: the offered text is the
 * description (when it fits the API's limit) and its first line is suggested as the title.
 */
async function acceptOffer(ctx: BotContext, deps: FormDeps, store: SupportStore): Promise<void> {
  const offer = await takeOffer(ctx, store);
  if (!offer) return;
  const { messageId } = offer;
  const key = chatKey(ctx);
  const current = await store.forms.read(key);
  if (current) await tidyAway(ctx, current.messageId);
  const checked = checkField('description', offer.text);
  const suggested = suggestTitle(offer.text);
  await showForm(ctx, deps, store, {
    step: 'category',
    messageId,
    files: [],
    returnToPreview: false,
    ...(checked.ok
      ? { description: checked.value }
      : { note: ctx.t.support.description_too_long(ticketLimits.description) }),
    ...(suggested ? { suggestedTitle: suggested } : {}),
  });
}

/** "No" under the free-text offer: the offer says so and is forgotten. */
async function declineOffer(ctx: BotContext, store: SupportStore): Promise<void> {
  const offer = await takeOffer(ctx, store);
  if (offer) await editOrSend(ctx, offer.messageId, ctx.t.support.offer_declined);
}

/**
 * The chat's offer, taken out of storage, when the pressed button is under it; an older offer's
 * button is told it expired. Either way the press is answered.
 */
async function takeOffer(ctx: BotContext, store: SupportStore): Promise<TextOffer | undefined> {
  const key = chatKey(ctx);
  const offer = await store.offers.read(key);
  if (!offer || offer.messageId !== ctx.callbackQuery?.message?.message_id) {
    await ctx.answerCallbackQuery({ text: ctx.t.support.offer_expired });
    return undefined;
  }
  await ctx.answerCallbackQuery();
  await store.offers.delete(key);
  return offer;
}

/** A press of one of the form's buttons, under the chat's lock: its form must be the live one. */
async function pressFormButton(
  ctx: BotContext & { callbackQuery: { data: string } },
  deps: SubmitDeps,
): Promise<void> {
  const form = await deps.store.forms.read(chatKey(ctx));
  const messageId = ctx.callbackQuery.message?.message_id;
  if (!form || form.messageId !== messageId) {
    await ctx.answerCallbackQuery({ text: ctx.t.support.form_inactive });
    return;
  }
  await ctx.answerCallbackQuery();
  if (ctx.callbackQuery.data === formActions.cancel) {
    await endForm(ctx, deps.store, form, ctx.t.support.cancelled);
    return;
  }
  await handleFormPress(ctx, deps, form, ctx.callbackQuery.data);
}

/**
 * What a user may send while the form is open: text and files it takes, and the kinds it cannot
 * take (voice, video, stickers…), which get a note rather than silence.
 */
const formInputs = [
  'message:text',
  'message:photo',
  'message:document',
  'message:video',
  'message:video_note',
  'message:voice',
  'message:audio',
  'message:animation',
  'message:sticker',
] as const satisfies readonly FilterQuery[];

/**
 * Feeds a message to the form, under the chat's lock: typed text answers the step, a photo or
 * document is attached (its caption answering a title or description the form waits for), any
 * other kind gets a note. False when the message is not the form's (no form, or a reply to
 * another message).
 */
async function takeInput(
  ctx: BotContext & { message: Message },
  deps: FormDeps,
  store: SupportStore,
): Promise<boolean> {
  const form = await store.forms.read(chatKey(ctx));
  const reply = ctx.message.reply_to_message;
  if (!form || (reply !== undefined && reply.message_id !== form.messageId)) return false;
  let updated: SupportForm;
  if (ctx.message.text !== undefined) {
    updated = withTypedText(form, ctx.message.text, ctx.t.support);
  } else {
    const file = incomingFile(ctx.message, ctx.t.support.photo_name);
    updated = file
      ? withCaption(await withFile(ctx, deps, form, file), ctx.message.caption, ctx.t.support)
      : { ...form, note: ctx.t.support.unsupported_input };
  }
  await showForm(ctx, deps, store, updated);
  return true;
}

/**
 * The guided /support form: one message that edits itself through category, priority, title,
 * description, files and a preview, then creates the ticket with `tickets.create`. Its state
 * lives in `bot_state`, so a restarted bot continues where the user was. Opened by /support, by
 * the /start menu (`support:start`) and by the free-text offer (`support:from_text`).
 */
export function supportFeature(
  deps: Pick<
    BotDeps,
    'state' | 'categories' | 'files' | 'tickets' | 'ticketMessages' | 'config' | 'logger'
  >,
): Composer<BotContext> {
  const store = createSupportStore(deps.state);
  const submit: SubmitDeps = { ...deps, store };
  const composer = new Composer<BotContext>();

  const locked = (ctx: BotContext, work: () => Promise<void>) =>
    store.withChatLock(chatKey(ctx), work);

  composer.command('support', (ctx) => locked(ctx, () => openForm(ctx, deps, store)));
  composer.callbackQuery(formActions.start, async (ctx) => {
    await ctx.answerCallbackQuery();
    await locked(ctx, () => openForm(ctx, deps, store));
  });
  composer.callbackQuery(formActions.fromText, (ctx) =>
    locked(ctx, () => acceptOffer(ctx, deps, store)),
  );
  composer.callbackQuery(formActions.declineText, (ctx) => declineOffer(ctx, store));

  composer.command('cancel', async (ctx, next) => {
    const key = chatKey(ctx);
    const cancelled = await store.withChatLock(key, async () => {
      const form = await store.forms.read(key);
      if (form) await endForm(ctx, store, form, ctx.t.support.cancelled);
      return form !== undefined;
    });
    if (!cancelled) return next();
    await tidyAway(ctx, ctx.msg.message_id);
  });

  composer.callbackQuery(/^support:/, (ctx) => locked(ctx, () => pressFormButton(ctx, submit)));

  composer.on([...formInputs], async (ctx, next) => {
    const key = chatKey(ctx);
    if (commandOf(ctx.message) || !(await store.forms.read(key))) return next();
    const taken = await store.withChatLock(key, () => takeInput(ctx, deps, store));
    if (!taken) return next();
    await tidyAway(ctx, ctx.message.message_id);
  });

  return composer;
}
