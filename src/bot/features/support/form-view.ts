import { InlineKeyboard } from 'grammy';
import type { CategoryDto } from '../../../categories/schemas.js';
import { ticketPriorities } from '../../../db/schema.js';
import { excerpt } from '../../../notifications/texts.js';
import { escapeHtml } from '../../../telegram/html.js';
import type { SupportTexts } from '../../texts/support.js';
import { ticketLimits, type FormFields } from './form-state.js';

/** Callback data of the form's buttons (`support:<action>[:<value>]`). */
export const formActions = {
  start: 'support:start',
  fromText: 'support:from_text',
  declineText: 'support:no',
  category: 'support:cat:',
  priority: 'support:prio:',
  useTitle: 'support:use_title',
  filesDone: 'support:files_done',
  send: 'support:send',
  edit: 'support:edit',
  editField: 'support:edit:',
  back: 'support:back',
  cancel: 'support:cancel',
} as const;

/** The fields the Edit menu offers, in its order. */
export const editableFields = ['category', 'priority', 'title', 'description', 'files'] as const;

/** The form's message: its HTML and its buttons. */
export interface FormView {
  text: string;
  keyboard: InlineKeyboard;
}

/** Descriptions are shortened so the form stays under Telegram's 4096 characters. */
const descriptionShown = { step: 300, preview: 1_000 };

/** Longest button label for a suggested title; Telegram cuts long labels anyway. */
const buttonLabel = 40;

function summary(form: FormFields, t: SupportTexts, full: boolean): string[] {
  const lines: string[] = [];
  if (form.categoryLabel) lines.push(`${t.field.category}: ${escapeHtml(form.categoryLabel)}`);
  if (form.priority) lines.push(`${t.field.priority}: ${t.priorities[form.priority]}`);
  if (form.title !== undefined) lines.push(`${t.field.title}: <b>${escapeHtml(form.title)}</b>`);
  if (form.description !== undefined) {
    const max = full ? descriptionShown.preview : descriptionShown.step;
    lines.push(`${t.field.description}: ${escapeHtml(excerpt(form.description, max))}`);
  }
  if (form.files.length > 0 || full) lines.push(`${t.field.files}: ${form.files.length}`);
  return lines;
}

function question(form: FormFields, t: SupportTexts): string {
  switch (form.step) {
    case 'category':
      return t.ask_category;
    case 'priority':
      return t.ask_priority;
    case 'title':
      return t.ask_title(ticketLimits.title);
    case 'description':
      return t.ask_description(ticketLimits.description);
    case 'files':
      return t.ask_files(ticketLimits.files);
    case 'preview':
      return t.ask_preview;
    case 'edit':
      return t.ask_edit;
  }
}

function stepButtons(
  keyboard: InlineKeyboard,
  form: FormFields,
  t: SupportTexts,
  categories: readonly CategoryDto[],
): void {
  switch (form.step) {
    case 'category':
      categories.forEach((category, index) => {
        const label = [category.icon, category.name].filter(Boolean).join(' ');
        keyboard.text(label, formActions.category + category.id);
        if (index % 2 === 1) keyboard.row();
      });
      keyboard.row();
      return;
    case 'priority':
      ticketPriorities.forEach((priority, index) => {
        keyboard.text(t.priorities[priority], formActions.priority + priority);
        if (index % 2 === 1) keyboard.row();
      });
      return;
    case 'title':
      if (form.suggestedTitle) {
        const label = t.button.use_title(excerpt(form.suggestedTitle, buttonLabel));
        keyboard.text(label, formActions.useTitle).row();
      }
      return;
    case 'files':
      keyboard.text(form.files.length > 0 ? t.button.done : t.button.skip, formActions.filesDone);
      keyboard.row();
      return;
    case 'preview':
      keyboard.text(t.button.send, formActions.send).text(t.button.edit, formActions.edit).row();
      return;
    case 'edit':
      editableFields.forEach((field, index) => {
        keyboard.text(t.field[field], formActions.editField + field);
        if (index % 2 === 1) keyboard.row();
      });
      keyboard.row().text(t.button.back, formActions.back).row();
      return;
    case 'description':
      return;
  }
}

/**
 * Renders the form for its step: what is filled so far (in full on the preview), the question,
 * a one-off note, and the step's buttons with Cancel last. `categories` are the active ones,
 * needed only on the category step.
 */
export function renderForm(
  form: FormFields,
  t: SupportTexts,
  categories: readonly CategoryDto[] = [],
): FormView {
  const filled = summary(form, t, form.step === 'preview');
  const parts = [
    t.form_header,
    filled.join('\n'),
    question(form, t),
    form.note ? `<i>${form.note}</i>` : '',
  ];
  const keyboard = new InlineKeyboard();
  stepButtons(keyboard, form, t, categories);
  if (form.returnToPreview && form.step !== 'preview' && form.step !== 'edit') {
    keyboard.text(t.button.back, formActions.back).row();
  }
  keyboard.text(t.button.cancel, formActions.cancel);
  return { text: parts.filter(Boolean).join('\n\n'), keyboard };
}
