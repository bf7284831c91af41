import type { TicketPriority, TicketStatus, UserRole } from '../../db/schema.js';
import type { Language } from '../../i18n/language.js';
import { vocabulary } from '../../i18n/vocabulary.js';
import { wallClock } from '../../notifications/quiet-hours.js';
import { escapeHtml } from '../../telegram/html.js';

/** A ticket as the panel lists it. */
export interface PanelTicket {
  number: number;
  title: string;
  priority: TicketPriority;
}

/** One period of `/stats`. */
export interface StatsPeriod {
  created: number;
  resolved: number;
  medianFirstResponseS: number | null;
}

/** The words of the staff tools: `/admin`, `/stats`, `/role`, `/broadcast`. */
export interface AdminTexts {
  /** The panel: title and ticket counts by status. */
  panel_header(counts: Record<TicketStatus, number>): string;
  unassigned_title: string;
  unassigned_none: string;
  critical_title: string;
  critical_none: string;
  /** A ticket line of the panel (HTML; the title escaped here). */
  ticket_line(ticket: PanelTicket): string;
  take_button(n: number): string;
  assign_button: string;
  close_button: string;
  refresh_button: string;
  open_app_button: string;
  back_button: string;
  /** The choice of assignee for ticket `n`. */
  assign_choose(n: number): string;
  no_staff: string;
  /** Short answers to panel buttons (callback query answers: plain text). */
  taken(n: number): string;
  assigned(n: number, name: string): string;
  /** Take pressed on a ticket someone else has taken meanwhile. */
  already_taken(n: number, name: string): string;
  closed(n: number): string;
  refreshed: string;
  refused_forbidden: string;
  refused_not_found: string;
  refused_conflict: string;
  refused_invalid: string;

  /** `/stats` (HTML): the periods are read on the support team's clock, `timeZone`. */
  stats(
    today: StatsPeriod,
    week: StatsPeriod,
    backlog: number,
    weekFrom: Date,
    timeZone: string,
  ): string;

  role_usage(roles: readonly UserRole[]): string;
  role_unknown_user(username: string): string;
  role_unknown_role(role: string, roles: readonly UserRole[]): string;
  role_not_allowed(role: UserRole): string;
  role_own: string;
  role_last_owner: string;
  role_done(name: string, role: UserRole): string;
  role_unchanged(name: string, role: UserRole): string;

  broadcast_ask: string;
  broadcast_text_only: string;
  broadcast_too_long(limit: number): string;
  broadcast_cancelled: string;
  broadcast_expired: string;
  broadcast_preview(text: string, recipients: number, skipped: number): string;
  broadcast_nobody: string;
  broadcast_confirm_button(recipients: number): string;
  broadcast_cancel_button: string;
  broadcast_starting: string;
  broadcast_started: string;
  /** The status message when the broadcast could not start; the draft is kept. */
  broadcast_failed: string;
}

const priorityMark: Record<TicketPriority, string> = {
  low: '',
  normal: '',
  high: '❗ ',
  critical: '🔥 ',
};

function ticketLine(ticket: PanelTicket): string {
  return `${priorityMark[ticket.priority]}<b>#${ticket.number}</b> ${escapeHtml(ticket.title)}`;
}

function duration(seconds: number | null, units: { s: string; m: string; h: string }): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} ${units.s}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} ${units.m}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} ${units.h}` : `${hours} ${units.h} ${rest} ${units.m}`;
}

/** `07.12`: the day and month `date` falls on in `zone`. */
const dayMonth = (date: Date, zone: string) => {
  const wall = new Date(wallClock(date, zone));
  return `${String(wall.getUTCDate()).padStart(2, '0')}.${String(wall.getUTCMonth() + 1).padStart(2, '0')}`;
};

/** One line per status, named as everywhere else (`i18n/vocabulary.ts`), with its count. */
function countLines(counts: Record<TicketStatus, number>, language: Language) {
  const names = vocabulary[language].statuses;
  return (Object.keys(names) as TicketStatus[])
    .map((status) => `${names[status]}: <b>${counts[status]}</b>`)
    .join('\n');
}

const roleList = (roles: readonly UserRole[]) => roles.map((r) => `<code>${r}</code>`).join(', ');

const ru: AdminTexts = {
  panel_header: (counts) => `🛠 <b>Панель поддержки</b>\n\n${countLines(counts, 'ru')}`,
  unassigned_title: '<b>Без исполнителя</b> (новые сверху)',
  unassigned_none: 'Очередь пуста — все обращения разобраны 👌',
  critical_title: '<b>Критические открытые</b>',
  critical_none: 'Критических обращений нет.',
  ticket_line: ticketLine,
  take_button: (n) => `✋ Взять #${n}`,
  assign_button: 'Назначить…',
  close_button: 'Закрыть',
  refresh_button: '🔄 Обновить',
  open_app_button: 'Открыть в приложении',
  back_button: '« Назад',
  assign_choose: (n) => `Кому назначить обращение <b>#${n}</b>?`,
  no_staff: 'Нет активных сотрудников, которым можно назначить обращение.',
  taken: (n) => `Обращение #${n} теперь ваше`,
  assigned: (n, name) => `#${n} назначено: ${name}`,
  already_taken: (n, name) => `#${n} уже в работе у ${name}. Панель обновлена`,
  closed: (n) => `Обращение #${n} закрыто`,
  refreshed: 'Обновлено',
  refused_forbidden: 'У вас нет прав на это действие',
  refused_not_found: 'Обращение не найдено — возможно, его удалили',
  refused_conflict: 'Не получилось: обращение уже изменили. Панель обновлена',
  refused_invalid: 'Этому пользователю нельзя назначать обращения',

  stats: (today, week, backlog, weekFrom, timeZone) => {
    const units = { s: 'с', m: 'мин', h: 'ч' };
    const period = (title: string, p: StatsPeriod) =>
      `<b>${title}</b>\nСоздано: <b>${p.created}</b>\nРешено: <b>${p.resolved}</b>\n` +
      `Медиана первого ответа: <b>${duration(p.medianFirstResponseS, units)}</b>`;
    return [
      `📊 <b>Статистика</b> <i>(по часам поддержки: ${escapeHtml(timeZone)})</i>`,
      period('Сегодня', today),
      period(`Эта неделя (с понедельника, ${dayMonth(weekFrom, timeZone)})`, week),
      `Открытых сейчас: <b>${backlog}</b>`,
    ].join('\n\n');
  },

  role_usage: (roles) =>
    `Как пользоваться: <code>/role @username РОЛЬ</code>\nРоли: ${roleList(roles)}`,
  role_unknown_user: (username) =>
    `Не нашёл пользователя <b>@${escapeHtml(username)}</b>. Он должен хотя бы раз написать боту.`,
  role_unknown_role: (role, roles) =>
    `Нет такой роли: <b>${escapeHtml(role)}</b>.\nДоступные роли: ${roleList(roles)}`,
  role_not_allowed: (role) =>
    `Вы не можете выдать роль <code>${role}</code> этому пользователю: менять можно только роли ниже вашей.`,
  role_own: 'Свою роль изменить нельзя.',
  role_last_owner: 'Это последний владелец. Сначала назначьте другого владельца.',
  role_done: (name, role) =>
    `Готово: у <b>${escapeHtml(name)}</b> теперь роль <code>${role}</code>.`,
  role_unchanged: (name, role) =>
    `У <b>${escapeHtml(name)}</b> уже роль <code>${role}</code>, ничего не изменилось.`,

  broadcast_ask:
    '📣 Пришлите текст рассылки одним сообщением. Его получат все пользователи бота.\n\n/cancel — отменить.',
  broadcast_text_only: 'Для рассылки нужен текст. Пришлите его сообщением или /cancel для отмены.',
  broadcast_too_long: (limit) =>
    `Слишком длинно: не больше ${limit} символов. Сократите текст и пришлите снова.`,
  broadcast_cancelled: 'Рассылка отменена.',
  broadcast_expired: 'Этот черновик рассылки уже неактуален. Начните заново: /broadcast',
  broadcast_preview: (text, recipients, skipped) =>
    `📣 <b>Предпросмотр рассылки</b>\n\n${escapeHtml(text)}\n\n` +
    `Получателей: <b>${recipients}</b>` +
    (skipped > 0 ? `\nЗаблокировали бота, пропустим: <b>${skipped}</b>` : ''),
  broadcast_nobody: 'Сейчас рассылку некому получить. Черновик удалён.',
  broadcast_confirm_button: (n) => `✅ Отправить (${n})`,
  broadcast_cancel_button: 'Отмена',
  broadcast_starting: '📣 Запускаю рассылку…',
  broadcast_started: 'Рассылка запущена',
  broadcast_failed:
    '📣 Рассылка не началась: сбой на нашей стороне. Текст сохранён — чуть позже нажмите «Отправить» в предпросмотре ещё раз.',
};

const en: AdminTexts = {
  panel_header: (counts) => `🛠 <b>Support panel</b>\n\n${countLines(counts, 'en')}`,
  unassigned_title: '<b>Unassigned</b> (newest first)',
  unassigned_none: 'The queue is empty — every ticket has someone 👌',
  critical_title: '<b>Critical and open</b>',
  critical_none: 'No critical tickets.',
  ticket_line: ticketLine,
  take_button: (n) => `✋ Take #${n}`,
  assign_button: 'Assign…',
  close_button: 'Close',
  refresh_button: '🔄 Refresh',
  open_app_button: 'Open in the app',
  back_button: '« Back',
  assign_choose: (n) => `Who should take ticket <b>#${n}</b>?`,
  no_staff: 'There is no active staff member to assign the ticket to.',
  taken: (n) => `Ticket #${n} is yours now`,
  assigned: (n, name) => `#${n} assigned to ${name}`,
  already_taken: (n, name) => `#${n} is already taken by ${name}. Panel refreshed`,
  closed: (n) => `Ticket #${n} closed`,
  refreshed: 'Refreshed',
  refused_forbidden: 'You are not allowed to do that',
  refused_not_found: 'Ticket not found — it may have been deleted',
  refused_conflict: 'That did not work: the ticket changed meanwhile. Panel refreshed',
  refused_invalid: 'Tickets cannot be assigned to this person',

  stats: (today, week, backlog, weekFrom, timeZone) => {
    const units = { s: 's', m: 'min', h: 'h' };
    const period = (title: string, p: StatsPeriod) =>
      `<b>${title}</b>\nCreated: <b>${p.created}</b>\nResolved: <b>${p.resolved}</b>\n` +
      `Median first response: <b>${duration(p.medianFirstResponseS, units)}</b>`;
    return [
      `📊 <b>Statistics</b> <i>(on the support clock: ${escapeHtml(timeZone)})</i>`,
      period('Today', today),
      period(`This week (since Monday, ${dayMonth(weekFrom, timeZone)})`, week),
      `Open right now: <b>${backlog}</b>`,
    ].join('\n\n');
  },

  role_usage: (roles) => `Usage: <code>/role @username ROLE</code>\nRoles: ${roleList(roles)}`,
  role_unknown_user: (username) =>
    `No user <b>@${escapeHtml(username)}</b> found. They need to message the bot at least once.`,
  role_unknown_role: (role, roles) =>
    `There is no role <b>${escapeHtml(role)}</b>.\nRoles: ${roleList(roles)}`,
  role_not_allowed: (role) =>
    `You cannot give this user the role <code>${role}</code>: you may only change roles below your own.`,
  role_own: 'You cannot change your own role.',
  role_last_owner: 'This is the last owner. Make someone else owner first.',
  role_done: (name, role) => `Done: <b>${escapeHtml(name)}</b> is now <code>${role}</code>.`,
  role_unchanged: (name, role) =>
    `<b>${escapeHtml(name)}</b> already is <code>${role}</code>; nothing changed.`,

  broadcast_ask:
    '📣 Send the broadcast text as one message. Every user of the bot will get it.\n\n/cancel to stop.',
  broadcast_text_only: 'A broadcast needs text. Send it as a message, or /cancel to stop.',
  broadcast_too_long: (limit) =>
    `Too long: ${limit} characters at most. Shorten the text and send it again.`,
  broadcast_cancelled: 'Broadcast cancelled.',
  broadcast_expired: 'This broadcast draft is no longer current. Start again: /broadcast',
  broadcast_preview: (text, recipients, skipped) =>
    `📣 <b>Broadcast preview</b>\n\n${escapeHtml(text)}\n\n` +
    `Recipients: <b>${recipients}</b>` +
    (skipped > 0 ? `\nBlocked the bot, skipped: <b>${skipped}</b>` : ''),
  broadcast_nobody: 'Nobody can receive a broadcast right now. The draft is discarded.',
  broadcast_confirm_button: (n) => `✅ Send (${n})`,
  broadcast_cancel_button: 'Cancel',
  broadcast_starting: '📣 Starting the broadcast…',
  broadcast_started: 'Broadcast started',
  broadcast_failed:
    '📣 The broadcast did not start: something failed on our side. Your text is kept — press Send on the preview again a little later.',
};

/** The staff tools' words in Russian and English, same shape in both. */
export const adminTexts: Record<Language, AdminTexts> = { ru, en };
