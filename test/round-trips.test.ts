import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from './app.js';
import { startFakeBotApi, type FakeBotApi } from './fake-bot-api.js';
import { testRedisUrl } from './infra.js';
import { manualClock } from './manual-clock.js';
import { attachmentRequests, pdfBytes } from './multipart.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from './people.js';
import { countRoundTrips, type RoundTripCounter, type RoundTrips } from './round-trips.js';

/**
 * What the hot requests of issue 16's load cost in round trips once warm (caches filled,
 * statements prepared, the previous notices delivered): the SQL statements each sends (BEGIN and
 * COMMIT included) and its Redis round trips, as in bench/load.ts (customers, staff who get
 * their notices in Telegram, the job queue running). Pinned, so that a change that adds a round
 * trip to one of them is noticed; docs/operations.md ("Round trips per request") has them before
 * and after.
 */
describe('round trips per request', () => {
  let fake: FakeBotApi;
  let t: TestApp;
  let counter: RoundTripCounter;
  let customer: Person;
  let other: Person;
  let category: string;
  let ticketId: string;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    // The app's clock stands still: what is kept in memory (30 s on that clock) is still there
    // however slowly a busy machine runs the requests, so the counts never depend on it.
    t = await createTestApp({
      startQueue: true,
      clock: manualClock('2031-03-10T09:00:00.000Z'),
      env: { TELEGRAM_API_ROOT: fake.url },
    });
    await signInAs(t, 'owner', { first_name: 'Olga' });
    await signInAs(t, 'agent', { first_name: 'Artem' });
    customer = await signInAs(t, 'user', { first_name: 'Ulla' });
    other = await signInAs(t, 'user', { first_name: 'Oskar' });
    // Each staff change drops what is kept in memory now and again half a second later (real
    // time: `platform/local-cache.ts`); past that, what the requests below fill stays filled.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    category = await addCategory(t, { name: 'Orders' });
    ticketId = (await openTicket(t, customer, category)).id;
    // A message with a file: the page reads its files too.
    const file = await attachmentRequests(() => t).uploadOne(
      customer,
      `/tickets/${ticketId}/attachments`,
      { name: 'receipt.pdf', bytes: pdfBytes() },
    );
    await callAs(t, customer, 'POST', `/tickets/${ticketId}/messages`, {
      content: 'The receipt.',
      attachment_ids: [file.id],
    });
    counter = countRoundTrips();
  });
  afterAll(async () => {
    counter?.restore();
    await t.close();
    await fake.close();
  });

  /** Waits until every notice written so far has reached Telegram as it now reads. */
  async function deliveriesDone(): Promise<void> {
    await vi.waitUntil(
      async () => {
        const { rows } = await t.container.database.executeSql(
          `select count(*)::int as owed from notifications
            where given_up_at is null and (claimed_at is not null or delivered_at is null
              or shown_count < message_count)`,
        );
        return rows[0]?.owed === 0;
      },
      { timeout: 20_000, interval: 50 },
    );
  }

  let measured = 0;

  /** What one request sends, measured on its second call (the first fills the caches). */
  async function measure(
    person: Person,
    method: 'GET' | 'POST',
    url: string,
    payload?: () => object,
  ): Promise<RoundTrips> {
    const send = async (requestId?: string) => {
      const response = await t.app.inject({
        method,
        url: `/api/v1${url}`,
        headers: { ...person.headers, ...(requestId ? { 'x-request-id': requestId } : {}) },
        ...(payload ? { payload: payload() } : {}),
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
    };
    await send();
    await deliveriesDone();
    measured += 1;
    const requestId = `round-trips-${measured}`;
    counter.start(requestId);
    await send(requestId);
    const sent = counter.stop();
    await deliveriesDone();
    return sent;
  }

  const requests: [string, () => Promise<RoundTrips>, { sql: number; redis: number }][] = [
    ['GET /auth/me', () => measure(customer, 'GET', '/auth/me'), { sql: 1, redis: 1 }],
    [
      'GET /tickets?limit=20',
      () => measure(customer, 'GET', '/tickets?limit=20'),
      { sql: 1, redis: 1 },
    ],
    [
      'GET /tickets/{id}',
      () => measure(customer, 'GET', `/tickets/${ticketId}`),
      { sql: 1, redis: 1 },
    ],
    [
      'GET /tickets/{id}/messages?limit=50',
      () => measure(customer, 'GET', `/tickets/${ticketId}/messages?limit=50`),
      { sql: 2, redis: 1 },
    ],
    [
      'POST /tickets/{id}/messages',
      () =>
        measure(customer, 'POST', `/tickets/${ticketId}/messages`, () => ({
          content: 'One more question.',
        })),
      { sql: 7, redis: 2 },
    ],
    [
      'POST /tickets',
      () =>
        measure(other, 'POST', '/tickets', () => ({
          category_id: category,
          title: 'Another order',
          description: 'Still waiting.',
        })),
      { sql: 8, redis: 2 },
    ],
  ];

  it.each(requests)('%s sends no more than it did', async (_name, run, expected) => {
    const redis = testRedisUrl ? expected.redis : 0;
    let sent = await run();
    // What each process keeps in memory is read again in real time (`platform/local-cache.ts`):
    // the staff list half a second after a staff change, the settings and the categories every
    // 30 s, everything while its pub/sub connection is not ready (a CI run: two GETs from Redis
    // in three POST /tickets in a row, within one second). On a busy machine such a read can
    // land inside the measured request. What is pinned is the cost once warm: a request that
    // sent more is measured again, after a pause past the caches' second drop (500 ms), three
    // times at most; a round trip added for good still fails.
    const more = () => sent.statements.length > expected.sql || sent.redisRoundTrips > redis;
    for (let again = 0; again < 3 && more(); again += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      sent = await run();
    }
    // On failure, what was sent, to see which round trip came or went.
    const sentAsText = [...sent.statements, `redis: ${sent.redisCommands.join(' ')}`].join('\n');
    expect({ sql: sent.statements.length, redis: sent.redisRoundTrips }, sentAsText).toEqual({
      sql: expected.sql,
      redis,
    });
  });
});
