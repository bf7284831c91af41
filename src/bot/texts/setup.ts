import type { Language } from '../../i18n/language.js';
import { progress, type SetupState } from '../../setup/checklist.js';
import { escapeHtml } from '../../telegram/html.js';

/** The words of the owner's setup checklist, shown under the /start greeting. */
export interface SetupTexts {
  /** The whole checklist (HTML; names and addresses escaped here). */
  checklist(state: SetupState): string;
}

/** One language's words for the checklist; `render` puts them together the same way for all. */
interface Words {
  heading(done: number, total: number): string;
  /** `names`: HTML, escaped already. */
  categories_done(count: number, names: string): string;
  categories_none(inactive: number): string;
  categories_more(left: number): string;
  categories_how: string;
  staff_done(count: number): string;
  staff_none: string;
  staff_how: string;
  /** `url`: HTML, escaped already. */
  app_done(url: string): string;
  app_unset: string;
  app_not_https(url: string): string;
  app_how: string;
  /** `missing`: what `alerts_missing` says. */
  alerts_done(reachable: number, staff: number, missing: string): string;
  alerts_none(missing: string): string;
  /** Why some staff are not told: ` (1 blocked the bot, 2 muted new tickets)`, or ''. */
  alerts_missing(blocked: number, muted: number): string;
  alerts_how_missing: string;
  alerts_how_no_staff: string;
  footer: string;
}

/** How many categories are named before the list is cut short. */
const namesShown = 5;

function item(done: boolean, state: string, how?: string): string {
  const mark = done ? '✅' : '❌';
  return how ? `${mark} ${state}\n${how}` : `${mark} ${state}`;
}

function categoriesItem(w: Words, { done, active, inactive }: SetupState['categories']): string {
  if (!done) return item(false, w.categories_none(inactive), w.categories_how);
  const shown = active.slice(0, namesShown);
  const names = shown.map(({ icon, name }) => escapeHtml([icon, name].filter(Boolean).join(' ')));
  const left = active.length - shown.length;
  const list = names.join(', ') + (left > 0 ? w.categories_more(left) : '');
  return item(true, w.categories_done(active.length, list), w.categories_how);
}

function appItem(w: Words, { done, url }: SetupState['miniApp']): string {
  if (done && url) return item(true, w.app_done(escapeHtml(url)));
  const state = url ? w.app_not_https(escapeHtml(url)) : w.app_unset;
  return item(false, state, w.app_how);
}

function alertsItem(w: Words, alerts: SetupState['alerts']): string {
  const missing = w.alerts_missing(alerts.blocked, alerts.muted);
  if (alerts.done) return item(true, w.alerts_done(alerts.reachable, alerts.staff, missing));
  const how = missing ? w.alerts_how_missing : w.alerts_how_no_staff;
  return item(false, w.alerts_none(missing), how);
}

function render(w: Words, state: SetupState): string {
  const { done, total } = progress(state);
  const { staff } = state;
  return [
    w.heading(done, total),
    categoriesItem(w, state.categories),
    item(staff.done, staff.done ? w.staff_done(staff.count) : w.staff_none, w.staff_how),
    appItem(w, state.miniApp),
    alertsItem(w, state.alerts),
    w.footer,
  ].join('\n\n');
}

/** "N сотрудника/сотрудников" after «из»: genitive singular after 1, 21, 31…, else plural. */
function ofStaffRu(n: number): string {
  return n % 10 === 1 && n % 100 !== 11 ? `${n} сотрудника` : `${n} сотрудников`;
}

const ru: Words = {
  heading: (done, total) =>
    done === total
      ? '🛠 <b>Настройка</b>: всё готово'
      : `🛠 <b>Настройка</b>: готово ${done} из ${total}`,
  categories_done: (count, names) => `<b>Категории</b>: активных ${count} — ${names}.`,
  categories_none: (inactive) =>
    '<b>Категории</b>: нет активных' +
    (inactive > 0 ? ` (отключено: ${inactive})` : '') +
    ', поэтому клиенты не могут создать обращение.',
  categories_more: (left) => ` и ещё ${left}`,
  categories_how:
    'Клиенты выбирают категорию в /support. Добавить, переименовать или отключить категории ' +
    'можно через API: docs/api.md, раздел «Categories».',
  staff_done: (count) => `<b>Сотрудники</b>: кроме владельцев — ${count}.`,
  staff_none: '<b>Сотрудники</b>: пока только владельцы.',
  staff_how:
    'Чтобы добавить сотрудника: он пишет этому боту /start, затем вы отправляете ' +
    '<code>/role @username agent</code> (или <code>admin</code>). У него должно быть имя ' +
    'пользователя в Telegram.',
  app_done: (url) => `<b>Mini App</b>: ${url} — открывается кнопкой меню и из сообщений бота.`,
  app_unset: '<b>Mini App</b>: MINI_APP_URL не задан, поэтому у бота нет кнопки приложения.',
  app_not_https: (url) =>
    `<b>Mini App</b>: ${url} — не https, а Telegram открывает приложения только по https.`,
  app_how:
    'Укажите в MINI_APP_URL публичный адрес этого сервера (https://) и перезапустите его: ' +
    'docs/operations.md, раздел «Telegram bot».',
  alerts_done: (reachable, staff, missing) =>
    '<b>Уведомления о новых обращениях</b>: в Telegram их получат ' +
    `${reachable} из ${ofStaffRu(staff)}${missing}.`,
  alerts_none: (missing) =>
    `<b>Уведомления о новых обращениях</b>: в Telegram их не получит никто из сотрудников${missing}.`,
  alerts_missing: (blocked, muted) => {
    const parts = [
      ...(blocked > 0 ? [`заблокировали бота: ${blocked}`] : []),
      ...(muted > 0 ? [`отключили уведомления о новых обращениях: ${muted}`] : []),
    ];
    return parts.length > 0 ? ` (${parts.join(', ')})` : '';
  },
  alerts_how_missing:
    'Кто заблокировал бота — пусть откроет его и снова нажмёт «Старт»; отключённые уведомления ' +
    'включаются в настройках профиля (PUT /api/v1/auth/profile).',
  alerts_how_no_staff: 'Сотрудники получают уведомления, написав этому боту /start хотя бы раз.',
  footer:
    '<i>Этот список видят только владельцы. Подробнее: docs/operations.md, раздел «First start».</i>',
};

const en: Words = {
  heading: (done, total) =>
    done === total ? '🛠 <b>Setup</b>: all done' : `🛠 <b>Setup</b>: ${done} of ${total} done`,
  categories_done: (count, names) => `<b>Categories</b>: ${count} active — ${names}.`,
  categories_none: (inactive) =>
    '<b>Categories</b>: none active' +
    (inactive > 0 ? ` (${inactive} switched off)` : '') +
    ', so customers cannot open tickets.',
  categories_more: (left) => ` and ${left} more`,
  categories_how:
    'Customers choose one in /support. Add, rename or switch off categories through the API: ' +
    'docs/api.md, “Categories”.',
  staff_done: (count) => `<b>Staff</b>: ${count} besides the owners.`,
  staff_none: '<b>Staff</b>: only the owners so far.',
  staff_how:
    'To add someone: they send /start to this bot, then you send ' +
    '<code>/role @username agent</code> (or <code>admin</code>). They need a Telegram username.',
  app_done: (url) => `<b>Mini App</b>: ${url} opens from the menu button and the bot’s messages.`,
  app_unset: '<b>Mini App</b>: MINI_APP_URL is not set, so the bot shows no app button.',
  app_not_https: (url) =>
    `<b>Mini App</b>: ${url} is not https, and Telegram opens Mini Apps only over https.`,
  app_how:
    'Set MINI_APP_URL to the public https:// address of this server and restart: ' +
    'docs/operations.md, “Telegram bot”.',
  alerts_done: (reachable, staff, missing) =>
    `<b>New ticket alerts</b>: ${reachable} of ${staff} staff get them in Telegram${missing}.`,
  alerts_none: (missing) =>
    `<b>New ticket alerts</b>: no staff member gets them in Telegram${missing}.`,
  alerts_missing: (blocked, muted) => {
    const parts = [
      ...(blocked > 0 ? [`${blocked} blocked the bot`] : []),
      ...(muted > 0 ? [`${muted} muted new tickets`] : []),
    ];
    return parts.length > 0 ? ` (${parts.join(', ')})` : '';
  },
  alerts_how_missing:
    'Whoever blocked the bot opens it and presses Start again; muted alerts are turned back on ' +
    'in the profile’s notification settings (PUT /api/v1/auth/profile).',
  alerts_how_no_staff: 'Staff get them once they have sent /start to this bot.',
  footer: '<i>Only owners see this list. More: docs/operations.md, “First start”.</i>',
};

export const setupTexts: Record<Language, SetupTexts> = {
  ru: { checklist: (state) => render(ru, state) },
  en: { checklist: (state) => render(en, state) },
};
