import { categoryInLanguage } from '../../../categories/in-language.js';
import type { TicketPriority } from '../../../db/schema.js';
import { ticketPriorities } from '../../../db/schema.js';
import type { BotContext } from '../../context.js';
import { attempt } from '../../refusals.js';
import { showForm } from './form-message.js';
import {
  stepAfterField,
  type FormDeps,
  type FormStep,
  type SubmitDeps,
  type SupportForm,
} from './form-state.js';
import { editableFields, formActions } from './form-view.js';
import { submitForm } from './form-submit.js';

function isPriority(value: string): value is TicketPriority {
  return (ticketPriorities as readonly string[]).includes(value);
}

function isEditable(value: string): value is (typeof editableFields)[number] {
  return (editableFields as readonly string[]).includes(value);
}

/** The form with the chosen category, or a note when it no longer takes tickets. */
async function withCategory(
  ctx: BotContext,
  deps: Pick<FormDeps, 'categories'>,
  form: SupportForm,
  id: string,
): Promise<SupportForm> {
  const found = await attempt(ctx, { what: 'category' }, () =>
    deps.categories.get(id, { includeInactive: false }),
  );
  if (!found.ok) return { ...form, note: found.words };
  const category = categoryInLanguage(found.value, ctx.language);
  const label = [category.icon, category.name].filter(Boolean).join(' ');
  const filled = { ...form, categoryId: category.id, categoryLabel: label };
  return { ...filled, step: stepAfterField(filled) };
}

/** The form after a press of one of its buttons (`data` is the callback data). */
async function pressed(
  ctx: BotContext,
  deps: Pick<FormDeps, 'categories'>,
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
  deps: SubmitDeps,
  form: SupportForm,
  data: string,
): Promise<void> {
  if (data === formActions.send) {
    await submitForm(ctx, deps, form);
    return;
  }
  await showForm(ctx, deps, deps.store, await pressed(ctx, deps, form, data));
}
