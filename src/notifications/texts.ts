import type { TicketStatus } from '../db/schema.js';
import { languageOf, type Language } from '../i18n/language.js';
import { inSentence, vocabulary } from '../i18n/vocabulary.js';
import { wallClock } from './quiet-hours.js';

/**
 * The words of notifications, by language (ru, en). Titles and contents are stored as plain
 * text in the recipient's language when the notification is written; Telegram rendering escapes
 * them (`telegram/html.ts`).
 */
/** The notification texts of one language. */
export interface NotificationTexts {
  ticket_created(n: number): string;
  ticket_assigned(n: number): string;
  new_message(n: number): string;
  /** A notice counting `count` follow-ups (one: as `new_message`). */
  new_messages(count: number, n: number): string;
  internal_note(n: number): string;
  status_changed(n: number): string;
  /** «Title»: the new status, named as everywhere else (`i18n/vocabulary.ts`). */
  status_content(title: string, status: TicketStatus): string;
  reminder(n: number): string;
  reminder_content(title: string, hours: number): string;
  /** «Title» closed by the system after `days` idle days since it was resolved. */
  auto_closed_content(title: string, days: number): string;
  /** Staff-only: an upload carried malware and was quarantined. */
  malware_blocked: string;
  malware_content(fileName: string, uploaderId: string): string;
  open_button: string;
  /** The daily digest (`digest.ts`): how many overdue tickets it lists. */
  digest_title(count: number): string;
  /** One line of it: the ticket, and how long ago it was opened. */
  digest_line(n: number, title: string, ageHours: number): string;
  /** The digest's button opening the Mini App. */
  open_app_button: string;
  /** The person's own account was blocked by staff, with the reason when one was given. */
  account_blocked: string;
  account_blocked_content(reason: string | null): string;
  /** The person's own account was unblocked. */
  account_unblocked: string;
  account_unblocked_content: string;
  /** Staff: the customer rated (or re-rated) ticket #n `score` of 5. */
  rated(n: number, score: number): string;
  /** Admins: a rating of 2 or less. */
  low_rating(n: number, score: number): string;
  /** «Title», the score as stars, and the customer's comment when there is one. */
  rating_content(title: string, score: number, comment: string | null): string;
  /** The question under a resolved ticket's notice in Telegram, above its 1–5 buttons. */
  rating_question: string;
  /** Staff: a service level target of the ticket is 80 % gone (`sla/`). */
  sla_warning(n: number, target: 'first_response' | 'resolution'): string;
  /** «Title»: when it is due, on the clock of the support time zone `zone`. */
  sla_warning_content(title: string, dueAt: Date, zone: string): string;
  /** Staff: a service level target of the ticket was missed. */
  sla_breached(n: number, target: 'first_response' | 'resolution'): string;
  sla_breached_content(title: string, dueAt: Date, zone: string): string;
}

/** A score out of 5 as stars: ★★★★☆ 4/5. */
export function stars(score: number): string {
  return `${'★'.repeat(score)}${'☆'.repeat(5 - score)} ${score}/5`;
}

/** «Title», the stars, then the comment on its own line when there is one. */
function ratingContent(commentLabel: string) {
  return (title: string, score: number, comment: string | null) => {
    const line = `«${title}»: ${stars(score)}`;
    return comment ? `${line}\n${commentLabel}: ${excerpt(comment, 1000)}` : line;
  };
}

/** A due time as the notices name it: day, month and time of day on `zone`'s clock, and the zone. */
function dueTime(at: Date, zone: string): string {
  const wall = new Date(wallClock(at, zone)).toISOString();
  return `${wall.slice(8, 10)}.${wall.slice(5, 7)} ${wall.slice(11, 16)} ${zone}`;
}

/** An age in whole hours under two days, else in whole days. */
function age(hours: number, units: { h: string; d: string }): string {
  return hours < 48 ? `${Math.floor(hours)} ${units.h}` : `${Math.floor(hours / 24)} ${units.d}`;
}

/** «Title»: status, the status's name as it reads after a colon. */
function statusContent(language: Language) {
  return (title: string, status: TicketStatus) =>
    `«${title}»: ${inSentence(vocabulary[language].statuses[status], language)}`;
}

const russianPlural = new Intl.PluralRules('ru');

/** "new messages" in Russian, in the form that follows `count` (21 новое, 22 новых сообщения). */
function russianNewMessages(count: number): string {
  const form = russianPlural.select(count);
  if (form === 'one') return 'новое сообщение';
  return form === 'few' ? 'новых сообщения' : 'новых сообщений';
}

/** "days" in Russian, in the form that follows `count` (1 день, 2 дня, 5 дней). */
function russianDays(count: number): string {
  const form = russianPlural.select(count);
  if (form === 'one') return 'день';
  return form === 'few' ? 'дня' : 'дней';
}

const texts: Record<Language, NotificationTexts> = {
  en: {
    ticket_created: (n: number) => `New ticket #${n}`,
    ticket_assigned: (n: number) => `Ticket #${n} is assigned to you`,
    new_message: (n: number) => `New message in ticket #${n}`,
    new_messages: (count: number, n: number) =>
      count === 1 ? `New message in ticket #${n}` : `${count} new messages in ticket #${n}`,
    internal_note: (n: number) => `Internal note in ticket #${n}`,
    status_changed: (n: number) => `Ticket #${n} status`,
    status_content: statusContent('en'),
    reminder: (n: number) => `Ticket #${n} waits for an answer`,
    reminder_content: (title: string, hours: number) =>
      `«${title}» has had no staff answer for over ${hours} h.`,
    auto_closed_content: (title: string, days: number) =>
      `«${title}» was closed automatically: no reply for ${days} ${days === 1 ? 'day' : 'days'} ` +
      'after it was resolved. Still need help? Reopen it in the app, or open a new ticket: /support',
    malware_blocked: 'Malware blocked',
    malware_content: (fileName: string, uploaderId: string) =>
      `The file “${fileName}” uploaded by user ${uploaderId} contains malware and was quarantined.`,
    open_button: 'Open ticket',
    digest_title: (count: number) => `Tickets waiting for an answer: ${count}`,
    digest_line: (n: number, title: string, hours: number) =>
      `#${n} «${title}», opened ${age(hours, { h: 'h', d: 'd' })} ago`,
    open_app_button: 'Open the app',
    account_blocked: 'Your access to support is blocked',
    account_blocked_content: (reason: string | null) =>
      reason
        ? `Reason: ${reason}`
        : 'The support team blocked your access; they did not give a reason.',
    account_unblocked: 'Your access to support is restored',
    account_unblocked_content: 'You can write to support again.',
    rated: (n: number, score: number) => `Ticket #${n} rated ${score}/5`,
    low_rating: (n: number, score: number) => `Low rating: ticket #${n}, ${score}/5`,
    rating_content: ratingContent('Comment'),
    rating_question: 'How did we do? Rate our help:',
    sla_warning: (n, target) =>
      `Ticket #${n}: ${target === 'first_response' ? 'first response' : 'resolution'} due soon`,
    sla_warning_content: (title, dueAt, zone) => `«${title}» is due by ${dueTime(dueAt, zone)}.`,
    sla_breached: (n, target) =>
      `Ticket #${n} is overdue: ${target === 'first_response' ? 'first response' : 'resolution'}`,
    sla_breached_content: (title, dueAt, zone) => `«${title}» was due by ${dueTime(dueAt, zone)}.`,
  },
  ru: {
    ticket_created: (n: number) => `Новое обращение #${n}`,
    ticket_assigned: (n: number) => `Вам назначено обращение #${n}`,
    new_message: (n: number) => `Новое сообщение в обращении #${n}`,
    new_messages: (count: number, n: number) =>
      count === 1
        ? `Новое сообщение в обращении #${n}`
        : `${count} ${russianNewMessages(count)} в обращении #${n}`,
    internal_note: (n: number) => `Внутренняя заметка в обращении #${n}`,
    status_changed: (n: number) => `Статус обращения #${n}`,
    status_content: statusContent('ru'),
    reminder: (n: number) => `Обращение #${n} ждёт ответа`,
    reminder_content: (title: string, hours: number) =>
      `«${title}»: нет ответа сотрудника больше ${hours} ч.`,
    auto_closed_content: (title: string, days: number) =>
      `«${title}» закрыто автоматически: ответа не было ${days} ${russianDays(days)} после ` +
      'решения. Если вопрос остался, откройте его снова в приложении или создайте новое: /support',
    malware_blocked: 'Заблокирован вредоносный файл',
    malware_content: (fileName: string, uploaderId: string) =>
      `Файл «${fileName}», загруженный пользователем ${uploaderId}, содержит вредоносный код ` +
      'и помещён в карантин.',
    open_button: 'Открыть обращение',
    digest_title: (count: number) => `Обращения без ответа: ${count}`,
    digest_line: (n: number, title: string, hours: number) =>
      `#${n} «${title}», открыто ${age(hours, { h: 'ч', d: 'дн.' })} назад`,
    open_app_button: 'Открыть приложение',
    account_blocked: 'Ваш доступ к поддержке заблокирован',
    account_blocked_content: (reason: string | null) =>
      reason ? `Причина: ${reason}` : 'Команда поддержки заблокировала доступ, не указав причину.',
    account_unblocked: 'Ваш доступ к поддержке восстановлен',
    account_unblocked_content: 'Вы снова можете писать в поддержку.',
    rated: (n: number, score: number) => `Оценка обращения #${n}: ${score}/5`,
    low_rating: (n: number, score: number) => `Низкая оценка: обращение #${n}, ${score}/5`,
    rating_content: ratingContent('Комментарий'),
    rating_question: 'Как мы справились? Оцените нашу помощь:',
    sla_warning: (n, target) =>
      `Обращение #${n}: скоро срок ${target === 'first_response' ? 'первого ответа' : 'решения'}`,
    sla_warning_content: (title, dueAt, zone) => `«${title}»: срок — ${dueTime(dueAt, zone)}.`,
    sla_breached: (n, target) =>
      `Обращение #${n}: просрочен ${target === 'first_response' ? 'первый ответ' : 'срок решения'}`,
    sla_breached_content: (title, dueAt, zone) => `«${title}»: срок истёк ${dueTime(dueAt, zone)}.`,
  },
};

/** The texts for a recipient's Telegram language code, by the one rule of `languageOf`. */
export function textsFor(languageCode: string | null | undefined): NotificationTexts {
  return texts[languageOf(languageCode)];
}

/**
 * Cuts plain text to at most `max` UTF-16 units, marking the cut, never between the halves of a
 * surrogate pair (an emoji cut in two is not UTF-8 any more, and Telegram refuses it).
 */
export function excerpt(text: string, max = 300): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
