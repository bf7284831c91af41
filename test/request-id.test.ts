import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliveryQueue } from '../src/notifications/service.js';
import { createTestApp, type TestApp } from './app.js';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { addCategory, signInAs, type Person } from './people.js';

/** A log line as written (`raw`) and parsed. */
interface Line {
  raw: string;
  entry: Record<string, unknown>;
}

describe('one request followed through the logs, from the API into the worker', () => {
  let fake: FakeBotApi;
  let t: TestApp;
  let customer: Person;
  let category: string;
  const lines: Line[] = [];
  const withId = (id: string) => lines.filter((line) => line.entry.request_id === id);
  const saying = (id: string, msg: string) => withId(id).filter((line) => line.entry.msg === msg);

  beforeAll(async () => {
    fake = await startFakeBotApi();
    t = await createTestApp({
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, LOG_LEVEL: 'info', RATE_LIMIT_MAX: '10000' },
      logStream: {
        write(raw: string) {
          lines.push({ raw, entry: JSON.parse(raw) as Record<string, unknown> });
        },
      },
    });
    customer = await signInAs(t, 'user', { first_name: 'Cora' });
    // The one agent told of new tickets in Telegram.
    await signInAs(t, 'agent', { first_name: 'Artem', language_code: 'en' });
    category = await addCategory(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  function openTicket(requestId: string) {
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: { ...customer.headers, 'x-request-id': requestId },
      payload: { category_id: category, title: 'Traced', description: 'Follow me.' },
    });
  }

  it('gives the worker’s delivery lines the request_id of the API request that queued them', async () => {
    fake.failNext('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
    const answer = await openTicket('trace-new-ticket');
    expect(answer.statusCode).toBe(201);

    await vi.waitFor(
      () => expect(saying('trace-new-ticket', 'Telegram refused the notification')).toHaveLength(1),
      { timeout: 10_000, interval: 50 },
    );
    const [access, ...moreAccess] = saying('trace-new-ticket', 'request completed');
    expect(moreAccess).toEqual([]);
    expect(access?.entry).toMatchObject({ res: { statusCode: 201 } });
    // Bound once: a JSON line with the key twice would leave its reader guessing.
    expect(access?.raw.split('"request_id"')).toHaveLength(2);
    const [delivery] = saying('trace-new-ticket', 'Telegram refused the notification');
    expect(delivery?.entry).toMatchObject({ level: 40, queue: deliveryQueue, code: 400 });
    expect(typeof delivery?.entry.jobId).toBe('string');
    expect(delivery?.raw.split('"request_id"')).toHaveLength(2);
  });

  it('keeps the id on a delivery the worker queues again after Telegram’s flood limit', async () => {
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 });
    fake.failNext('sendMessage', { status: 400, description: 'Bad Request: chat not found' });
    expect((await openTicket('trace-flood')).statusCode).toBe(201);

    await vi.waitFor(
      () => expect(saying('trace-flood', 'Telegram refused the notification')).toHaveLength(1),
      { timeout: 10_000, interval: 50 },
    );
    const [paused] = saying('trace-flood', 'Telegram flood limit: sending paused');
    const [refused] = saying('trace-flood', 'Telegram refused the notification');
    expect(paused?.entry.queue).toBe(deliveryQueue);
    expect(refused?.entry.jobId).not.toBe(paused?.entry.jobId);
  });
});
