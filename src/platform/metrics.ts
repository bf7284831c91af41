import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus registry and the metrics recorded where their facts happen
 * (docs/operations.md#metrics). Counters count in the process that made the change, so the sum
 * over processes is the total.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Tickets opened, by priority (counted after commit). */
  readonly ticketsCreated: Counter<'priority'>;
  /** Tickets leaving the backlog: moved from an active status to `resolved` or `closed`. */
  readonly ticketsResolved: Counter<'status'>;
  /** Seconds from a ticket's opening to its first public staff answer. */
  readonly firstResponse: Histogram;
  /** Seconds from a notification's creation to its first delivery to Telegram. */
  readonly deliveryLag: Histogram;
  /** Telegram deliveries that failed, by reason. */
  readonly deliveryFailures: Counter<'reason'>;
  /** Updates the bot handled. */
  readonly botUpdates: Counter;
  /** Updates whose handling failed. */
  readonly botErrors: Counter;
  /** Unix time of the worker's last beat (it beats while its job queue answers). */
  readonly workerHeartbeat: Gauge;
  /** Client addresses banned by the abuse guard, by the kind of strike that started the ban. */
  readonly abuseBans: Counter<'reason'>;
  /** Telegram calls made to the staff group (`threads/`), by method. */
  readonly staffGroupCalls: Counter<'method'>;
  /** Staff group calls that failed, by reason (as `deliveryFailures`). */
  readonly staffGroupFailures: Counter<'reason'>;
}

/** Why a Telegram delivery failed (`ttb_notification_delivery_failures_total{reason}`). */
export type DeliveryFailure = 'blocked' | 'refused' | 'rate_limited' | 'error';

/** Creates a registry with process metrics, the HTTP histogram and the business metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    ticketsCreated: new Counter({
      name: 'ttb_tickets_created_total',
      help: 'Tickets opened, by priority',
      labelNames: ['priority'] as const,
      registers,
    }),
    ticketsResolved: new Counter({
      name: 'ttb_tickets_resolved_total',
      help: 'Tickets moved from an active status to resolved or closed, by the status reached',
      labelNames: ['status'] as const,
      registers,
    }),
    firstResponse: new Histogram({
      name: 'ttb_ticket_first_response_seconds',
      help: "Seconds from a ticket's opening to its first public staff answer",
      // A minute to two days.
      buckets: [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800],
      registers,
    }),
    deliveryLag: new Histogram({
      name: 'ttb_notification_delivery_lag_seconds',
      help: "Seconds from a notification's creation to its delivery to Telegram",
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers,
    }),
    deliveryFailures: new Counter({
      name: 'ttb_notification_delivery_failures_total',
      help: 'Telegram deliveries that failed: blocked (403), refused (other 4xx), rate_limited (429), error (network, 5xx; retried)',
      labelNames: ['reason'] as const,
      registers,
    }),
    botUpdates: new Counter({
      name: 'ttb_bot_updates_total',
      help: 'Telegram updates the bot handled',
      registers,
    }),
    botErrors: new Counter({
      name: 'ttb_bot_errors_total',
      help: 'Telegram updates whose handling failed',
      registers,
    }),
    workerHeartbeat: new Gauge({
      name: 'ttb_worker_heartbeat_timestamp_seconds',
      help: 'Unix time of the worker role’s last heartbeat (beats while its job queue answers)',
      registers,
    }),
    abuseBans: new Counter({
      name: 'ttb_abuse_bans_total',
      help: 'Client addresses banned after repeated strikes, by the strike that started the ban: sign_in (a failed sign-in) or rate_limited (a 429)',
      labelNames: ['reason'] as const,
      registers,
    }),
    staffGroupCalls: new Counter({
      name: 'ttb_staff_group_calls_total',
      help: 'Telegram calls made to the staff forum group (topics, cards, posts), by method',
      labelNames: ['method'] as const,
      registers,
    }),
    staffGroupFailures: new Counter({
      name: 'ttb_staff_group_failures_total',
      help: 'Staff forum group calls that failed: refused (missing rights, no such group; paused a minute), rate_limited (429), topic_gone (recreated), error (network, 5xx)',
      labelNames: ['reason'] as const,
      registers,
    }),
  };
}

/** A queue's due jobs: how many wait, and how long the oldest has waited. */
export interface QueueDepth {
  queue: string;
  waiting: number;
  oldestAgeSeconds: number;
}

/** What the state gauges read at scrape time. */
export interface StateSources {
  /** Tickets in an active status, by priority. */
  openTicketsByPriority(): Promise<Record<string, number>>;
  /** Due jobs per queue. */
  queueDepths(): Promise<QueueDepth[]>;
  /** Users seen in the last 24 hours. */
  dailyActiveUsers(): Promise<number>;
}

/** Reads `read` at most once per `ttlMs`: scrapes by several Prometheus servers share a read. */
function cachedFor<T>(ttlMs: number, now: () => number, read: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const value = read();
      last = { at: now(), value };
      // A failed read is not kept: the next scrape asks again.
      value.catch(() => {
        last = undefined;
      });
    }
    return last.value;
  };
}

/**
 * Registers the gauges of state that lives in the database (the backlog, the queues, daily
 * active users), read when scraped and cached for `ttlMs`. Each process reports the same
 * figures: aggregate them with `max`, not `sum`. A failed read leaves the gauge empty for that
 * scrape (the series goes absent) instead of failing the whole scrape; `onError` hears why.
 */
export function registerStateGauges(
  registry: Registry,
  sources: StateSources,
  options: { now: () => number; ttlMs?: number; onError: (error: unknown) => void },
): void {
  const ttlMs = options.ttlMs ?? 5000;
  const backlog = cachedFor(ttlMs, options.now, () => sources.openTicketsByPriority());
  const queues = cachedFor(ttlMs, options.now, () => sources.queueDepths());
  const active = cachedFor(ttlMs, options.now, () => sources.dailyActiveUsers());

  /** Sets the gauge from `read`, or leaves it empty when the read fails. */
  async function refresh<T>(gauge: Gauge<string>, read: () => Promise<T>, set: (value: T) => void) {
    gauge.reset();
    try {
      set(await read());
    } catch (error) {
      options.onError(error);
    }
  }

  // Registered below rather than through `registers`, so no instance is made only for its effect.
  const registers: Registry[] = [];
  const gauges = [
    new Gauge({
      name: 'ttb_tickets_open',
      help: 'Tickets in an active status (open, in_progress, waiting), by priority',
      labelNames: ['priority'] as const,
      registers,
      async collect() {
        await refresh(this, backlog, (counts) => {
          for (const [priority, count] of Object.entries(counts)) this.set({ priority }, count);
        });
      },
    }),
    new Gauge({
      name: 'ttb_queue_jobs_waiting',
      help: 'Jobs due and not yet started, by queue',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        await refresh(this, queues, (depths) => {
          for (const { queue, waiting } of depths) this.set({ queue }, waiting);
        });
      },
    }),
    new Gauge({
      name: 'ttb_queue_oldest_job_age_seconds',
      help: 'Seconds the oldest due job has waited, by queue',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        await refresh(this, queues, (depths) => {
          for (const { queue, oldestAgeSeconds } of depths) this.set({ queue }, oldestAgeSeconds);
        });
      },
    }),
    new Gauge({
      name: 'ttb_daily_active_users',
      help: 'Users seen (signed in or wrote to the bot) in the last 24 hours',
      registers,
      async collect() {
        await refresh(this, active, (count) => this.set(count));
      },
    }),
  ];
  for (const gauge of gauges) registry.registerMetric(gauge);
}
