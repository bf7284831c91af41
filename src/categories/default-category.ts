import type { CategoryInput } from './schemas.js';

/**
 * The category a fresh install starts with, so customers can open tickets before anyone has set
 * categories up. Named in English with a Russian translation, so the bot and the Mini App show
 * it in each customer's language; admins rename or replace it like any other.
 */
export const defaultCategory: CategoryInput = {
  name: 'General questions',
  description: 'Anything you need help with',
  translations: { ru: { name: 'Общие вопросы', description: 'Всё, с чем нужна помощь' } },
  icon: '💬',
  color: '#8e8e93',
  sort_order: 0,
  is_active: true,
};
