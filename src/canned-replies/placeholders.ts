import type { Language } from '../i18n/language.js';

/** The placeholders a canned reply may hold, written `{name}` in its body. */
export const placeholderNames = ['customer_name', 'ticket_number', 'agent_name'] as const;

/** A placeholder's name. */
export type PlaceholderName = (typeof placeholderNames)[number];

/**
 * What fills a reply's placeholders. A value left out keeps its placeholder as written (the bot
 * fills the ticket's ones only once it knows the ticket); an empty name gets a word that still
 * reads well in the reply's language.
 */
export interface PlaceholderValues {
  customer_name?: string;
  ticket_number?: number;
  agent_name?: string;
}

/** `{word}`: anything that looks like a placeholder, known or not. */
const placeholderPattern = /\{([A-Za-z_]\w*)\}/g;

/** Words standing in for a name nobody gave, per language. */
const nameFallbacks: Record<Language, Record<'customer_name' | 'agent_name', string>> = {
  en: { customer_name: 'customer', agent_name: 'support team' },
  ru: { customer_name: 'клиент', agent_name: 'служба поддержки' },
};

const known = new Set<string>(placeholderNames);

/** The `{names}` in `body` that are not placeholders we fill, each once, in order of appearance. */
export function unknownPlaceholders(body: string): string[] {
  const names = [...body.matchAll(placeholderPattern)].map((match) => match[1] ?? '');
  return [...new Set(names.filter((name) => !known.has(name)))];
}

/**
 * Fills `body`'s placeholders in one pass, so a value that itself looks like a placeholder (a
 * customer called `{agent_name}`) stays as written; unknown `{words}` stay too.
 */
export function fillPlaceholders(
  body: string,
  values: PlaceholderValues,
  language: Language,
): string {
  return body.replace(placeholderPattern, (whole, name: string) => {
    if (name === 'ticket_number') {
      return values.ticket_number === undefined ? whole : `#${values.ticket_number}`;
    }
    if (name !== 'customer_name' && name !== 'agent_name') return whole;
    const value = values[name];
    if (value === undefined) return whole;
    return value.trim() || nameFallbacks[language][name];
  });
}

/** A person's name as replies show it: first and last name. */
export function personName(person: { first_name: string; last_name: string | null }): string {
  return [person.first_name, person.last_name]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}
