import type { InlineKeyboardButton } from 'grammy/types';

/** The callback data of a rating button: `rate:<ticket id>:<1–5 | comment>`. */
const pattern = /^rate:([0-9a-f-]{36}):([1-5]|comment)$/;

/** What a rating button asks for: a score, or to write a comment. */
export type RatingPress = { ticketId: string; score: number } | { ticketId: string; comment: true };

/** The data of the button giving `ticketId` the score `score`. */
export const scoreData = (ticketId: string, score: number) => `rate:${ticketId}:${score}`;

/** The data of the button offering a comment on the rating of `ticketId`. */
export const commentData = (ticketId: string) => `rate:${ticketId}:comment`;

/** The press a rating button's data stands for, or null for any other data. */
export function ratingPressOf(data: string): RatingPress | null {
  const match = pattern.exec(data);
  if (!match?.[1] || !match[2]) return null;
  const ticketId = match[1];
  return match[2] === 'comment'
    ? { ticketId, comment: true }
    : { ticketId, score: Number(match[2]) };
}

/** Matches the callback data of any rating button (for `callbackQuery`). */
export const ratingData = pattern;

/**
 * The row of five buttons (⭐ 1 … ⭐ 5) under a resolved ticket's notice in Telegram
 * (`notifications/deliver-notification.ts`, `bot/features/rating.ts`); the chosen score, when
 * there is one, is marked.
 */
export function scoreRow(ticketId: string, chosen?: number): InlineKeyboardButton[] {
  return [1, 2, 3, 4, 5].map((score) => ({
    text: score === chosen ? `✅ ${score}` : `⭐ ${score}`,
    callback_data: scoreData(ticketId, score),
  }));
}
