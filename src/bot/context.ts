import type { Context } from 'grammy';
import type { Principal } from '../auth/service.js';
import type { UserRow } from '../db/schema.js';
import type { Language } from '../i18n/language.js';
import type { BotTexts } from './texts/index.js';

/**
 * What every handler finds on its context, set by `middleware/who.ts` before any handler runs:
 * the sender as a user row (created or refreshed from their Telegram profile), the principal the
 * services are called with, and the texts in the sender's language.
 */
export interface BotFlavor {
  user: UserRow;
  principal: Principal;
  language: Language;
  t: BotTexts;
}

/** The context of every bot handler. */
export type BotContext = Context & BotFlavor;
