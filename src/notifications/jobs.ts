import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { DomainEvent, DomainEvents } from '../events/domain-events.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import { queuedJob, type JobDefinition } from '../jobs/registry.js';
import type { Cache } from '../platform/cache.js';
import type { Clock } from '../platform/clock.js';
import type { Metrics } from '../platform/metrics.js';
import type { JobQueue } from '../platform/queue.js';
import type { RateLimitStore } from '../platform/rate-limit-store.js';
import type { SettingsService } from '../settings/service.js';
import type { RatingService } from '../ratings/service.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import { createDeliveryHandler, reclaimEveryMs } from './deliver-notification.js';
import { createCopySyncHandler } from './copy-sync.js';
import { copySyncQueue } from './copy-sync-queue.js';
import { customerTopicJobs } from '../customer-topics/jobs.js';
import type { CustomerTopicService } from '../customer-topics/service.js';
import { createTopicOpener } from '../customer-topics/topic-opener.js';
import { createBotProfile, type BotProfile } from '../telegram/bot-profile.js';
import { createTicketMessages } from '../telegram/ticket-messages.js';
import { createDigestRun, digestCron, digestQueue } from './digest.js';
import { createReminderRun, reminderQueue } from './reminders.js';
import { createSendLimiter } from './send-limiter.js';
import { deliveryQueue, type NotificationService } from './service.js';

/** Jobs one delivery worker runs at once; the send limiter paces them. */
const deliveryBatchSize = 25;

/** Undelivered rows younger than this are queued again when a worker starts. */
const sweepWindowMs = 24 * 3_600_000;

/** What the notifications' jobs run on. */
export interface NotificationJobDeps {
  config: Pick<Config, 'NOTIFY_RATE_PER_S' | 'NOTIFY_CLAIM_LEASE_S' | 'MINI_APP_URL'>;
  /** The saved reminder schedule and threshold (`settings/`). */
  settings: Pick<SettingsService, 'current'>;
  db: Db;
  queue: JobQueue;
  events: DomainEvents;
  uow: UnitOfWork;
  notifications: NotificationService;
  users: UserService;
  tickets: Pick<TicketService, 'awaitingStaffAnswer' | 'numberOf' | 'snapshot'>;
  /** The tickets' topics in customers' chats (none: every notice goes to the main chat). */
  customerTopics?: CustomerTopicService;
  /** The process's reading of the bot's profile (one `getMe`); made here when not given. */
  botProfile?: BotProfile;
  cache: Cache;
  rateLimitStore: RateLimitStore;
  clock: Clock;
  logger: Logger;
  /** The Bot API client; without one (no bot token) notifications stay in the app. */
  api: Api | undefined;
  /** Where delivery lag and failures are recorded (none: not recorded). */
  metrics?: Pick<Metrics, 'deliveryLag' | 'deliveryFailures'>;
  /** Customers' ratings: a resolved ticket's notice asks for one (none: nobody is asked). */
  ratings?: Pick<RatingService, 'asks'>;
}

/**
 * pg-boss polls every second; a committed notification (or a change to send as an edit) wakes
 * the delivery workers at once instead. The change's own process wakes its workers after commit
 * (`notice-writer.ts`); the change's `notification.created` / `.updated` events bring the wake to
 * the workers of every other process (here too, where it only asks awake workers for one more
 * fetch), once for the events that arrive together rather than once per event.
 */
function wakeOnNotifications(queue: JobQueue): (event: DomainEvent) => void {
  let pending = false;
  return (event) => {
    if (event.type !== 'notification.created' && event.type !== 'notification.updated') return;
    if (pending) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      queue.wake(deliveryQueue);
    });
  };
}

/**
 * The notifications' jobs: the reminder and daily digest schedules, and with a Bot API client the delivery to
 * Telegram (woken at once by the notification events of a committed change, from any process),
 * the sweep that takes back rows whose sender died mid-send, and the catch-up at start.
 */
export function notificationJobs(deps: NotificationJobDeps): JobDefinition[] {
  const { config, queue, events, notifications, logger } = deps;
  const runReminders = createReminderRun(deps);
  const reminders = queuedJob(
    reminderQueue,
    async () => {
      await runReminders();
    },
    // As saved when the worker starts; a later save moves it itself (`container.ts`).
    { schedule: async () => (await deps.settings.current()).reminders.cron },
  );
  const runDigests = createDigestRun(deps);
  const digests = queuedJob(
    digestQueue,
    async () => {
      await runDigests();
    },
    { schedule: digestCron },
  );
  if (!deps.api) {
    logger.info('no bot token: notifications are kept in the app, not sent to Telegram');
    return [reminders, digests];
  }
  const leaseMs = config.NOTIFY_CLAIM_LEASE_S * 1000;
  const limiter = createSendLimiter({
    store: deps.rateLimitStore,
    cache: deps.cache,
    perSecond: config.NOTIFY_RATE_PER_S,
  });
  // getMe once per worker process (a restart reads it again): does the bot have topics?
  const opener = deps.customerTopics
    ? createTopicOpener({
        ...deps,
        api: deps.api,
        profile: deps.botProfile ?? createBotProfile(deps.api),
        topics: deps.customerTopics,
        ticketMessages: createTicketMessages(deps.db),
        limiter,
        miniAppUrl: config.MINI_APP_URL,
      })
    : undefined;
  const deliver = createDeliveryHandler({
    ...deps,
    api: deps.api,
    limiter,
    miniAppUrl: config.MINI_APP_URL,
    leaseMs,
    ...(opener ? { opener } : {}),
  });
  const followCopies = createCopySyncHandler({
    ...deps,
    api: deps.api,
    limiter,
    miniAppUrl: config.MINI_APP_URL,
  });
  return [
    reminders,
    digests,
    queuedJob(deliveryQueue, deliver, { batchSize: deliveryBatchSize }),
    queuedJob(copySyncQueue, followCopies, { batchSize: deliveryBatchSize }),
    ...(opener ? customerTopicJobs({ opener, limiter, queue, logger }) : []),
    {
      kind: 'startup',
      name: 'notification.wake-on-commit',
      start: () => events.subscribe(wakeOnNotifications(queue)),
    },
    {
      // Rows claimed by a worker that died mid-send (their lease ran out) go out again within
      // lease + lease / 12 of the claim, instead of waiting for pg-boss to expire its job.
      kind: 'periodic',
      name: 'notification.reclaim-lapsed',
      everyMs: reclaimEveryMs(leaseMs),
      async run() {
        const ids = await notifications.reclaimLapsed(leaseMs);
        if (ids.length === 0) return;
        logger.warn(
          { count: ids.length, ids },
          'claims lapsed (a worker died mid-send): queued again',
        );
        queue.wake(deliveryQueue);
      },
    },
    {
      kind: 'startup',
      name: 'notification.queue-undelivered',
      async start() {
        const since = new Date(deps.clock.now().getTime() - sweepWindowMs);
        const swept = await notifications.queueUndelivered(since);
        if (swept > 0) logger.info({ swept }, 'queued undelivered notifications found at start');
      },
    },
  ];
}
