/**
 * The names of ticket statuses, priorities and roles: one word per value and language, used by
 * the bot, notifications and the Mini App (web/src/i18n/ru.ts, en.ts) alike, so a status reads
 * the same wherever it is shown. Names are written as labels (capitalised); a sentence takes
 * them through `inSentence`. The keys are the API's values (docs/api.md).
 */
import type { Language } from './language.js';

const ru = {
  statuses: {
    open: 'Открыто',
    in_progress: 'В работе',
    // Said to customers and staff alike, so it names whose answer it waits for.
    waiting: 'Ждёт ответа клиента',
    resolved: 'Решено',
    closed: 'Закрыто',
  },
  priorities: { low: 'Низкий', normal: 'Обычный', high: 'Высокий', critical: 'Критический' },
  roles: {
    user: 'Клиент',
    agent: 'Агент',
    moderator: 'Модератор',
    admin: 'Администратор',
    owner: 'Владелец',
  },
};

/** The names of one language: every status, priority and role. */
export type Vocabulary = { [Kind in keyof typeof ru]: Record<keyof (typeof ru)[Kind], string> };

const en: Vocabulary = {
  statuses: {
    open: 'Open',
    in_progress: 'In progress',
    waiting: 'Waiting for customer',
    resolved: 'Resolved',
    closed: 'Closed',
  },
  priorities: { low: 'Low', normal: 'Normal', high: 'High', critical: 'Critical' },
  roles: {
    user: 'Customer',
    agent: 'Agent',
    moderator: 'Moderator',
    admin: 'Admin',
    owner: 'Owner',
  },
};

/** The names in each language. */
export const vocabulary: Record<Language, Vocabulary> = { ru, en };

/** A name as it reads inside a sentence: «приоритет: низкий», "status: in progress". */
export function inSentence(name: string, language: Language): string {
  return name.charAt(0).toLocaleLowerCase(language) + name.slice(1);
}
