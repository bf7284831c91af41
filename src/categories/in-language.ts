import type { Language } from '../i18n/language.js';
import type { CategoryDto } from './schemas.js';

/**
 * The category as a reader of `language` (`languageOf` of their language code) sees it: its
 * translated name and description when it has them (docs/api.md, "Categories"), else the base
 * ones.
 */
export function categoryInLanguage(category: CategoryDto, language: Language): CategoryDto {
  const translation = category.translations[language];
  if (!translation) return category;
  return {
    ...category,
    name: translation.name,
    description: translation.description ?? category.description,
  };
}
