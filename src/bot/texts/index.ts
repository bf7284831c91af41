import type { Language } from '../../i18n/language.js';
import { adminTexts, type AdminTexts } from './admin.js';
import { commonTexts, type CommonTexts } from './common.js';
import { ratingTexts, type RatingTexts } from './rating.js';
import { refusalTexts, type RefusalTexts } from './refusals.js';
import { settingsTexts, type SettingsTexts } from './settings.js';
import { setupTexts, type SetupTexts } from './setup.js';
import { supportTexts, type SupportTexts } from './support.js';

/**
 * Every user-facing string of the bot, by feature. Each feature keeps its words in its own
 * module (`common`, `support`, `admin`, `setup`, `settings`, `refusals`, `rating`) with the same shape in Russian and English; texts that
 * take user content return Telegram HTML and escape that content themselves.
 */
export interface BotTexts {
  common: CommonTexts;
  support: SupportTexts;
  admin: AdminTexts;
  setup: SetupTexts;
  settings: SettingsTexts;
  refusals: RefusalTexts;
  rating: RatingTexts;
}

const byLanguage: Record<Language, BotTexts> = {
  ru: {
    common: commonTexts.ru,
    support: supportTexts.ru,
    admin: adminTexts.ru,
    setup: setupTexts.ru,
    settings: settingsTexts.ru,
    refusals: refusalTexts.ru,
    rating: ratingTexts.ru,
  },
  en: {
    common: commonTexts.en,
    support: supportTexts.en,
    admin: adminTexts.en,
    setup: setupTexts.en,
    settings: settingsTexts.en,
    refusals: refusalTexts.en,
    rating: ratingTexts.en,
  },
};

/** The bot's texts in `language` (`i18n/language.ts` says whose language is which). */
export function textsFor(language: Language): BotTexts {
  return byLanguage[language];
}
