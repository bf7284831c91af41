import type { Document, PhotoSize } from 'grammy/types';
import { largestPhoto } from '../../../files/file-store.js';
import type { BotContext } from '../../context.js';
import { attempt } from '../../refusals.js';
import type { SupportTexts } from '../../texts/support.js';
import {
  checkField,
  stepAfterField,
  ticketLimits,
  type FormDeps,
  type SupportForm,
} from './form-state.js';

/** Telegram's Bot API hands out files up to 20 MB through `getFile`; larger ones cannot come. */
const telegramDownloadLimit = 20 * 1024 * 1024;

/**
 * The form after the user typed `text`: the title or description when the form waits for one
 * and the text passes the API's limits, else the same form with a note saying what to do.
 */
export function withTypedText(form: SupportForm, text: string, t: SupportTexts): SupportForm {
  if (form.step !== 'title' && form.step !== 'description') {
    return { ...form, note: form.step === 'files' ? t.send_files_or_done : t.use_buttons };
  }
  const field = form.step;
  const checked = checkField(field, text);
  if (!checked.ok) return { ...form, note: refusal(field, checked.problem, t) };
  const filled: SupportForm = { ...form, [field]: checked.value };
  return { ...filled, step: stepAfterField(filled) };
}

/**
 * The form after a file came with a caption: when the form waits for a title or description,
 * the caption answers it as typed text would (a user naming a screenshot expects that), the
 * file's own note kept beside any refusal. At other steps the caption is not a field's answer.
 */
export function withCaption(
  form: SupportForm,
  caption: string | undefined,
  t: SupportTexts,
): SupportForm {
  if (caption === undefined || (form.step !== 'title' && form.step !== 'description')) {
    return form;
  }
  const answered = withTypedText({ ...form, note: undefined }, caption, t);
  const notes = [form.note, answered.note].filter(Boolean);
  return { ...answered, note: notes.length > 0 ? notes.join('\n') : undefined };
}

function refusal(
  field: 'title' | 'description',
  problem: 'empty' | 'too_long',
  t: SupportTexts,
): string {
  if (field === 'title') {
    return problem === 'empty' ? t.title_empty : t.title_too_long(ticketLimits.title);
  }
  return problem === 'empty'
    ? t.description_empty
    : t.description_too_long(ticketLimits.description);
}

/** A photo or a document the user sent into the form. */
export interface IncomingFile {
  fileId: string;
  /** The name the note shows when the file is refused (Telegram names photos nothing). */
  name: string;
  fileName?: string;
  size?: number;
}

/** The file of a message: a document as sent, or a photo's largest size. */
export function incomingFile(
  message: { photo?: PhotoSize[]; document?: Document },
  photoName: string,
): IncomingFile | undefined {
  if (message.document) {
    const { file_id, file_name, file_size } = message.document;
    return {
      fileId: file_id,
      name: file_name ?? photoName,
      ...(file_name ? { fileName: file_name } : {}),
      ...(file_size !== undefined ? { size: file_size } : {}),
    };
  }
  const photo = largestPhoto(message.photo ?? []);
  if (!photo) return undefined;
  return {
    fileId: photo.file_id,
    name: photoName,
    ...(photo.file_size !== undefined ? { size: photo.file_size } : {}),
  };
}

/**
 * The form after the user sent a file: ingested through the files pipeline (same checks as an
 * upload) and listed, or refused with a note saying why; the form continues either way.
 */
export async function withFile(
  ctx: BotContext,
  deps: Pick<FormDeps, 'files'>,
  form: SupportForm,
  file: IncomingFile,
): Promise<SupportForm> {
  const t = ctx.t.support;
  if (form.files.length >= ticketLimits.files) {
    return { ...form, note: t.file_limit(ticketLimits.files) };
  }
  if (file.size !== undefined && file.size > telegramDownloadLimit) {
    return { ...form, note: t.file_refused_size(file.name) };
  }
  const ingested = await attempt(ctx, { what: 'file', name: file.name }, () =>
    deps.files.ingestTelegramFile(ctx.principal, {
      file_id: file.fileId,
      ...(file.fileName ? { file_name: file.fileName } : {}),
    }),
  );
  if (!ingested.ok) return { ...form, note: ingested.words };
  const stored = ingested.value;
  const files = [...form.files, { id: stored.id, name: stored.file_name }];
  return { ...form, files, note: t.file_attached(stored.file_name) };
}
