import type { CategoryInput } from './schemas.js';

/**
 * The category a fresh install starts with, so customers can open tickets before anyone has set
 * categories up. Category names are stored once for everyone, not per language, so it reads in
 * both of the bot's languages; admins rename or replace it like any other.
 */
export const defaultCategory: CategoryInput = {
  name: 'Общие вопросы · General',
  description: 'Всё, с чем нужна помощь · Anything you need help with',
  icon: '💬',
  color: '#8e8e93',
  sort_order: 0,
  is_active: true,
};
