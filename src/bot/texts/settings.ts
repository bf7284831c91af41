import type { NotificationType, QuietHours } from '../../db/schema.js';
import type { Language } from '../../i18n/language.js';

/** What `/settings` shows: the user's notification settings as they are now. */
export interface SettingsView {
  /** The kinds offered to this user, each with whether it reaches Telegram. */
  kinds: { type: NotificationType; on: boolean }[];
  quiet: QuietHours | null;
  /** The zone quiet hours are read in. */
  zone: string;
  /** Staff: whether the daily digest is on; customers: undefined (not offered). */
  digest: boolean | undefined;
}

/** The words of `/settings`, the user's notification settings. */
export interface SettingsTexts {
  /** The settings message (HTML). */
  view(view: SettingsView): string;
  /** A kind's button: its mark and name. */
  kind_button(type: NotificationType, on: boolean): string;
  quiet_off_button: string;
  /** A quiet-hours preset's button; `chosen` marks the one in force. */
  quiet_button(quiet: QuietHours, chosen: boolean): string;
  digest_button(on: boolean): string;
  /** The digest pressed by a customer (callback answer, plain text). */
  digest_staff_only: string;
}

const bell = (on: boolean) => (on ? '🔔' : '🔕');
const span = (quiet: QuietHours) => `${quiet.start}–${quiet.end}`;

const kindNames: Record<Language, Record<NotificationType, string>> = {
  ru: {
    ticket_created: 'Новые обращения',
    ticket_assigned: 'Назначения',
    new_message: 'Новые сообщения',
    status_changed: 'Смена статуса',
    reminder: 'Напоминания',
    broadcast: 'Рассылки',
    system: 'Системные',
  },
  en: {
    ticket_created: 'New tickets',
    ticket_assigned: 'Assignments',
    new_message: 'New messages',
    status_changed: 'Status changes',
    reminder: 'Reminders',
    broadcast: 'Announcements',
    system: 'System alerts',
  },
};

const ru: SettingsTexts = {
  view: (view) =>
    [
      '<b>Настройки уведомлений</b>',
      'Что приходит в этот чат (в приложении видно всё):',
      ...view.kinds.map((kind) => `${bell(kind.on)} ${kindNames.ru[kind.type]}`),
      '',
      view.quiet
        ? `Тихие часы: ${span(view.quiet)} (${view.zone}) — сообщения ждут их конца`
        : 'Тихие часы: выкл.',
      ...(view.digest === undefined
        ? []
        : [
            view.digest
              ? 'Дневная сводка: вкл. — просроченные обращения одним сообщением в день'
              : 'Дневная сводка: выкл. — напоминание о каждом обращении',
          ]),
    ].join('\n'),
  kind_button: (type, on) => `${bell(on)} ${kindNames.ru[type]}`,
  quiet_off_button: 'Без тихих часов',
  quiet_button: (quiet, chosen) => `${chosen ? '✅ ' : ''}${span(quiet)}`,
  digest_button: (on) => (on ? '📋 Сводка: вкл.' : '📋 Сводка: выкл.'),
  digest_staff_only: 'Дневная сводка — только для сотрудников поддержки.',
};

const en: SettingsTexts = {
  view: (view) =>
    [
      '<b>Notification settings</b>',
      'What reaches this chat (the app lists everything):',
      ...view.kinds.map((kind) => `${bell(kind.on)} ${kindNames.en[kind.type]}`),
      '',
      view.quiet
        ? `Quiet hours: ${span(view.quiet)} (${view.zone}): messages wait until they end`
        : 'Quiet hours: off',
      ...(view.digest === undefined
        ? []
        : [
            view.digest
              ? 'Daily digest: on: overdue tickets in one message a day'
              : 'Daily digest: off: a reminder for each ticket',
          ]),
    ].join('\n'),
  kind_button: (type, on) => `${bell(on)} ${kindNames.en[type]}`,
  quiet_off_button: 'No quiet hours',
  quiet_button: (quiet, chosen) => `${chosen ? '✅ ' : ''}${span(quiet)}`,
  digest_button: (on) => (on ? '📋 Digest: on' : '📋 Digest: off'),
  digest_staff_only: 'The daily digest is for support staff only.',
};

export const settingsTexts: Record<Language, SettingsTexts> = { ru, en };
