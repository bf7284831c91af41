import type { TicketPriority, TicketStatus } from '../../db/schema.js';
import type { Language } from '../../i18n/language.js';
import { inSentence, vocabulary } from '../../i18n/vocabulary.js';
import { escapeHtml } from '../../telegram/html.js';
import { ticketCard, type CardTicket } from '../../telegram/ticket-card.js';

/** A ticket as the confirmation card shows it. */
export type CreatedTicket = CardTicket;

/**
 * The words of the /support form and of the free-text offer. Functions take user content raw
 * and return Telegram HTML with that content escaped.
 */
export interface SupportTexts {
  form_header: string;
  field: { category: string; priority: string; title: string; description: string; files: string };
  ask_category: string;
  ask_priority: string;
  ask_title: (max: number) => string;
  ask_description: (max: number) => string;
  ask_files: (max: number) => string;
  ask_preview: string;
  ask_edit: string;
  /** The names of `i18n/vocabulary.ts`, as the form's buttons and lines show them. */
  priorities: Record<TicketPriority, string>;
  statuses: Record<TicketStatus, string>;
  button: {
    cancel: string;
    send: string;
    edit: string;
    done: string;
    skip: string;
    back: string;
    use_title: (title: string) => string;
    create: string;
    no: string;
    open_in_app: string;
  };
  no_categories: string;
  title_empty: string;
  title_too_long: (max: number) => string;
  description_empty: string;
  description_too_long: (max: number) => string;
  use_buttons: string;
  /** What a photo is called in notes (Telegram gives photos no name). */
  photo_name: string;
  send_files_or_done: string;
  /** A voice message, video, sticker… sent into the form, which takes text, photos, documents. */
  unsupported_input: string;
  file_attached: (name: string) => string;
  file_refused_type: (name: string) => string;
  file_refused_size: (name: string) => string;
  file_unavailable: (name: string) => string;
  file_limit: (max: number) => string;
  cancelled: string;
  left_for_command: string;
  form_inactive: string;
  created: (ticket: CreatedTicket) => string;
  create_failed: string;
  category_unavailable: string;
  files_expired: string;
  offer: string;
  offer_declined: string;
  offer_expired: string;
  nothing_to_cancel: string;
  unknown_command: string;
}

/** What each priority means, after its name, for the priority step's hint. */
const priorityMeanings: Record<Language, Record<TicketPriority, string>> = {
  ru: {
    low: 'может подождать',
    normal: 'рядовой вопрос',
    high: 'мешает работать',
    critical: 'ничего не работает',
  },
  en: {
    low: 'can wait',
    normal: 'an everyday question',
    high: 'gets in the way of work',
    critical: 'nothing works',
  },
};

/** «Низкий — может подождать; обычный — рядовой вопрос; …» (the first name as a label). */
function priorityHint(language: Language): string {
  const names = vocabulary[language].priorities;
  const meanings = priorityMeanings[language];
  const parts = (Object.keys(meanings) as TicketPriority[]).map((priority, index) => {
    const name = index === 0 ? names[priority] : inSentence(names[priority], language);
    return `${name} — ${meanings[priority]}`;
  });
  return `<i>${parts.join('; ')}.</i>`;
}

const ru: SupportTexts = {
  form_header: '📝 <b>Новое обращение</b>',
  field: {
    category: 'Категория',
    priority: 'Приоритет',
    title: 'Тема',
    description: 'Описание',
    files: 'Файлы',
  },
  ask_category: 'Выберите категорию:',
  ask_priority: `Насколько это срочно?\n${priorityHint('ru')}`,
  ask_title: (max) => `Напишите коротко тему обращения (до ${max} символов).`,
  ask_description: (max) =>
    `Опишите проблему подробнее: что случилось и что вы уже пробовали (до ${max} символов).`,
  ask_files: (max) =>
    `Можно приложить фото или документы (до ${max}). Когда закончите, нажмите «Готово».`,
  ask_preview: 'Проверьте и отправьте:',
  ask_edit: 'Что изменить?',
  priorities: vocabulary.ru.priorities,
  statuses: vocabulary.ru.statuses,
  button: {
    cancel: 'Отмена',
    send: '✅ Отправить',
    edit: '✏️ Изменить',
    done: 'Готово',
    skip: 'Пропустить',
    back: '← К проверке',
    use_title: (title) => `Взять: «${title}»`,
    create: 'Создать',
    no: 'Нет',
    open_in_app: 'Открыть в приложении',
  },
  no_categories: 'Пока нельзя создать обращение: поддержка ещё не настроила категории.',
  title_empty: 'Тема не может быть пустой.',
  title_too_long: (max) => `Тема слишком длинная — не больше ${max} символов.`,
  description_empty: 'Описание не может быть пустым.',
  description_too_long: (max) => `Описание слишком длинное — не больше ${max} символов.`,
  use_buttons: 'Выберите вариант кнопками выше.',
  photo_name: 'фото',
  send_files_or_done: 'Пришлите фото или документ, или нажмите «Готово».',
  unsupported_input: 'Такое сообщение форма не примет — пришлите текст, фото или документ.',
  file_attached: (name) => `📎 Файл «${escapeHtml(name)}» приложен.`,
  file_refused_type: (name) =>
    `Файл «${escapeHtml(name)}» не принят: такие файлы не поддерживаются.`,
  file_refused_size: (name) => `Файл «${escapeHtml(name)}» не принят: он слишком большой.`,
  file_unavailable: (name) =>
    `Не удалось получить файл «${escapeHtml(name)}» от Telegram. Попробуйте ещё раз.`,
  file_limit: (max) => `Больше ${max} файлов приложить нельзя.`,
  cancelled: 'Обращение отменено. Если понадобится помощь — /support.',
  left_for_command: 'Заполнение обращения прервано. Начать заново — /support.',
  form_inactive: 'Эта форма уже неактивна.',
  created: (ticket) => ticketCard('ru', ticket, 'reply'),
  create_failed: 'Не удалось создать обращение. Попробуйте отправить ещё раз чуть позже.',
  category_unavailable: 'Эта категория больше не принимает обращения — выберите другую.',
  files_expired: 'Некоторые файлы устарели — приложите их заново, пожалуйста.',
  offer: 'Создать обращение в поддержку с этим текстом?',
  offer_declined: 'Хорошо, обращение не создаём.',
  offer_expired: 'Это предложение уже неактуально.',
  nothing_to_cancel: 'Сейчас нечего отменять.',
  unknown_command: 'Не знаю такой команды. Список команд — /help.',
};

const en: SupportTexts = {
  form_header: '📝 <b>New ticket</b>',
  field: {
    category: 'Category',
    priority: 'Priority',
    title: 'Title',
    description: 'Description',
    files: 'Files',
  },
  ask_category: 'Choose a category:',
  ask_priority: `How urgent is it?\n${priorityHint('en')}`,
  ask_title: (max) => `Type a short title for your request (up to ${max} characters).`,
  ask_description: (max) =>
    `Describe the problem: what happened and what you have tried (up to ${max} characters).`,
  ask_files: (max) =>
    `You can attach photos or documents (up to ${max}). When you are done, press “Done”.`,
  ask_preview: 'Check and send:',
  ask_edit: 'What would you like to change?',
  priorities: vocabulary.en.priorities,
  statuses: vocabulary.en.statuses,
  button: {
    cancel: 'Cancel',
    send: '✅ Send',
    edit: '✏️ Edit',
    done: 'Done',
    skip: 'Skip',
    back: '← Back to preview',
    use_title: (title) => `Use “${title}”`,
    create: 'Create',
    no: 'No',
    open_in_app: 'Open in the app',
  },
  no_categories: 'Tickets cannot be opened yet: support has not set up any categories.',
  title_empty: 'The title cannot be empty.',
  title_too_long: (max) => `The title is too long — ${max} characters at most.`,
  description_empty: 'The description cannot be empty.',
  description_too_long: (max) => `The description is too long — ${max} characters at most.`,
  use_buttons: 'Please choose with the buttons above.',
  photo_name: 'photo',
  send_files_or_done: 'Send a photo or a document, or press “Done”.',
  unsupported_input:
    'The form cannot take this kind of message — send text, a photo or a document.',
  file_attached: (name) => `📎 “${escapeHtml(name)}” attached.`,
  file_refused_type: (name) =>
    `“${escapeHtml(name)}” was not accepted: this file type is not allowed.`,
  file_refused_size: (name) => `“${escapeHtml(name)}” was not accepted: it is too large.`,
  file_unavailable: (name) =>
    `Could not get “${escapeHtml(name)}” from Telegram. Please try again.`,
  file_limit: (max) => `You cannot attach more than ${max} files.`,
  cancelled: 'Ticket cancelled. If you need help later, use /support.',
  left_for_command: 'The ticket form was closed. To start again, use /support.',
  form_inactive: 'This form is no longer active.',
  created: (ticket) => ticketCard('en', ticket, 'reply'),
  create_failed: 'Could not create the ticket. Please try sending again a little later.',
  category_unavailable: 'This category no longer takes tickets — please choose another.',
  files_expired: 'Some files have expired — please attach them again.',
  offer: 'Open a support ticket with this text?',
  offer_declined: 'Okay, no ticket.',
  offer_expired: 'This offer is no longer active.',
  nothing_to_cancel: 'There is nothing to cancel right now.',
  unknown_command: 'I don’t know that command. See /help for the list.',
};

export const supportTexts: Record<Language, SupportTexts> = { ru, en };
