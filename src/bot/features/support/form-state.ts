import { z } from 'zod';
import type { TicketPriority } from '../../../db/schema.js';
import { toPlainText } from '../../../content/plain-text.js';
import { attachmentIdsField } from '../../../files/schemas.js';
import { excerpt } from '../../../notifications/texts.js';
import { createTicketBody } from '../../../tickets/schemas.js';
import type { BotDeps } from '../../deps.js';
import type { BotStateStore, BotStorage } from '../../state-store.js';

/** Where the form is: the field it waits for, the preview, or the "what to change" menu. */
export type FormStep =
  'category' | 'priority' | 'title' | 'description' | 'files' | 'preview' | 'edit';

/** A file already ingested for the ticket-to-be. */
export interface FormFile {
  id: string;
  name: string;
}

/** A half-filled /support form, kept in `bot_state` so it survives a restart. */
export interface SupportForm {
  step: FormStep;
  /** The bot's message that shows the form and edits itself. */
  messageId: number;
  categoryId?: string;
  /** Icon and name, as the button showed them. */
  categoryLabel?: string;
  priority?: TicketPriority;
  title?: string;
  description?: string;
  files: FormFile[];
  /** Set once the preview was reached: changing a field goes back to the preview. */
  returnToPreview: boolean;
  /** A title offered as a button (the first line of a free-text message). */
  suggestedTitle?: string;
  /** A note (HTML) shown under the form once: a refusal, a confirmation. */
  note?: string;
}

/** What the form shows: everything but where it lives. */
export type FormFields = Omit<SupportForm, 'messageId'>;

/** A free-text message the bot offered to turn into a ticket. */
export interface TextOffer {
  text: string;
  messageId: number;
}

/** The form and the offer of each chat, in the bot's state under the `support` prefix. */
export interface SupportStore {
  forms: BotStorage<SupportForm>;
  offers: BotStorage<TextOffer>;
  /**
   * Runs `work` alone for this chat's form, across every bot process: two photos of an album
   * (or a double press of Send) would otherwise both read the same form and one would
   * overwrite the other.
   */
  withChatLock<R>(chat: string, work: () => Promise<R>): Promise<R>;
}

/** What the form's steps call: the categories to choose from, the files pipeline. */
export type FormDeps = Pick<BotDeps, 'categories' | 'files'>;

/** What sending the form needs as well: the tickets, the store, the ticket-message records. */
export interface SubmitDeps
  extends FormDeps, Pick<BotDeps, 'tickets' | 'ticketMessages' | 'config' | 'logger'> {
  store: SupportStore;
}

/** The support feature's part of the bot's state. */
export function createSupportStore(state: BotStateStore): SupportStore {
  return {
    forms: state.storage<SupportForm>('support:form'),
    offers: state.storage<TextOffer>('support:offer'),
    withChatLock: (chat, work) => state.withLock(`support:lock:${chat}`, work),
  };
}

const bodyShape = createTicketBody.shape;

/** The API's limits on a new ticket, read from its schema so the bot and the API agree. */
export const ticketLimits = {
  title: bodyShape.title.maxLength ?? Number.POSITIVE_INFINITY,
  description: bodyShape.description.maxLength ?? Number.POSITIVE_INFINITY,
  files: z.toJSONSchema(attachmentIdsField.unwrap()).maxItems ?? Number.POSITIVE_INFINITY,
};

/** Why a typed title or description was refused. */
export type TextProblem = 'empty' | 'too_long';

/**
 * Checks a typed field as the API does: its schema's limits, then the plain text the ticket
 * service keeps (markup such as `<b></b>` alone leaves nothing, which the service refuses).
 * The text as the ticket will hold it, or what is wrong with it.
 */
export function checkField(
  field: 'title' | 'description',
  text: string,
): { ok: true; value: string } | { ok: false; problem: TextProblem } {
  const parsed = bodyShape[field].safeParse(text);
  const plain = parsed.success ? toPlainText(parsed.data) : '';
  if (plain) return { ok: true, value: plain };
  return { ok: false, problem: !parsed.success && text.trim().length > 0 ? 'too_long' : 'empty' };
}

/**
 * The step after a field was filled: back to the preview when the user is editing, else the
 * first field still missing, and the files once the texts are in.
 */
export function stepAfterField(form: SupportForm): FormStep {
  if (form.returnToPreview) return 'preview';
  if (!form.categoryId) return 'category';
  if (!form.priority) return 'priority';
  if (form.title === undefined) return 'title';
  if (form.description === undefined) return 'description';
  return 'files';
}

/** The first line of a text, cut to fit a title, as a suggestion. */
export function suggestTitle(text: string): string | undefined {
  const firstLine = toPlainText(text).split('\n')[0]?.trim() ?? '';
  return firstLine ? excerpt(firstLine, ticketLimits.title) : undefined;
}
