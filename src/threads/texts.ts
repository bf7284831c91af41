import type { Language } from '../i18n/language.js';
import { vocabulary } from '../i18n/vocabulary.js';

const ru = {
  customer: 'Клиент',
  category: 'Категория',
  priority: 'Приоритет',
  status: 'Статус',
  assignee: 'Исполнитель',
  nobody: 'никто',
  take: '🙋 Взять',
  assign: '👤 Назначить',
  change_priority: '⚑ Приоритет',
  resolve: '✅ Решено',
  close: '🔒 Закрыть',
  open_in_app: '📱 Открыть в приложении',
  back: '← Назад',
  internal: '🔒 Заметка',
  by: 'от',
  system: 'система',
  renamed: 'Название',
  file_unavailable: (name: string) => `📎 ${name}: файл не удалось переслать`,
  taken: 'Тикет ваш',
  assigned: 'Назначено',
  priority_set: 'Приоритет изменён',
  status_set: 'Статус изменён',
  no_staff: 'Некому назначить',
  not_a_ticket_topic: 'Эта тема не связана с тикетом.',
  member_refused:
    'Вы не сотрудник поддержки в этом боте: администратор может дать вам роль в приложении.',
  customer_refused: 'Клиенты не пишут в группе поддержки: напишите боту в личный чат.',
  message_refused: (why: string) => `Сообщение не добавлено в тикет: ${why}`,
};

/** The words the bot uses in the staff group and on its buttons, in one language. */
export type StaffGroupTexts = { [K in keyof typeof ru]: (typeof ru)[K] };

const en: StaffGroupTexts = {
  customer: 'Customer',
  category: 'Category',
  priority: 'Priority',
  status: 'Status',
  assignee: 'Assignee',
  nobody: 'nobody',
  take: '🙋 Take',
  assign: '👤 Assign',
  change_priority: '⚑ Priority',
  resolve: '✅ Resolve',
  close: '🔒 Close',
  open_in_app: '📱 Open in the app',
  back: '← Back',
  internal: '🔒 Note',
  by: 'by',
  system: 'the system',
  renamed: 'Title',
  file_unavailable: (name) => `📎 ${name}: the file could not be passed on`,
  taken: 'The ticket is yours',
  assigned: 'Assigned',
  priority_set: 'Priority changed',
  status_set: 'Status changed',
  no_staff: 'Nobody to assign',
  not_a_ticket_topic: 'This topic is not about a ticket.',
  member_refused: 'You are not support staff of this bot: an admin can give you a role in the app.',
  customer_refused: 'Customers do not write in the staff group: write to the bot in private.',
  message_refused: (why) => `Not added to the ticket: ${why}`,
};

/** The staff group's words in `language`, with the status and priority names. */
export function staffTextsFor(language: Language) {
  return { ...(language === 'en' ? en : ru), names: vocabulary[language] };
}
