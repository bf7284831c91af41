import { languageOf, type Language } from '../i18n/language.js';

/** Where a broadcast stands, for its status message. */
export interface BroadcastCounts {
  total: number;
  sent: number;
  failed: number;
  blocked: number;
}

/**
 * The words of a broadcast that the worker writes: the title of each recipient's message, and
 * the admin's status message while it goes out and when it is done (Telegram HTML). The bot's
 * own words of `/broadcast` (the preview, the start) are in `bot/texts/admin.ts`.
 */
export interface BroadcastTexts {
  title: string;
  progress(counts: BroadcastCounts): string;
  report(counts: BroadcastCounts): string;
}

/** `▓▓▓▓░░░░░░ 40% — 4/10`: `done` of `total` as a bar of ten cells. */
export function progressBar(done: number, total: number): string {
  const share = total === 0 ? 1 : Math.min(1, done / total);
  const cells = Math.round(share * 10);
  return `${'▓'.repeat(cells)}${'░'.repeat(10 - cells)} ${Math.floor(share * 100)}% — ${done}/${total}`;
}

const texts: Record<Language, BroadcastTexts> = {
  ru: {
    title: '📣 Объявление',
    progress: (c) =>
      `📣 <b>Идёт рассылка</b>\n${progressBar(c.sent + c.failed + c.blocked, c.total)}`,
    report: (c) =>
      `📣 <b>Рассылка завершена</b>\n\nДоставлено: <b>${c.sent}</b>\nНе доставлено: <b>${c.failed}</b>\n` +
      `Заблокировали бота: <b>${c.blocked}</b>\nВсего: <b>${c.total}</b>`,
  },
  en: {
    title: '📣 Announcement',
    progress: (c) =>
      `📣 <b>Broadcasting</b>\n${progressBar(c.sent + c.failed + c.blocked, c.total)}`,
    report: (c) =>
      `📣 <b>Broadcast finished</b>\n\nDelivered: <b>${c.sent}</b>\nFailed: <b>${c.failed}</b>\n` +
      `Blocked the bot: <b>${c.blocked}</b>\nTotal: <b>${c.total}</b>`,
  },
};

/** The broadcast texts for a Telegram language code, by the one rule of `languageOf`. */
export function broadcastTextsFor(languageCode: string | null | undefined): BroadcastTexts {
  return texts[languageOf(languageCode)];
}
