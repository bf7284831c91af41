import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { sample, scrape } from '../../test/metrics.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { notifications } from '../db/schema.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryRateLimitStore } from '../platform/rate-limit-store.js';
import type { JobHandler } from '../platform/queue.js';
import { createBotApi } from '../telegram/bot-api.js';
import { deliveryQueue, type DeliveryJob } from './service.js';
import { ClaimedElsewhere, claimLeaseMs, createDeliveryHandler } from './deliver-notification.js';
import { createSendLimiter } from './send-limiter.js';
import { reminderQueue } from './reminders.js';
import { startWorkers } from '../jobs/workers.js';

describe('the delivery handler, called directly', () => {
  let t: TestApp;
  let fake: FakeBotApi;
  let agent: Person;
  let deliver: JobHandler<DeliveryJob>;

  /** A delivery handler on the test app, pacing with `limiter`. */
  const handlerWith = (
    limiter: ReturnType<typeof createSendLimiter>,
    options: { miniAppUrl?: string; leaseMs?: number } = {},
  ) =>
    createDeliveryHandler({
      db: t.container.database.db,
      notifications: t.container.notifications,
      users: t.container.users,
      tickets: t.container.tickets,
      queue: t.container.queue,
      api: createBotApi({ token: fake.token, apiRoot: fake.url }),
      limiter,
      clock: t.container.clock,
      logger: createLogger('silent'),
      miniAppUrl: options.miniAppUrl,
      metrics: t.container.metrics,
      settings: t.container.settings,
      ...(options.leaseMs === undefined ? {} : { leaseMs: options.leaseMs }),
    });

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // No queue: the rows are written without jobs, and the handler is called by hand.
    t = await createTestApp({ env: { TELEGRAM_API_ROOT: fake.url } });
    agent = await signInAs(t, 'agent');
    deliver = handlerWith(
      createSendLimiter({
        store: createMemoryRateLimitStore(),
        cache: createMemoryCache(),
        perSecond: 25,
      }),
      { miniAppUrl: 'https://app.example.com/' },
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** Tells staff (the one agent) something titled `title`; the notification's id. */
  async function notice(title: string, content = 'Details'): Promise<string> {
    await t.container.uow.run((work) =>
      t.container.notifications.notifyStaff(work, { type: 'system', title, content }),
    );
    const [row] = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.title, title));
    if (!row) throw new Error('no notification written');
    return row.id;
  }

  const job = (id: string) => ({
    id: 'job',
    name: 'n',
    data: { notification_id: id },
    retryCount: 0,
  });

  it('sends a notice without a ticket with no button, and only once', async () => {
    const id = await notice('Disk <almost> full');
    await deliver(job(id));
    await deliver(job(id));
    const calls = fake.sent('sendMessage').filter((c) => String(c.params.text).includes('Disk'));
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params.text).toBe('<b>Disk &lt;almost&gt; full</b>\nDetails');
    expect(calls[0]?.params.reply_markup).toBeUndefined();
  });

  it('leaves a row another worker holds for a retry', async () => {
    const id = await notice('Held elsewhere');
    const claim = await t.container.notifications.claim(id, claimLeaseMs);
    expect(claim.state).toBe('claimed');
    await expect(deliver(job(id))).rejects.toBeInstanceOf(ClaimedElsewhere);
    expect(fake.calls.filter((c) => String(c.params.text).includes('Held'))).toHaveLength(0);
  });

  it('does not send a kind muted after it was queued, and gives the row up for good', async () => {
    const id = await notice('Muted later');
    await t.container.users.updateProfile(agent.id, {
      notification_settings: { muted_types: ['system'] },
    });
    await deliver(job(id));
    expect(fake.calls.filter((c) => String(c.params.text).includes('Muted'))).toHaveLength(0);
    const [row] = await t.container.notifications.byIds([id]);
    expect(row?.claimedAt).toBeNull();
    expect(row?.deliveredAt).toBeNull();
    expect(row?.givenUpAt).not.toBeNull();
    // A later start-up sweep does not queue it again, even once the kind is unmuted.
    await t.container.users.updateProfile(agent.id, { notification_settings: { muted_types: [] } });
    expect(await t.container.notifications.queueUndelivered(new Date(0))).toBe(0);
  });

  it('escapes every user-supplied piece and cuts a long text to Telegram’s limit, never inside an entity', async () => {
    const title = 'Report <b>"Q&A"</b> 🙂';
    const content = `${'&<'.repeat(3000)}🙂 tail`;
    const id = await notice(title, content);
    await deliver(job(id));
    const call = await fake.waitFor('sendMessage', (c) =>
      String(c.params.text).includes('Q&amp;A'),
    );
    const text = String(call.params.text);
    expect(
      text.startsWith('<b>Report &lt;b&gt;&quot;Q&amp;A&quot;&lt;/b&gt; 🙂</b>\n&amp;&lt;'),
    ).toBe(true);
    const shown = text.replaceAll(/<\/?b>/g, '').replaceAll(/&(?:lt|gt|amp|quot);/g, '.');
    expect(shown.length).toBeLessThanOrEqual(4096);
    expect(shown.length).toBeGreaterThan(4000);
    expect(text.endsWith('…')).toBe(true);
    expect((await t.container.notifications.byIds([id]))[0]?.deliveredAt).not.toBeNull();
  });

  it('gives a row back on a Telegram 5xx, and sends it on the retry', async () => {
    const id = await notice('Outage');
    fake.failNext('sendMessage', { status: 502 });
    await expect(deliver(job(id))).rejects.toMatchObject({ error_code: 502 });
    const [row] = await t.container.notifications.byIds([id]);
    expect(row).toMatchObject({ claimedAt: null, deliveredAt: null, givenUpAt: null });
    await deliver(job(id));
    const mine = (c: { params: Record<string, unknown> }) =>
      String(c.params.text).includes('Outage');
    expect(fake.calls.filter(mine)).toHaveLength(2);
    expect(fake.sent('sendMessage').filter(mine)).toHaveLength(1);
  });

  it('gives up for good on a chat Telegram refuses (400): no job or start-up sweep sends it again', async () => {
    const id = await notice('Nowhere');
    fake.failNext('sendMessage', { status: 400 });
    await deliver(job(id));
    const [row] = await t.container.notifications.byIds([id]);
    expect(row?.givenUpAt).not.toBeNull();
    expect(row?.claimedAt).toBeNull();
    expect(await t.container.notifications.queueUndelivered(new Date(0))).toBe(0);
    await deliver(job(id));
    expect(fake.calls.filter((c) => String(c.params.text).includes('Nowhere'))).toHaveLength(1);
  });

  it('shows failed deliveries by reason and the delay of those sent on /metrics', async () => {
    const failures = (reason: string) =>
      `ttb_notification_delivery_failures_total{reason="${reason}"}`;
    const lag = 'ttb_notification_delivery_lag_seconds_count';
    const before = await scrape(t);
    fake.failNext('sendMessage', { status: 400 });
    await deliver(job(await notice('Refused, and counted')));
    fake.failNext('sendMessage', { status: 502 });
    const retried = await notice('Failed once, then sent');
    await expect(deliver(job(retried))).rejects.toThrow();
    await deliver(job(retried));
    const after = await scrape(t);
    expect(sample(after, failures('refused'))).toBe((sample(before, failures('refused')) ?? 0) + 1);
    expect(sample(after, failures('error'))).toBe((sample(before, failures('error')) ?? 0) + 1);
    expect(sample(after, lag)).toBe((sample(before, lag) ?? 0) + 1);
  });

  it('sends nothing for a notification whose ticket was deleted, nor for a row that vanished', async () => {
    const customer = await signInAs(t, 'user');
    const admin = await signInAs(t, 'admin');
    const ticket = await openTicket(t, customer, await addCategory(t), { title: 'Soon gone' });
    const rows = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.ticketId, ticket.id));
    expect(rows.length).toBeGreaterThan(0);
    const removed = await callAs(t, admin, 'DELETE', `/tickets/${ticket.id}`);
    expect(removed.statusCode).toBe(204);
    for (const row of rows) await deliver(job(row.id));
    expect(await t.container.notifications.byIds(rows.map((r) => r.id))).toEqual([]);
    expect(fake.calls.filter((c) => String(c.params.text).includes(`#${ticket.number}`))).toEqual(
      [],
    );
  });

  it('sends once when one worker waits out a long pause and another takes the job meanwhile', async () => {
    const id = await notice('Paused twice');
    const store = createMemoryRateLimitStore();
    const handler = (limiter: ReturnType<typeof createSendLimiter>) =>
      handlerWith(limiter, { leaseMs: 300 });
    // The first worker is paused (a 429 elsewhere) for longer than a claim's lease …
    const paused = createSendLimiter({ store, cache: createMemoryCache(), perSecond: 25 });
    await paused.pause(1);
    const first = handler(paused)(job(id));
    // … while the job is retried on a second worker that is not paused.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const free = createSendLimiter({ store, cache: createMemoryCache(), perSecond: 25 });
    await handler(free)(job(id));
    await first;
    const mine = (c: { params: Record<string, unknown> }) =>
      String(c.params.text).includes('Paused twice');
    expect(fake.calls.filter(mine)).toHaveLength(1);
  });

  it('keeps notifications in the app only when there is no bot token', async () => {
    await t.container.queue.start();
    const stop = await startWorkers({
      config: t.container.config,
      db: t.container.database.db,
      queue: t.container.queue,
      events: t.container.events,
      uow: t.container.uow,
      notifications: t.container.notifications,
      users: t.container.users,
      tickets: t.container.tickets,
      settings: t.container.settings,
      cache: t.container.cache,
      rateLimitStore: t.container.rateLimitStore,
      clock: t.container.clock,
      logger: createLogger('silent'),
      api: undefined,
    });
    const id = await notice('No token');
    await t.container.queue.send(deliveryQueue, { notification_id: id });
    t.container.queue.wake(deliveryQueue);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stop();
    // Reminders are scheduled; nobody takes delivery jobs, so nothing goes to Telegram.
    const schedules = await t.container.database.executeSql(
      `select name from pgboss.schedule where name = '${reminderQueue}'`,
    );
    expect(schedules.rows).toHaveLength(1);
    const waiting = await t.container.database.executeSql(
      `select state from pgboss.job where name = '${deliveryQueue}'`,
    );
    expect(waiting.rows.length).toBeGreaterThan(0);
    expect(new Set(waiting.rows.map((row) => row.state))).toEqual(new Set(['created']));
    expect(fake.calls.filter((c) => String(c.params.text).includes('No token'))).toHaveLength(0);
  });
});
