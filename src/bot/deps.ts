import type { Logger } from 'pino';
import type { BroadcastService } from '../broadcasts/service.js';
import type { CannedReplyService } from '../canned-replies/service.js';
import type { CategoryService } from '../categories/service.js';
import type { Config } from '../config.js';
import type { Container } from '../container.js';
import type { CustomerTopicService } from '../customer-topics/service.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { FileService } from '../files/service.js';
import type { MessageService } from '../messages/service.js';
import type { Clock } from '../platform/clock.js';
import type { ErrorReporter } from '../platform/error-reporter.js';
import type { Metrics } from '../platform/metrics.js';
import type { JobQueue } from '../platform/queue.js';
import type { RateLimitStore } from '../platform/rate-limit-store.js';
import { createSetupChecklist, type SetupChecklist } from '../setup/checklist.js';
import type { SettingsService } from '../settings/service.js';
import type { ReportService } from '../reports/service.js';
import type { StatsService } from '../stats/service.js';
import type { TicketService } from '../tickets/service.js';
import type { RatingService } from '../ratings/service.js';
import type { UserService } from '../users/service.js';
import type { StaffStore } from '../threads/store.js';
import { createBotStateStore, type BotStateStore } from './state-store.js';
import { createTicketMessages, type TicketMessages } from '../telegram/ticket-messages.js';

/** What the bot is started from: the container's settings and services, and its database. */
export type BotSources = Pick<
  Container,
  | 'config'
  | 'logger'
  | 'errors'
  | 'clock'
  | 'database'
  | 'rateLimitStore'
  | 'queue'
  | 'events'
  | 'users'
  | 'tickets'
  | 'ratings'
  | 'cannedReplies'
  | 'messages'
  | 'categories'
  | 'files'
  | 'broadcasts'
  | 'stats'
  | 'reports'
  | 'settings'
  | 'metrics'
  | 'customerTopics'
  | 'staffStore'
>;

/**
 * What the bot runs on: settings, the services it calls and its own state store, never the
 * database. Each feature takes the part it uses (`Pick<BotDeps, …>`).
 */
export interface BotDeps {
  config: Pick<
    Config,
    | 'TELEGRAM_BOT_TOKEN'
    | 'TELEGRAM_API_ROOT'
    | 'TELEGRAM_WEBHOOK_URL'
    | 'TELEGRAM_WEBHOOK_SECRET'
    | 'MINI_APP_URL'
  >;
  logger: Logger;
  /** Where handler failures that are neither refusals nor outages are reported. */
  errors: ErrorReporter;
  clock: Clock;
  /** The flood limit's counter, shared by every bot process. */
  rateLimitStore: RateLimitStore;
  /** Where the webhook route queues updates (webhook mode). */
  queue: JobQueue;
  events: DomainEvents;
  users: UserService;
  tickets: TicketService;
  /** Customers' ratings of resolved tickets (`features/rating.ts`). */
  ratings: Pick<RatingService, 'rate' | 'current'>;
  /** Staff's canned replies: the inline mode and filling what it sent. */
  cannedReplies: Pick<CannedReplyService, 'list' | 'fillForTicket'>;
  messages: MessageService;
  categories: CategoryService;
  files: FileService;
  broadcasts: BroadcastService;
  stats: StatsService;
  /** The PDF reports `/report` sends (`reports/`). */
  reports: Pick<ReportService, 'file'>;
  /** The admin-editable settings: the /start greeting. */
  settings: Pick<SettingsService, 'current'>;
  /** The bot's state (`bot_state`): forms, offers, drafts and per-chat locks. */
  state: BotStateStore;
  /** Which ticket each of the bot's messages is about, so replies to it land there. */
  ticketMessages: TicketMessages;
  /** The owner's setup checklist, shown under /start. */
  checklist: SetupChecklist;
  /** The staff group's topics (`threads/store.ts`): which ticket a topic is about. */
  staffStore: Pick<StaffStore, 'ticketOfThread'>;
  /** Where handled and failed updates are counted. */
  metrics: Pick<Metrics, 'botUpdates' | 'botErrors'>;
  /** Which ticket a topic in a customer's chat is (none: no topics). */
  customerTopics: Pick<CustomerTopicService, 'ticketOfThread'> | undefined;
}

/** Builds the bot's dependencies once: its state store on the database, the rest passed on. */
export function botDepsOf(sources: BotSources): BotDeps {
  const { config, database, users, categories } = sources;
  return {
    config,
    logger: sources.logger,
    errors: sources.errors,
    clock: sources.clock,
    rateLimitStore: sources.rateLimitStore,
    queue: sources.queue,
    events: sources.events,
    users,
    tickets: sources.tickets,
    ratings: sources.ratings,
    cannedReplies: sources.cannedReplies,
    messages: sources.messages,
    categories,
    files: sources.files,
    broadcasts: sources.broadcasts,
    stats: sources.stats,
    reports: sources.reports,
    settings: sources.settings,
    state: createBotStateStore(database.db),
    ticketMessages: createTicketMessages(database.db),
    checklist: createSetupChecklist({ categories, users, miniAppUrl: config.MINI_APP_URL }),
    metrics: sources.metrics,
    customerTopics: sources.customerTopics,
    staffStore: sources.staffStore,
  };
}
