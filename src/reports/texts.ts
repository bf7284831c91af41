import type { Language } from '../i18n/language.js';

/** The words of a report (PDF, spreadsheet and the Telegram summary), in one language. */
export interface ReportTexts {
  title: string;
  period: string;
  timeZone: string;
  generated: string;
  filters: string;
  noFilters: string;
  category: string;
  priority: string;
  assignee: string;
  unassigned: string;
  kpis: string;
  previousPeriod: string;
  change: string;
  created: string;
  resolved: string;
  closed: string;
  reopened: string;
  backlog: string;
  firstResponseMedian: string;
  firstResponseP90: string;
  resolutionMedian: string;
  resolutionP90: string;
  supportTime: string;
  calendarTime: string;
  slaMet: string;
  csat: string;
  csatCount: string;
  createdVsResolved: string;
  byCategory: string;
  byPriority: string;
  heatmap: string;
  staff: string;
  group: string;
  name: string;
  assigned: string;
  messages: string;
  ratings: string;
  noData: string;
  weekdays: readonly string[];
  priorities: Readonly<Record<string, string>>;
  statuses: Readonly<Record<string, string>>;
  /** A duration in whole seconds, short (`2 h 05 min`); `—` for none. */
  duration(seconds: number | null): string;
  /** Sheet names of the spreadsheet (at most 31 characters each). */
  sheets: {
    kpis: string;
    series: string;
    categories: string;
    priorities: string;
    staff: string;
    tickets: string;
  };
  figure: string;
  current: string;
  previous: string;
  bucketStart: string;
  number: string;
  ticketTitle: string;
  status: string;
  customer: string;
  createdAt: string;
  firstResponseAt: string;
  closedAt: string;
  firstResponseTime: string;
  /** The Telegram caption of a report sent as a document (`period` already formatted). */
  caption(period: string): string;
  /** The bot's answer to `/report` while the PDF is made. */
  preparing: string;
  /** Sent instead of a file over Telegram's 50 MB (`period` already formatted). */
  tooLarge(period: string): string;
  /** The scheduled report's message text (Telegram HTML). */
  summary(period: string, lines: readonly [string, string][]): string;
}

/** `Label: <b>value</b>` lines of a Telegram HTML message. */
function summaryBody(lines: readonly [string, string][]): string {
  return lines.map(([label, value]) => `${label}: <b>${value}</b>`).join('\n');
}

/** Hours and minutes of `seconds`, or `—`: `h`/`min` are the language's units. */
function durationIn(h: string, min: string, s: string) {
  return (seconds: number | null): string => {
    if (seconds === null) return '—';
    if (seconds < 60) return `${seconds} ${s}`;
    const minutes = Math.round(seconds / 60);
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    return hours === 0 ? `${rest} ${min}` : `${hours} ${h} ${String(rest).padStart(2, '0')} ${min}`;
  };
}

const texts: Record<Language, ReportTexts> = {
  ru: {
    title: 'Отчёт службы поддержки',
    period: 'Период',
    timeZone: 'Часовой пояс',
    generated: 'Сформирован',
    filters: 'Фильтры',
    noFilters: 'все обращения',
    category: 'Категория',
    priority: 'Приоритет',
    assignee: 'Исполнитель',
    unassigned: 'не назначен',
    kpis: 'Ключевые показатели',
    previousPeriod: 'Прошлый период',
    change: 'Изменение',
    created: 'Создано',
    resolved: 'Решено',
    closed: 'Закрыто',
    reopened: 'Переоткрыто',
    backlog: 'В работе на конец периода',
    firstResponseMedian: 'Первый ответ, медиана',
    firstResponseP90: 'Первый ответ, p90',
    resolutionMedian: 'Решение, медиана',
    resolutionP90: 'Решение, p90',
    supportTime: 'рабочее время',
    calendarTime: 'календарное время',
    slaMet: 'SLA выполнен',
    csat: 'Оценка клиентов (CSAT)',
    csatCount: 'Оценок',
    createdVsResolved: 'Создано и решено',
    byCategory: 'По категориям',
    byPriority: 'По приоритетам',
    heatmap: 'Новые обращения по дням недели и часам',
    staff: 'Сотрудники',
    group: 'Группа',
    name: 'Имя',
    assigned: 'Назначено',
    messages: 'Сообщений',
    ratings: 'Оценок',
    noData: 'Нет данных за период',
    weekdays: ['Пн', 'Вт', 'Ср', 'Чт', 'Пт', 'Сб', 'Вс'],
    priorities: { low: 'Низкий', normal: 'Обычный', high: 'Высокий', critical: 'Критический' },
    statuses: {
      open: 'Открыто',
      in_progress: 'В работе',
      waiting: 'Ждёт клиента',
      resolved: 'Решено',
      closed: 'Закрыто',
    },
    duration: durationIn('ч', 'мин', 'с'),
    sheets: {
      kpis: 'Показатели',
      series: 'Динамика',
      categories: 'Категории',
      priorities: 'Приоритеты',
      staff: 'Сотрудники',
      tickets: 'Обращения',
    },
    figure: 'Показатель',
    current: 'Период',
    previous: 'Прошлый период',
    bucketStart: 'Начало',
    number: 'Номер',
    ticketTitle: 'Тема',
    status: 'Статус',
    customer: 'Клиент',
    createdAt: 'Создано',
    firstResponseAt: 'Первый ответ',
    closedAt: 'Закрыто',
    firstResponseTime: 'Время до первого ответа',
    caption: (period) => `📊 Отчёт поддержки за ${period}`,
    preparing: '⏳ Готовлю отчёт…',
    tooLarge: (period) =>
      `Отчёт за ${period} больше 50 МБ, и Telegram его не примет. Скачайте его в приложении или выберите период короче.`,
    summary: (period, lines) => `📊 <b>Отчёт поддержки</b>\n${period}\n\n${summaryBody(lines)}`,
  },
  en: {
    title: 'Support report',
    period: 'Period',
    timeZone: 'Time zone',
    generated: 'Generated',
    filters: 'Filters',
    noFilters: 'all tickets',
    category: 'Category',
    priority: 'Priority',
    assignee: 'Assignee',
    unassigned: 'unassigned',
    kpis: 'Key figures',
    previousPeriod: 'Previous period',
    change: 'Change',
    created: 'Created',
    resolved: 'Resolved',
    closed: 'Closed',
    reopened: 'Reopened',
    backlog: 'Backlog at the end',
    firstResponseMedian: 'First response, median',
    firstResponseP90: 'First response, p90',
    resolutionMedian: 'Resolution, median',
    resolutionP90: 'Resolution, p90',
    supportTime: 'support hours',
    calendarTime: 'calendar time',
    slaMet: 'SLA met',
    csat: 'Customer satisfaction (CSAT)',
    csatCount: 'Ratings',
    createdVsResolved: 'Created and resolved',
    byCategory: 'By category',
    byPriority: 'By priority',
    heatmap: 'New tickets by weekday and hour',
    staff: 'Staff',
    group: 'Group',
    name: 'Name',
    assigned: 'Assigned',
    messages: 'Messages',
    ratings: 'Ratings',
    noData: 'No data for the period',
    weekdays: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
    priorities: { low: 'Low', normal: 'Normal', high: 'High', critical: 'Critical' },
    statuses: {
      open: 'Open',
      in_progress: 'In progress',
      waiting: 'Waiting',
      resolved: 'Resolved',
      closed: 'Closed',
    },
    duration: durationIn('h', 'min', 's'),
    sheets: {
      kpis: 'KPIs',
      series: 'Time series',
      categories: 'Categories',
      priorities: 'Priorities',
      staff: 'Staff',
      tickets: 'Tickets',
    },
    figure: 'Figure',
    current: 'Period',
    previous: 'Previous period',
    bucketStart: 'Start',
    number: 'Number',
    ticketTitle: 'Title',
    status: 'Status',
    customer: 'Customer',
    createdAt: 'Created',
    firstResponseAt: 'First response',
    closedAt: 'Closed',
    firstResponseTime: 'Time to first response',
    caption: (period) => `📊 Support report for ${period}`,
    preparing: '⏳ Preparing the report…',
    tooLarge: (period) =>
      `The report for ${period} is over 50 MB, which Telegram does not take. Download it in the app, or choose a shorter period.`,
    summary: (period, lines) => `📊 <b>Support report</b>\n${period}\n\n${summaryBody(lines)}`,
  },
};

/** The report's words in `language`. */
export function reportTexts(language: Language): ReportTexts {
  return texts[language];
}
