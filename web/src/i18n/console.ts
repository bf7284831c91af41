import { consoleEn, type ConsoleKey } from './console-en';
import { consoleRu } from './console-ru';
import { currentLanguage } from './index';

export type { ConsoleKey };

/** A text of the admin console or notification centre, with `{name}` placeholders filled in. */
export function tc(key: ConsoleKey, vars: Record<string, string | number> = {}): string {
  const text: string = (currentLanguage() === 'en' ? consoleEn : consoleRu)[key];
  return text.replace(/\{(\w+)\}/g, (_match, name: string) => String(vars[name] ?? ''));
}

/** A size in bytes as people read it (KB, MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
