import type { TicketPriority, TicketStatus } from '../../db/schema.js';
import type { Language } from '../../i18n/language.js';
import { inSentence, vocabulary } from '../../i18n/vocabulary.js';
import { escapeHtml } from '../../telegram/html.js';

/** A ticket as the bot's cards and lists show it. */
export interface TicketSummary {
  number: number;
  title: string;
  status: TicketStatus;
  priority: TicketPriority;
  updatedAt: Date;
}

/** A command with what it does, for /help and the command menu (`setMyCommands`). */
export interface CommandHelp {
  command: string;
  description: string;
}

/** Which commands /help lists: staff see theirs, admins also the admin ones. */
export interface HelpAudience {
  staff: boolean;
  admin: boolean;
}

/**
 * Words every part of the bot uses (errors, refusals, the flood warning), and those of /start,
 * /help, /tickets, /status and replies to ticket messages.
 */
export interface CommonTexts {
  /** Something went wrong on our side; the user's input is not lost. */
  error: string;
  /** The account is blocked by a moderator. */
  account_blocked: string;
  /** The sender writes faster than the bot takes. */
  slow_down: string;
  /** A staff command from someone who may not use it. */
  not_allowed: string;

  /** The /start greeting and what the bot does (HTML; the name is escaped here). */
  welcome(firstName: string): string;
  /** Under the greeting when the Mini App cannot open from a button (no https URL). */
  app_hint(url: string | undefined): string;
  button: {
    open_app: string;
    new_ticket: string;
    my_tickets: string;
    open_ticket(number: number): string;
  };
  /** /help for this audience (HTML). */
  help(audience: HelpAudience): string;
  /** The chat's menu button opening the Mini App (one text for every chat). */
  menu_button: string;
  /** Commands for the menu (`setMyCommands`): everyone's, then staff and admin extras. */
  commands: {
    user: CommandHelp[];
    staff: CommandHelp[];
    /** Moderators' and above's (`reports.export`). */
    moderator: CommandHelp[];
    admin: CommandHelp[];
  };
  /** /tickets with a button to the Mini App's list. */
  tickets_open: string;
  /** /tickets when the Mini App has no https address to open. */
  tickets_no_app(url: string | undefined): string;
  /** /status: the heading over the active tickets. */
  status_heading(count: number): string;
  /** /status without active tickets. */
  status_empty: string;
  /** One ticket of /status (HTML). */
  status_line(ticket: TicketSummary, now: Date): string;
  /** The card of `/start ticket_<n>` (HTML). */
  ticket_card(ticket: TicketSummary, now: Date): string;
  /** `/start ticket_<n>` for a ticket that does not exist or is not the user's to see. */
  ticket_not_found(number: number): string;

  /** A reply to a ticket message was added to the ticket. */
  reply_added(number: number): string;
  /** A reply to a staff-only message was added to the ticket as an internal note. */
  reply_added_internal(number: number): string;
  /** The ticket a reply was for is gone or no longer visible to the user. */
  reply_ticket_gone: string;
  /** The ticket is closed: the reply was not added. */
  reply_ticket_closed(number: number): string;
  /** The reply's text is longer than a message may be. */
  reply_too_long(limit: number): string;
  /** The reply had nothing to add (a sticker, a voice message, an empty caption). */
  reply_unsupported: string;
  /** The reply's file was refused; `kept` says whether its text was added anyway. */
  reply_file_refused(reason: 'size' | 'type' | 'unavailable', kept: boolean): string;
  /** Anything else the service refused; `reason` is the refusal's words (`refusals`). */
  reply_refused(reason: string): string;
  /** A message edited in Telegram more than 48 hours after it was added to the ticket. */
  edit_too_old(number: number): string;
}

const statusMarks: Record<TicketStatus, string> = {
  open: '🆕',
  in_progress: '🔧',
  waiting: '⏳',
  resolved: '✅',
  closed: '📁',
};

const locales: Record<Language, string> = { ru: 'ru-RU', en: 'en-GB' };

/** Under a minute ago: Intl's "now" / "сейчас" reads oddly after "updated". */
const justNow: Record<Language, string> = { ru: 'только что', en: 'just now' };

/** When something happened: "5 minutes ago" within a week, else the date, in `language`. */
export function whenText(language: Language, at: Date, now: Date): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  const relative = new Intl.RelativeTimeFormat(locales[language], { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 3_600],
    ['hour', 86_400],
    ['day', 7 * 86_400],
  ];
  let unitSeconds = 1;
  for (const [unit, limit] of steps) {
    if (Math.abs(seconds) < limit) {
      return unit === 'second'
        ? justNow[language]
        : relative.format(Math.round(seconds / unitSeconds), unit);
    }
    unitSeconds = limit;
  }
  return new Intl.DateTimeFormat(locales[language], {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(at);
}

function ticketLine(language: Language, ticket: TicketSummary, now: Date): string {
  const words = {
    ru: { priority: 'приоритет', updated: 'обновлено' },
    en: { priority: 'priority', updated: 'updated' },
  }[language];
  return (
    `<b>#${ticket.number}</b> ${escapeHtml(ticket.title)}\n` +
    `${statusMarks[ticket.status]} ${vocabulary[language].statuses[ticket.status]} · ` +
    `${words.priority}: ${inSentence(vocabulary[language].priorities[ticket.priority], language)} · ` +
    `${words.updated} ` +
    whenText(language, ticket.updatedAt, now)
  );
}

const commands: Record<Language, CommonTexts['commands']> = {
  ru: {
    user: [
      { command: 'start', description: 'Главное меню' },
      { command: 'support', description: 'Новое обращение' },
      { command: 'status', description: 'Мои активные обращения' },
      { command: 'tickets', description: 'Все обращения в приложении' },
      { command: 'settings', description: 'Настройки уведомлений' },
      { command: 'help', description: 'Что умеет бот' },
    ],
    staff: [
      { command: 'admin', description: 'Панель поддержки' },
      { command: 'stats', description: 'Статистика' },
    ],
    moderator: [{ command: 'report', description: 'Отчёт в PDF: /report week или month' }],
    admin: [
      { command: 'role', description: 'Сменить роль: /role @username РОЛЬ' },
      { command: 'broadcast', description: 'Рассылка всем пользователям' },
    ],
  },
  en: {
    user: [
      { command: 'start', description: 'Main menu' },
      { command: 'support', description: 'New ticket' },
      { command: 'status', description: 'My active tickets' },
      { command: 'tickets', description: 'All tickets in the app' },
      { command: 'settings', description: 'Notification settings' },
      { command: 'help', description: 'What the bot can do' },
    ],
    staff: [
      { command: 'admin', description: 'Support panel' },
      { command: 'stats', description: 'Statistics' },
    ],
    moderator: [{ command: 'report', description: 'PDF report: /report week or month' }],
    admin: [
      { command: 'role', description: 'Change a role: /role @username ROLE' },
      { command: 'broadcast', description: 'Message every user' },
    ],
  },
};

function commandList(list: CommandHelp[]): string {
  return list.map((c) => `/${c.command} — ${escapeHtml(c.description)}`).join('\n');
}

function helpText(language: Language, audience: HelpAudience): string {
  const own = commands[language];
  const words = {
    ru: {
      intro:
        'Я бот поддержки: принимаю обращения, сообщаю об ответах и помогаю следить за вашими ' +
        'обращениями.',
      commands: '<b>Команды</b>',
      staff: '<b>Для сотрудников</b>',
      person:
        '<b>Как связаться с человеком</b>\nОтветьте (свайп влево или «Ответить») на любое моё ' +
        'сообщение об обращении — ваш текст, фото или файл попадут в него, и сотрудник увидит их. ' +
        'Или создайте новое обращение: /support.',
    },
    en: {
      intro:
        "I'm the support bot: I take your requests, tell you about answers and help you keep track of them.",
      commands: '<b>Commands</b>',
      staff: '<b>For staff</b>',
      person:
        '<b>How to reach a person</b>\nReply (swipe left or tap “Reply”) to any of my messages ' +
        'about a ticket: your text, photo or file goes into that ticket and our team sees it. ' +
        'Or open a new ticket: /support.',
    },
  }[language];
  const staffCommands = [
    ...(audience.staff ? own.staff : []),
    ...(audience.admin ? [...own.moderator, ...own.admin] : []),
  ];
  return [
    words.intro,
    `${words.commands}\n${commandList(own.user)}`,
    ...(staffCommands.length > 0 ? [`${words.staff}\n${commandList(staffCommands)}`] : []),
    words.person,
  ].join('\n\n');
}

export const commonTexts: Record<Language, CommonTexts> = {
  ru: {
    error: 'Что-то пошло не так на нашей стороне. Попробуйте ещё раз чуть позже.',
    account_blocked: 'Ваш аккаунт заблокирован. Если это ошибка, свяжитесь с поддержкой.',
    slow_down: 'Слишком много сообщений подряд. Подождите немного, пожалуйста.',
    not_allowed: 'Эта команда вам недоступна.',

    welcome: (firstName) =>
      `Здравствуйте, ${escapeHtml(firstName)}! 👋\n\n` +
      'Я бот поддержки. Здесь можно создать обращение, узнать, что с ним, и получить ответ ' +
      'сотрудника прямо в этот чат.',
    app_hint: (url) =>
      url
        ? `Приложение с вашими обращениями: ${escapeHtml(url)}`
        : 'Приложение пока недоступно, но всё основное можно сделать здесь, в чате.',
    button: {
      open_app: '📱 Открыть приложение',
      new_ticket: '✍️ Новое обращение',
      my_tickets: '📋 Мои обращения',
      open_ticket: (number) => `Открыть #${number}`,
    },
    help: (audience) => helpText('ru', audience),
    menu_button: 'Обращения',
    commands: commands.ru,
    tickets_open: 'Все ваши обращения — в приложении:',
    tickets_no_app: (url) =>
      url
        ? `Все ваши обращения — в приложении: ${escapeHtml(url)}\nАктивные обращения здесь: /status`
        : 'Приложение пока недоступно. Активные обращения можно посмотреть здесь: /status',
    status_heading: (count) =>
      count === 1 ? '<b>Ваше активное обращение</b>' : `<b>Ваши активные обращения (${count})</b>`,
    status_empty: 'У вас нет активных обращений. Если нужна помощь — создайте новое.',
    status_line: (ticket, now) => ticketLine('ru', ticket, now),
    ticket_card: (ticket, now) => `📄 Обращение\n${ticketLine('ru', ticket, now)}`,
    ticket_not_found: (number) =>
      `Обращение #${number} не найдено. Возможно, номер неверный или оно не ваше.`,

    edit_too_old: (number) =>
      `Изменение не перенесено в обращение #${number}: сообщению больше 48 часов.`,
    reply_added: (number) => `✅ Добавлено в обращение #${number}`,
    reply_added_internal: (number) =>
      `🔒 Добавлено в обращение #${number} как внутренняя заметка: её видят только сотрудники`,
    reply_ticket_gone: 'Это обращение больше недоступно, сообщение не добавлено.',
    reply_ticket_closed: (number) =>
      `Обращение #${number} закрыто, в него нельзя написать. Если вопрос остался — создайте ` +
      'новое: /support',
    reply_too_long: (limit) =>
      `Сообщение слишком длинное: не больше ${limit} символов. Сократите его или разбейте на части.`,
    reply_unsupported: 'В обращение можно добавить текст, фото или документ.',
    reply_file_refused: (reason, kept) => {
      const why = {
        size: 'Файл слишком большой.',
        type: 'Такой тип файла не принимается.',
        unavailable: 'Не удалось получить файл.',
      }[reason];
      return kept ? `${why} Текст сообщения добавлен без файла.` : `${why} Ничего не добавлено.`;
    },
    reply_refused: (reason) => `Не получилось добавить сообщение. ${reason}`,
  },
  en: {
    error: 'Something went wrong on our side. Please try again a little later.',
    account_blocked: 'Your account is blocked. If this is a mistake, please contact support.',
    slow_down: 'Too many messages in a row. Please wait a moment.',
    not_allowed: 'This command is not available to you.',

    welcome: (firstName) =>
      `Hi, ${escapeHtml(firstName)}! 👋\n\n` +
      "I'm the support bot. Here you can open a ticket, check how it's going and get our " +
      "team's answers right in this chat.",
    app_hint: (url) =>
      url
        ? `The app with your tickets: ${escapeHtml(url)}`
        : 'The app is not available yet, but you can do the essentials right here in the chat.',
    button: {
      open_app: '📱 Open the app',
      new_ticket: '✍️ New ticket',
      my_tickets: '📋 My tickets',
      open_ticket: (number) => `Open #${number}`,
    },
    help: (audience) => helpText('en', audience),
    menu_button: 'Tickets',
    commands: commands.en,
    tickets_open: 'All your tickets are in the app:',
    tickets_no_app: (url) =>
      url
        ? `All your tickets are in the app: ${escapeHtml(url)}\nActive tickets here: /status`
        : 'The app is not available yet. See your active tickets here: /status',
    status_heading: (count) =>
      count === 1 ? '<b>Your active ticket</b>' : `<b>Your active tickets (${count})</b>`,
    status_empty: 'You have no active tickets. Need help? Open a new one.',
    status_line: (ticket, now) => ticketLine('en', ticket, now),
    ticket_card: (ticket, now) => `📄 Ticket\n${ticketLine('en', ticket, now)}`,
    ticket_not_found: (number) =>
      `Ticket #${number} was not found. The number may be wrong, or it is not yours.`,

    edit_too_old: (number) =>
      `Your edit was not carried to #${number}: the message is more than 48 hours old.`,
    reply_added: (number) => `✅ Added to #${number}`,
    reply_added_internal: (number) =>
      `🔒 Added to #${number} as an internal note: only staff see it`,
    reply_ticket_gone: 'This ticket is no longer available; your message was not added.',
    reply_ticket_closed: (number) =>
      `Ticket #${number} is closed, so it takes no new messages. Still need help? Open a new ` +
      'one: /support',
    reply_too_long: (limit) =>
      `That message is too long: ${limit} characters at most. Please shorten it or split it up.`,
    reply_unsupported: 'You can add text, a photo or a document to a ticket.',
    reply_file_refused: (reason, kept) => {
      const why = {
        size: 'The file is too large.',
        type: 'This type of file is not accepted.',
        unavailable: 'The file could not be fetched.',
      }[reason];
      return kept ? `${why} Your text was added without it.` : `${why} Nothing was added.`;
    },
    reply_refused: (reason) => `Your message could not be added. ${reason}`,
  },
};
