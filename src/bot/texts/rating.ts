import { escapeHtml } from '../../telegram/html.js';

/** The words of a customer's rating in Telegram (`features/rating.ts`). */
export interface RatingTexts {
  /** The notice once rated: the ticket, the score as stars, thanks, and that it may change. */
  rated(number: number, title: string, stars: string): string;
  /** The answer to a press of a score. */
  saved(score: number): string;
  comment_button: string;
  /** The request to write the comment, and its length limit. */
  comment_prompt(max: number): string;
  comment_saved: string;
  /** A comment longer than the limit. */
  comment_too_long(max: number): string;
  /** The ticket was reopened (or deleted) since the question: nothing to rate now. */
  not_resolved: string;
  /** A day has passed since the rating was given: it stands. */
  final: string;
}

const en: RatingTexts = {
  rated: (number, title, stars) =>
    `<b>Ticket #${number}</b> «${escapeHtml(title)}»\nYour rating: ${stars}\n` +
    'Thank you! You can change it within a day, and add a comment.',
  saved: (score) => `Thank you! Your rating: ${score}/5`,
  comment_button: '✍️ Add a comment',
  comment_prompt: (max) => `Write your comment in one message (up to ${max} characters).`,
  comment_saved: 'Thank you! Your comment is saved.',
  comment_too_long: (max) => `That is too long: up to ${max} characters, please.`,
  not_resolved: 'This ticket is not resolved now, so there is nothing to rate.',
  final: 'Your rating stands: it can be changed for a day after it was given.',
};

const ru: RatingTexts = {
  rated: (number, title, stars) =>
    `<b>Обращение #${number}</b> «${escapeHtml(title)}»\nВаша оценка: ${stars}\n` +
    'Спасибо! В течение суток её можно изменить и добавить комментарий.',
  saved: (score) => `Спасибо! Ваша оценка: ${score}/5`,
  comment_button: '✍️ Добавить комментарий',
  comment_prompt: (max) => `Напишите комментарий одним сообщением (до ${max} символов).`,
  comment_saved: 'Спасибо! Комментарий сохранён.',
  comment_too_long: (max) => `Слишком длинно: не больше ${max} символов, пожалуйста.`,
  not_resolved: 'Обращение сейчас не решено — оценивать пока нечего.',
  final: 'Оценка уже учтена: изменить её можно только в течение суток.',
};

/** The rating words in each of the bot's languages. */
export const ratingTexts = { ru, en };
