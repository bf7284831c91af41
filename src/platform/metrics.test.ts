import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { sample, scrape } from '../../test/metrics.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';
import { manualClock } from '../../test/manual-clock.js';

describe('GET /metrics: business and health metrics', () => {
  const clock = manualClock('2031-05-04T10:00:00.000Z');
  let fake: FakeBotApi;
  let t: TestApp;
  let customer: Person;
  let agent: Person;
  let category: string;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // As `npm start` runs it: every role, the queue and the worker's jobs started.
    t = await createTestApp({ clock, startQueue: true, env: { TELEGRAM_API_ROOT: fake.url } });
    customer = await signInAs(t, 'user');
    agent = await signInAs(t, 'agent');
    category = await addCategory(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('counts a ticket opened by priority and shows it in the open backlog', async () => {
    const before = await scrape(t);
    await openTicket(t, customer, category, { priority: 'high' });
    clock.advance(10_000); // past the backlog's few seconds of caching
    const after = await scrape(t);
    const created = 'ttb_tickets_created_total{priority="high"}';
    expect(sample(after, created)).toBe((sample(before, created) ?? 0) + 1);
    const open = 'ttb_tickets_open{priority="high"}';
    expect(sample(after, open)).toBe((sample(before, open) ?? 0) + 1);
  });

  it('records the first staff answer’s delay once, and counts the ticket resolved', async () => {
    const ticket = await openTicket(t, customer, category, { priority: 'low' });
    clock.advance(120_000);
    const before = await scrape(t);
    const answer = { content: 'We are on it.' };
    expect(
      (await callAs(t, agent, 'POST', `/tickets/${ticket.id}/messages`, answer)).statusCode,
    ).toBe(201);
    expect(
      (await callAs(t, agent, 'POST', `/tickets/${ticket.id}/messages`, answer)).statusCode,
    ).toBe(201);
    const resolved = await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, {
      status: 'resolved',
    });
    expect(resolved.statusCode).toBe(200);
    clock.advance(10_000);
    const after = await scrape(t);

    const answered = 'ttb_ticket_first_response_seconds_count';
    expect(sample(after, answered)).toBe((sample(before, answered) ?? 0) + 1);
    // Two minutes: within the five-minute bucket, not the one-minute one.
    const within = (le: string) => `ttb_ticket_first_response_seconds_bucket{le="${le}"}`;
    expect(sample(after, within('300'))).toBe((sample(before, within('300')) ?? 0) + 1);
    expect(sample(after, within('60'))).toBe(sample(before, within('60')) ?? 0);
    const done = 'ttb_tickets_resolved_total{status="resolved"}';
    expect(sample(after, done)).toBe((sample(before, done) ?? 0) + 1);
    const open = 'ttb_tickets_open{priority="low"}';
    expect(sample(after, open) ?? 0).toBe((sample(before, open) ?? 0) - 1);
  });

  it('does not count closing a ticket that was resolved already as resolving it again', async () => {
    const ticket = await openTicket(t, customer, category);
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'resolved' });
    const before = await scrape(t);
    await callAs(t, agent, 'PUT', `/tickets/${ticket.id}/status`, { status: 'closed' });
    const after = await scrape(t);
    const closed = 'ttb_tickets_resolved_total{status="closed"}';
    expect(sample(after, closed) ?? 0).toBe(sample(before, closed) ?? 0);
  });

  it('shows the users seen today, the worker’s heartbeat at the current time and the queues', async () => {
    const text = await scrape(t);
    expect(sample(text, 'ttb_daily_active_users')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'ttb_worker_heartbeat_timestamp_seconds')).toBeGreaterThanOrEqual(
      Date.parse('2031-05-04T10:00:00.000Z') / 1000,
    );
    expect(text).toMatch(/^ttb_queue_jobs_waiting\{queue="notification\.deliver"\} \d+$/m);
    expect(text).toMatch(
      /^ttb_queue_oldest_job_age_seconds\{queue="notification\.deliver"\} [\d.e+-]+$/m,
    );
  });
});
