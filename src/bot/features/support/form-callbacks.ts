import { categoryInLanguage } from '../../../categories/in-language.js';
import type { TicketPriority } from '../../../db/schema.js';
import { ticketPriorities } from '../../../db/schema.js';
import { DomainError } from '../../../errors.js';
import type { BotDeps } from '../../bot.js';
import type { BotContext } from '../../context.js';
import { showForm } from './form-message.js';
import { stepAfterField, type FormStep, type SupportForm } from './form-state.js';
import { editableFields, formActions } from './form-view.js';
import { submitForm, type SubmitDeps } from './form-submit.js';

function isPriority(value: string): value is TicketPriority {
  return (ticketPriorities as readonly string[]).includes(value);
}

function isEditable(value: string): value is (typeof editableFields)[number] {
  return (editableFields as readonly string[]).includes(value);
}

/** The form with the chosen category, or a note when it no longer takes tickets. */
async function withCategory(
  ctx: BotContext,
  deps: BotDeps,
  form: SupportForm,
  id: string,
): Promise<SupportForm> {
  try {
    const category = categoryInLanguage(
      await deps.categories.get(id, { includeInactive: false }),
      ctx.language,
    );
    const label = [category.icon, category.name].filter(Boolean).join(' ');
    const filled = { ...form, categoryId: category.id, categoryLabel: label };
    return { ...filled, step: stepAfterField(filled) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ...form, note: ctx.t.support.category_unavailable };
  }
}

/** The form after a press of one of its buttons (`data` is the callback data). */
async function pressed(
  ctx: BotContext,
  deps: BotDeps,
  form: SupportForm,
  data: string,
): Promise<SupportForm> {
  if (data.startsWith(formActions.category)) {
    return withCategory(ctx, deps, form, data.slice(formActions.category.length));
  }
  if (data.startsWith(formActions.priority)) {
    const priority = data.slice(formActions.priority.length);
    if (!isPriority(priority)) return form;
    const filled = { ...form, priority };
    return { ...filled, step: stepAfterField(filled) };
  }
  if (data.startsWith(formActions.editField)) {
    const field = data.slice(formActions.editField.length);
    return isEditable(field) ? { ...form, step: field satisfies FormStep } : form;
  }
  switch (data) {
    case formActions.useTitle: {
      if (form.step !== 'title' || !form.suggestedTitle) return form;
      const filled = { ...form, title: form.suggestedTitle };
      return { ...filled, step: stepAfterField(filled) };
    }
    case formActions.filesDone:
    case formActions.back:
      return { ...form, step: 'preview', returnToPreview: true };
    case formActions.edit:
      return { ...form, step: 'edit', returnToPreview: true };
    default:
      return form;
  }
}

/**
 * Handles a press of the form's buttons: Cancel ends it, Send creates the ticket, the rest move
 * the form to another step and show it.
 */
export async function handleFormPress(
  ctx: BotContext,
  deps: BotDeps,
  extra: SubmitDeps,
  form: SupportForm,
  data: string,
): Promise<void> {
  if (data === formActions.send) {
    await submitForm(ctx, deps, extra, form);
    return;
  }
  await showForm(ctx, deps, extra.store, await pressed(ctx, deps, form, data));
}
