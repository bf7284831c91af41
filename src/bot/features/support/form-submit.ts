import { InlineKeyboard } from 'grammy';
import { DomainError } from '../../../errors.js';
import { openTicketButton } from '../../../telegram/mini-app-button.js';
import type { BotContext } from '../../context.js';
import { chatKey, editOrSend, showForm } from './form-message.js';
import type { SubmitDeps, SupportForm } from './form-state.js';

/**
 * Sends the form: creates the ticket through `tickets.create`, the API's own path, and turns
 * the form into the ticket's card (with the Mini App button when it can be shown), recorded so a
 * reply to it lands on the ticket. The form is taken out of storage first, so a second press of
 * Send finds nothing; when the service refuses, the form comes back with a note.
 */
export async function submitForm(
  ctx: BotContext,
  deps: SubmitDeps,
  form: SupportForm,
): Promise<void> {
  const { categoryId, priority, title, description } = form;
  if (!categoryId || !priority || title === undefined || description === undefined) {
    await showForm(ctx, deps, deps.store, { ...form, step: 'category' });
    return;
  }
  await deps.store.forms.delete(chatKey(ctx));
  let ticket;
  try {
    ticket = await deps.tickets.create(
      ctx.principal,
      {
        category_id: categoryId,
        priority,
        title,
        description,
        attachment_ids: form.files.map((file) => file.id),
      },
      'telegram',
    );
  } catch (error) {
    await showForm(ctx, deps, deps.store, refusedForm(ctx, deps, form, error));
    return;
  }
  const t = ctx.t.support;
  const button = openTicketButton(deps.config.MINI_APP_URL, ticket.number, t.button.open_in_app);
  const keyboard = button ? InlineKeyboard.from([[button]]) : undefined;
  const messageId = await editOrSend(ctx, form.messageId, t.created(ticket), keyboard);
  if (ctx.chat)
    await deps.ticketMessages.record(ctx.chat.id, messageId, {
      ticketId: ticket.id,
      internal: false,
    });
}

/** The form back after `tickets.create` refused it, pointing at what to fix. */
function refusedForm(
  ctx: BotContext,
  deps: Pick<SubmitDeps, 'logger'>,
  form: SupportForm,
  error: unknown,
): SupportForm {
  const t = ctx.t.support;
  const fields = error instanceof DomainError ? (error.errors ?? []).map((e) => e.field) : [];
  if (fields.includes('category_id')) {
    const unset = { categoryId: undefined, categoryLabel: undefined };
    return { ...form, ...unset, step: 'category', note: t.category_unavailable };
  }
  if (fields.includes('attachment_ids')) {
    return { ...form, files: [], step: 'files', note: t.files_expired };
  }
  deps.logger.error({ err: error }, 'bot: a ticket from the /support form was not created');
  return { ...form, step: 'preview', note: t.create_failed };
}
