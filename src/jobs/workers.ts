import type { Api } from 'grammy';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { DomainEvent, DomainEvents } from '../events/domain-events.js';
import type { UnitOfWork } from '../events/unit-of-work.js';
import { deliveryQueue, type NotificationService } from '../notifications/service.js';
import type { Cache } from '../platform/cache.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/queue.js';
import type { RateLimitStore } from '../platform/rate-limit-store.js';
import type { TicketService } from '../tickets/service.js';
import type { UserService } from '../users/service.js';
import { createBroadcastProgressHandler } from '../broadcasts/progress-job.js';
import { broadcastProgressQueue, type BroadcastService } from '../broadcasts/service.js';
import { createDeliveryHandler, reclaimEveryMs } from './deliver-notification.js';
import { createReminderRun, reminderQueue } from './reminders.js';
import { createSendLimiter } from './send-limiter.js';

/** Jobs one delivery worker runs at once; the send limiter paces them. */
const deliveryBatchSize = 25;

/** Undelivered rows younger than this are queued again when a worker starts. */
const sweepWindowMs = 24 * 3_600_000;

/** What the worker role runs on. */
export interface WorkerDeps {
  config: Pick<
    Config,
    | 'REMINDER_CRON'
    | 'REMINDER_AFTER_H'
    | 'NOTIFY_RATE_PER_S'
    | 'NOTIFY_CLAIM_LEASE_S'
    | 'MINI_APP_URL'
    | 'BROADCAST_PROGRESS_S'
  >;
  db: Db;
  queue: JobQueue;
  events: DomainEvents;
  uow: UnitOfWork;
  notifications: NotificationService;
  /** Broadcasts, whose progress job edits the admin's status message (none: no such job). */
  broadcasts?: BroadcastService;
  users: UserService;
  tickets: Pick<TicketService, 'awaitingStaffAnswer' | 'numberOf'>;
  cache: Cache;
  rateLimitStore: RateLimitStore;
  clock: Clock;
  logger: Logger;
  /** The Bot API client; without one (no bot token) notifications stay in-app only. */
  api: Api | undefined;
}

/**
 * Starts the worker role's jobs: notification delivery (woken at once by the notification
 * events of a committed change, from any process), the sweep that takes back rows whose sender
 * died mid-send, and the reminder schedule. Resolves to a stop function that ends the wake-ups and
 * the sweep (the queue's own stop ends the jobs).
 */
export async function startWorkers(deps: WorkerDeps): Promise<() => Promise<void>> {
  const { config, queue, events, notifications, logger } = deps;
  const runReminders = createReminderRun({ ...deps, afterHours: config.REMINDER_AFTER_H });
  await queue.work(reminderQueue, async () => {
    await runReminders();
  });
  await queue.schedule(reminderQueue, config.REMINDER_CRON);
  if (!deps.api) {
    logger.info('no bot token: notifications are kept in the app, not sent to Telegram');
    return () => Promise.resolve();
  }
  const limiter = createSendLimiter({
    store: deps.rateLimitStore,
    cache: deps.cache,
    perSecond: config.NOTIFY_RATE_PER_S,
  });
  const leaseMs = config.NOTIFY_CLAIM_LEASE_S * 1000;
  const handler = createDeliveryHandler({
    ...deps,
    api: deps.api,
    limiter,
    miniAppUrl: config.MINI_APP_URL,
    leaseMs,
  });
  await queue.work(deliveryQueue, handler, { batchSize: deliveryBatchSize });
  if (deps.broadcasts) {
    await queue.work(
      broadcastProgressQueue,
      createBroadcastProgressHandler({
        ...deps,
        broadcasts: deps.broadcasts,
        api: deps.api,
        intervalS: config.BROADCAST_PROGRESS_S,
      }),
    );
  }
  const unsubscribe = await events.subscribe(wakeOnNotifications(queue));
  const stopReclaiming = reclaimLapsedClaims(deps, leaseMs);
  const swept = await notifications.queueUndelivered(
    new Date(deps.clock.now().getTime() - sweepWindowMs),
  );
  if (swept > 0) logger.info({ swept }, 'queued undelivered notifications found at start');
  return async () => {
    stopReclaiming();
    await unsubscribe();
  };
}

/**
 * pg-boss polls every second; a committed notification (or a change to send as an edit) wakes
 * the delivery workers at once instead. The change's own process wakes its workers after commit
 * (`notifications/notice-writer.ts`); the change's events bring the wake to the workers of every
 * other process (here too, where it only asks awake workers for one more fetch), once for the
 * events that arrive together rather than once per event.
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
 * Every `reclaimEveryMs(leaseMs)`, queues again the rows claimed by a worker that died mid-send
 * (their lease ran out), so they go out within lease + lease / 12 of the claim instead of
 * waiting for pg-boss to expire the dead worker's job. A sweep that fails (the database away)
 * is logged and tried again at the next tick; sweeps never overlap. Returns the stop function.
 */
function reclaimLapsedClaims(
  deps: Pick<WorkerDeps, 'notifications' | 'queue' | 'logger'>,
  leaseMs: number,
): () => void {
  const { notifications, queue, logger } = deps;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    notifications
      .reclaimLapsed(leaseMs)
      .then((ids) => {
        if (ids.length === 0) return;
        logger.warn(
          { count: ids.length, ids },
          'claims lapsed (a worker died mid-send): queued again',
        );
        queue.wake(deliveryQueue);
      })
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'the sweep for lapsed delivery claims failed');
      })
      .finally(() => {
        running = false;
      });
  }, reclaimEveryMs(leaseMs));
  timer.unref();
  return () => clearInterval(timer);
}
