import { analyticsEn, type AnalyticsKey } from './analytics-en';
import { analyticsRu } from './analytics-ru';
import { currentLanguage } from './index';

export type { AnalyticsKey };

/** A text of the analytics page, with `{name}` placeholders filled in. */
export function ta(key: AnalyticsKey, vars: Record<string, string | number> = {}): string {
  const text: string = (currentLanguage() === 'en' ? analyticsEn : analyticsRu)[key];
  return text.replace(/\{(\w+)\}/g, (_match, name: string) => String(vars[name] ?? ''));
}
