import type { Api } from 'grammy';
import type { Logger } from 'pino';
import { createAbuseGuard, type AbuseGuard } from './abuse/service.js';
import { createAuditLog, type AuditLog } from './audit/service.js';
import { createAccessCache } from './auth/access-cache.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { createAuthService, type AuthService } from './auth/service.js';
import { createTokenSigner, type TokenSigner } from './auth/tokens.js';
import type { Config } from './config.js';
import { configuredTarget, openDatabase, type Database } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { seedDemoData } from './db/seed.js';
import { createBroadcastService, type BroadcastService } from './broadcasts/service.js';
import { createCannedReplyService, type CannedReplyService } from './canned-replies/service.js';
import { createCategoryService, type CategoryService } from './categories/service.js';
import { createFileService, type FileService } from './files/service.js';
import { createFileUrls } from './files/file-urls.js';
import { openFileStorage } from './files/storage.js';
import { startWorkers } from './jobs/workers.js';
import { createMessageService, type MessageService } from './messages/service.js';
import { createCustomerTopics, type CustomerTopicService } from './customer-topics/service.js';
import { createBotProfile, type BotProfile } from './telegram/bot-profile.js';
import { createMalwareAlert } from './notifications/malware-alert.js';
import { createNotificationService, type NotificationService } from './notifications/service.js';
import { createTicketCountsCache } from './tickets/counts-cache.js';
import { createSlaService } from './sla/service.js';
import { createTicketService, type TicketService } from './tickets/service.js';
import { createRatingService, type RatingService } from './ratings/service.js';
import { createDomainEvents, type DomainEvents } from './events/domain-events.js';
import { createUnitOfWork, type BeforeCommit, type UnitOfWork } from './events/unit-of-work.js';
import { staffChatProblem } from './threads/check-staff-chat.js';
import { createStaffOutbox } from './threads/outbox.js';
import { createStaffSender } from './threads/sender.js';
import { createStaffStore, type StaffStore } from './threads/store.js';
import type { ReadinessCheck } from './http/health-routes.js';
import { createMemoryBanStore } from './platform/ban-store.js';
import { createMemoryCache, type Cache } from './platform/cache.js';
import { reportingOff, type ErrorReporter } from './platform/error-reporter.js';
import { systemClock, type Clock } from './platform/clock.js';
import {
  createMetrics,
  registerStateGauges,
  type Metrics,
  type QueueDepth,
} from './platform/metrics.js';
import { withEventMetrics } from './events/event-metrics.js';
import { createMemoryPubSub, type PubSub } from './platform/pubsub.js';
import { createJobQueue, type JobQueue } from './platform/queue.js';
import { createMemoryRateLimitStore, type RateLimitStore } from './platform/rate-limit-store.js';
import type { SharedStateAdapters } from './platform/redis-adapters.js';
import { defaultRedisPrefix } from './platform/redis-prefix.js';
import { createBotApi, type BotApiTarget } from './telegram/bot-api.js';
import { createTelegramFiles } from './telegram/file-download.js';
import { createStatsRecorder } from './stats/recorder.js';
import { createStatsService, type StatsService } from './stats/service.js';
import { createReportService, type ReportService } from './reports/service.js';
import { reminderQueue } from './notifications/reminders.js';
import {
  createSettingsService,
  defaultSettings,
  type SettingsService,
} from './settings/service.js';
import { createUserService, type StaffProfile, type UserService } from './users/service.js';
import { createStaffCache } from './users/staff-cache.js';
import { createAvatarService, type AvatarService } from './users/avatars.js';

/** Everything the roles run on, wired once. */
export interface Container {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: Database;
  cache: Cache;
  pubsub: PubSub;
  rateLimitStore: RateLimitStore;
  queue: JobQueue;
  metrics: Metrics;
  /** Where unexpected errors are reported (Sentry with `SENTRY_DSN`, else nowhere). */
  errors: ErrorReporter;
  signer: TokenSigner;
  audit: AuditLog;
  events: DomainEvents;
  /** Runs a change in a transaction and publishes its events after commit. */
  uow: UnitOfWork;
  users: UserService;
  auth: AuthService;
  categories: CategoryService;
  tickets: TicketService;
  /** Customers' ratings of resolved tickets (CSAT, `ratings/`). */
  ratings: RatingService;
  /** Staff's saved answers with placeholders (`canned-replies/`). */
  cannedReplies: CannedReplyService;
  files: FileService;
  messages: MessageService;
  notifications: NotificationService;
  /** Users' avatars from Telegram, stored small (`users/avatars.ts`). */
  avatars: AvatarService;
  /** Admins' messages to every user through the bot (`/broadcast`). */
  broadcasts: BroadcastService;
  /** The admin-editable settings (`settings/`), in force in every process at once. */
  settings: SettingsService;
  /** The analytics of a period (`stats/`), for the API, the exports and the bot's /stats. */
  stats: StatsService;
  /** The PDF and spreadsheet reports of a period (`reports/`). */
  reports: ReportService;
  /** Strikes and bans of client addresses (`abuse/`). */
  abuse: AbuseGuard;
  /** The Bot API client (`TELEGRAM_API_ROOT`); undefined without a bot token. */
  botApi: Api | undefined;
  /** The tickets' topics in customers' chats with the bot (none without a bot token). */
  customerTopics: CustomerTopicService | undefined;
  /** The bot's profile as this process read it (`getMe`, once, at start; none without a token). */
  botProfile: BotProfile | undefined;
  /** The staff group's topics and posts (`threads/`), for the bot's staff group feature. */
  staffStore: StaffStore;
  /** What `/health/ready` asks. */
  readinessChecks: Record<string, ReadinessCheck>;
  /** The checks whose failure only degrades service (Redis: there are fallbacks for it). */
  degradableChecks: readonly string[];
  /**
   * Starts background machinery: the job queue, and with the `worker` role every feature's
   * jobs (`jobs/workers.ts`).
   */
  start(): Promise<void>;
  /** Stops the queue and closes every connection. */
  close(): Promise<void>;
}

/** Cache, pub/sub, rate limits and bans for a single process, when no Redis is configured. */
function createInProcessAdapters(now: () => number): SharedStateAdapters {
  const cache = createMemoryCache();
  const pubsub = createMemoryPubSub();
  const rateLimitStore = createMemoryRateLimitStore();
  const banStore = createMemoryBanStore({ now });
  return {
    cache,
    pubsub,
    rateLimitStore,
    banStore,
    hearsOthers: () => true,
    async close() {
      await Promise.all([pubsub.close(), cache.close(), rateLimitStore.close(), banStore.close()]);
    },
  };
}

/** Choices tests make differently from production. */
export interface ContainerOverrides {
  database?: Database;
  clock?: Clock;
  /** Key and channel prefix in Redis, so test runs never see each other's data. */
  redisPrefix?: string;
  /**
   * False leaves out the default category of a first start, for tests that set up categories
   * of their own; production always creates it.
   */
  defaultCategory?: boolean;
}

/**
 * What exists only with a bot: its profile, read once per process at start (`getMe`: does the
 * bot have topics?), and the topics owed in customers' chats.
 */
function botParts(
  botApi: Api | undefined,
  deps: Omit<Parameters<typeof createCustomerTopics>[0], 'profile'>,
): { botProfile?: BotProfile; customerTopics?: CustomerTopicService } {
  if (!botApi) return {};
  const botProfile = createBotProfile(botApi);
  return { botProfile, customerTopics: createCustomerTopics({ ...deps, profile: botProfile }) };
}

/** Where avatars come from in Telegram: the Bot API and its file downloads (none without a bot). */
function avatarSource(telegram: BotApiTarget | undefined, api: Api | undefined) {
  return telegram && api ? { telegram: { api, files: createTelegramFiles(telegram) } } : {};
}

/**
 * Reads the bot's profile without waiting for it: until it answers, a new ticket owes a topic
 * in its author's chat, and the worker decides.
 */
function readInBackground(profile: BotProfile | undefined, logger: Logger): void {
  profile?.topicsEnabled().catch((error: unknown) => {
    logger.warn({ err: error }, 'getMe failed: whether the bot has topics is read later');
  });
}

/**
 * Wires the application from its configuration: the embedded or real database (migrated, with
 * the demo data in demo mode and the default category on a first start), the in-process or
 * Redis adapters, and the services. Nothing else in the code branches on the mode.
 */
export async function createContainer(
  config: Config,
  logger: Logger,
  overrides: ContainerOverrides = {},
): Promise<Container> {
  const clock = overrides.clock ?? systemClock;
  // The Sentry SDK is loaded only when configured: without SENTRY_DSN nothing is sent.
  const errors = config.SENTRY_DSN
    ? (await import('./platform/sentry-error-reporter.js')).createSentryReporter({
        ...config,
        SENTRY_DSN: config.SENTRY_DSN,
      })
    : reportingOff;
  const database = overrides.database ?? (await openDatabase(configuredTarget(config), logger));
  await migrateDatabase(database);
  if (config.demoMode && (await seedDemoData(database.db, clock.now()))) {
    logger.info('demo data seeded: categories, one user of every role and a dozen tickets');
  }

  const now = () => clock.now().getTime();
  // The Redis client is loaded only when configured: the in-process mode starts without it.
  const shared = config.REDIS_URL
    ? await (
        await import('./platform/redis-adapters.js')
      ).createRedisAdapters(
        config.REDIS_URL,
        overrides.redisPrefix ??
          config.REDIS_PREFIX ??
          (await defaultRedisPrefix(database, configuredTarget(config))),
        logger,
        now,
      )
    : createInProcessAdapters(now);
  const { cache, pubsub, rateLimitStore } = shared;

  const queue = createJobQueue({ database, logger, errors });
  const secret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const signer = createTokenSigner(secret, () => clock.now());
  const audit = createAuditLog({ db: database.db, clock });
  const metrics = createMetrics();
  const events = withEventMetrics(createDomainEvents({ pubsub, logger }), metrics);
  // Filled once the services they need exist: the staff group's outbox (`threads/outbox.ts`).
  const beforeCommit: BeforeCommit[] = [];
  const uow = createUnitOfWork({ db: database.db, events, logger, beforeCommit });
  // Before anything else follows the events: a socket's re-check must not read what they drop.
  const accessCache = createAccessCache({ now, live: () => shared.hearsOthers() });
  const stopFollowingAccess = await accessCache.follow(events, pubsub);
  const staffCache = createStaffCache<StaffProfile[]>({
    now,
    pubsub,
    live: () => shared.hearsOthers(),
  });
  const stopFollowingStaff = await staffCache.follow();
  const users = createUserService({
    db: database.db,
    uow,
    cache,
    localAccess: accessCache.access,
    clock,
    audit,
    ownerTelegramIds: config.OWNER_TELEGRAM_IDS,
    queue,
    staffCache,
  });
  const auth = createAuthService({
    db: database.db,
    cache,
    localSessions: accessCache.sessions,
    clock,
    users,
    signer,
    botToken: config.TELEGRAM_BOT_TOKEN,
    initDataMaxAgeS: config.INIT_DATA_MAX_AGE_S,
    uow,
  });

  const categories = createCategoryService({
    db: database.db,
    clock,
    audit,
    pubsub,
    live: () => shared.hearsOthers(),
  });
  const stopFollowingCategories = await categories.follow();
  // After the demo data, which brings categories of its own.
  if (overrides.defaultCategory !== false) {
    const created = await categories.createDefaultOnFirstStart();
    if (created) {
      logger.info(
        { category: created.name },
        'first start: created the default category, so tickets can be opened at once',
      );
    }
  }
  const telegram: BotApiTarget | undefined = config.TELEGRAM_BOT_TOKEN
    ? { token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT }
    : undefined;
  const botApi = telegram ? createBotApi(telegram) : undefined;
  const settings = createSettingsService({
    db: database.db,
    uow,
    cache,
    clock,
    audit,
    logger,
    defaults: defaultSettings(config),
    pubsub,
    live: () => shared.hearsOthers(),
    categories,
    users,
    ...(botApi ? { staffChatProblem: (chatId: number) => staffChatProblem(botApi, chatId) } : {}),
    // The schedule lives in the job queue's tables, shared by every process: moved at once.
    async onRemindersChanged(reminders) {
      if (!queue.isRunning()) return;
      try {
        await queue.schedule(reminderQueue, reminders.cron);
      } catch (error) {
        logger.error(
          { err: error },
          'settings: the reminder schedule could not be moved; the next worker start moves it',
        );
      }
    },
  });
  const stopFollowingSettings = await settings.follow();
  beforeCommit.push(createStaffOutbox({ settings, clock }));
  const staffStore = createStaffStore({ db: database.db, clock });
  const notifications = createNotificationService({
    db: database.db,
    queue,
    clock,
    users,
    logger,
    followUpWindowMs: config.NOTIFY_FOLLOW_UP_WINDOW_S * 1000,
    settings,
  });
  const storage = await openFileStorage(config);
  const files = createFileService({
    db: database.db,
    clock,
    ...storage,
    urls: createFileUrls(secret, clock),
    userAccess: (userId) => users.getAccess(userId),
    queue,
    logger,
    ...(telegram ? { telegramFiles: createTelegramFiles(telegram) } : {}),
    alertStaff: createMalwareAlert({ uow, notifications }),
  });
  const countsCache = createTicketCountsCache({ now });
  const { botProfile, customerTopics } = botParts(botApi, {
    db: database.db,
    queue,
    clock,
    logger,
  });
  const sla = createSlaService({ settings, notifications });
  const tickets = createTicketService({
    sla,
    stats: createStatsRecorder({ db: database.db, settings }),
    db: database.db,
    uow,
    clock,
    audit,
    categories,
    users,
    notifications,
    files,
    metrics,
    countsCache,
    ...(customerTopics ? { customerTopics } : {}),
  });
  const ratings = createRatingService({
    db: database.db,
    uow,
    clock,
    audit,
    tickets,
    notifications,
  });
  const cannedReplies = createCannedReplyService({ db: database.db, clock, audit, tickets, users });
  const stopFollowingCounts = await countsCache.follow(events, pubsub);
  const messages = createMessageService({
    db: database.db,
    uow,
    clock,
    audit,
    tickets,
    files,
    users,
    notifications,
  });
  const broadcasts = createBroadcastService({
    db: database.db,
    queue,
    clock,
    notifications,
    logger,
    progressIntervalS: config.BROADCAST_PROGRESS_S,
  });
  const avatars = createAvatarService({
    users,
    blobs: storage.blobs,
    ...avatarSource(telegram, botApi),
    photoOrigins: [new URL(config.TELEGRAM_API_ROOT).origin],
    clock,
    logger: logger.child({ module: 'avatars' }),
  });
  /** The staff group's waiting posts, as one more queue of the depth gauges. */
  const staffGroupDepth = async (): Promise<QueueDepth[]> => {
    const { waiting, oldestAt } = await staffStore.depth();
    const oldestAgeSeconds = oldestAt ? (clock.now().getTime() - oldestAt.getTime()) / 1000 : 0;
    return [
      { queue: 'staff-group.posts', waiting, oldestAgeSeconds: Math.max(0, oldestAgeSeconds) },
    ];
  };
  const staffSender = botApi
    ? createStaffSender({
        api: botApi,
        store: staffStore,
        settings,
        tickets,
        users,
        categories,
        files,
        logger: logger.child({ module: 'staff-group' }),
        miniAppUrl: config.MINI_APP_URL,
        perMinute: config.STAFF_GROUP_POSTS_PER_MIN,
        leaseMs: 60_000,
        metrics,
      })
    : undefined;
  registerStateGauges(
    metrics.registry,
    {
      openTicketsByPriority: () => tickets.activeCountsByPriority(),
      queueDepths: async () => [...(await queue.depths()), ...(await staffGroupDepth())],
      dailyActiveUsers: () => users.seenSince(new Date(clock.now().getTime() - 86_400_000)),
    },
    {
      now: () => clock.now().getTime(),
      onError: (error) => logger.warn({ err: error }, 'metrics: a gauge could not be read'),
    },
  );
  const abuse = createAbuseGuard({
    store: shared.banStore,
    clock,
    db: database.db,
    audit,
    logger: logger.child({ module: 'abuse' }),
    metrics,
    settings: {
      strikes: config.ABUSE_BAN_STRIKES,
      windowS: config.ABUSE_BAN_WINDOW_S,
      banS: config.ABUSE_BAN_S,
      allowIps: config.ABUSE_ALLOW_IPS,
    },
  });
  let stopWorkers: (() => Promise<void>) | undefined;
  const stats = createStatsService({ db: database.db, clock, settings });
  const reports = createReportService({
    db: database.db,
    stats,
    queue,
    clock,
    reachable: async (userId) => {
      if (!botApi) return false;
      const user = await users.getById(userId);
      return user.isActive && user.botBlockedAt === null;
    },
  });

  const readinessChecks: Record<string, ReadinessCheck> = {
    database: async () => (await database.executeSql('select 1 as ok')).rows.length === 1,
    queue: () => queue.ping(),
  };
  if (shared.ping) readinessChecks.redis = shared.ping;

  return {
    config,
    logger,
    clock,
    database,
    cache,
    pubsub,
    rateLimitStore,
    queue,
    metrics,
    errors,
    signer,
    audit,
    events,
    uow,
    users,
    auth,
    categories,
    tickets,
    ratings,
    cannedReplies,
    files,
    messages,
    notifications,
    avatars,
    broadcasts,
    settings,
    stats,
    reports,
    abuse,
    botApi,
    customerTopics,
    botProfile,
    staffStore,
    readinessChecks,
    degradableChecks: ['redis'],
    async start() {
      readInBackground(botProfile, logger);
      await queue.start();
      if (config.ROLES.includes('worker') && !stopWorkers) {
        stopWorkers = await startWorkers({
          config,
          db: database.db,
          queue,
          events,
          uow,
          notifications,
          broadcasts,
          reports,
          files,
          avatars,
          users,
          tickets,
          ratings,
          settings,
          cache,
          rateLimitStore,
          clock,
          logger,
          errors,
          api: botApi,
          metrics,
          ...(botProfile ? { customerTopics, botProfile } : {}),
          ...(staffSender
            ? { staffGroup: { sender: staffSender, pollMs: config.STAFF_GROUP_POLL_MS } }
            : {}),
        });
      }
    },
    async close() {
      await stopWorkers?.();
      await queue.stop({ graceful: true, timeoutMs: 10_000 });
      await stopFollowingCounts();
      await stopFollowingSettings();
      await stopFollowingStaff();
      await stopFollowingCategories();
      await stopFollowingAccess();
      await shared.close();
      storage.close();
      await database.close();
    },
  };
}
