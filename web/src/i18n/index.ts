// The server's own language rule, so the Mini App speaks to everyone as the bot does.
import { homeLanguage, type Language } from '../../../src/i18n/language';
import { en, type TextKey } from './en';
import { ru } from './ru';

export { languageOf, type Language } from '../../../src/i18n/language';

let language: Language = homeLanguage;

/** Sets the language texts come in from now on. */
export function setLanguage(next: Language): void {
  language = next;
  document.documentElement.lang = next;
}

/** The current language. */
export function currentLanguage(): Language {
  return language;
}

/** A text in the current language, with `{name}` placeholders filled in. */
export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  const text: string = (language === 'en' ? en : ru)[key];
  return text.replace(/\{(\w+)\}/g, (_match, name: string) => String(vars[name] ?? ''));
}

/** A date and time as people of the current language write it. */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(language, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The time of day. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}

/** A day separator: Today, Yesterday or the date. */
export function formatDay(iso: string): string {
  const day = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86_400_000);
  if (day.toDateString() === today.toDateString()) return t('today');
  if (day.toDateString() === yesterday.toDateString()) return t('yesterday');
  return day.toLocaleDateString(language, { day: 'numeric', month: 'long', year: 'numeric' });
}

export type { TextKey };
