/**
 * The one rule for which language someone reads, shared by the bot, notifications, broadcasts,
 * category names and the Mini App (which imports this file: web/src/i18n/index.ts). It has no
 * imports, so both builds can take it as it is.
 */

/** The languages the product speaks. */
export const languages = ['ru', 'en'] as const;
export type Language = (typeof languages)[number];

/** The product's home language: spoken when nobody has told us which language they read. */
export const homeLanguage: Language = 'ru';

/**
 * The language of everyone whose language we know and do not speak: a German or Spanish reader
 * reads English better than Russian.
 */
export const foreignLanguage: Language = 'en';

/**
 * The language for a Telegram `language_code` (or a browser's language tag): Russian for `ru` and
 * its regional forms (`ru-RU`), Russian when no code is known, English for every other code.
 */
export function languageOf(code: string | null | undefined): Language {
  const primary = code?.trim().toLowerCase().split(/[-_]/)[0];
  if (!primary) return homeLanguage;
  return primary === 'ru' ? 'ru' : foreignLanguage;
}
