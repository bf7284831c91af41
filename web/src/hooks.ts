import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from './api/client';
import { queryKeys } from './api/query-keys';
import type { Category, Page } from './api/types';
import { currentLanguage } from './i18n';
import { goBack } from './router';
import { showBackButton, showMainButton } from './telegram';

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Telegram's Back Button while the page is shown: back within the app. */
export function useBackButton(onBack: () => void = goBack): void {
  useEffect(() => showBackButton(onBack), [onBack]);
}

/** Telegram's Main Button while the page is shown (nothing outside Telegram). */
export function useMainButton(
  text: string,
  onClick: () => void,
  options: { enabled?: boolean; loading?: boolean; visible?: boolean } = {},
): void {
  const { enabled = true, loading = false, visible = true } = options;
  useEffect(
    () => (visible ? showMainButton(text, onClick, { enabled, loading }) : undefined),
    [text, onClick, enabled, loading, visible],
  );
}

/** A category named in the user's language when it has a translation (docs/api.md). */
function inLanguage(category: Category): Category {
  const translation = category.translations?.[currentLanguage()];
  if (!translation) return category;
  return {
    ...category,
    name: translation.name,
    description: translation.description ?? category.description,
  };
}

function localized(page: Page<Category>): Category[] {
  return page.items.map(inLanguage);
}

/** The active categories in the user's language, cached for the session. */
export function useCategories() {
  return useQuery({
    queryKey: queryKeys.categories(currentLanguage()),
    queryFn: ({ signal }) => api<Page<Category>>('GET', '/categories?limit=100', undefined, signal),
    staleTime: 10 * 60_000,
    select: localized,
  });
}
