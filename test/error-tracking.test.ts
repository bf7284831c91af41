import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJobs } from '../src/jobs/registry.js';
import { createLogger } from '../src/platform/logger.js';
import { reportingOff } from '../src/platform/error-reporter.js';
import { createTestApp, type TestApp } from './app.js';
import { startBotHarness, type BotHarness } from './bot.js';
import { startFakeSentry, type FakeSentry } from './fake-sentry.js';
import { testBotToken } from './init-data.js';
import { signInAs, type Person } from './people.js';

/** A Bot API URL as grammY and our own errors quote it: the token is part of the path. */
const botApiUrl = (token: string) => `https://api.telegram.org/bot${token}/sendMessage`;

/** What a database that cannot be reached looks like to the error handler (`db/errors.ts`). */
function unreachableDatabase(): Error {
  return new Error('Failed query: select 1', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    }),
  });
}

describe('error tracking (SENTRY_DSN)', () => {
  let sentry: FakeSentry;
  let t: TestApp;
  let person: Person;
  const jwtSecret = 'a-jwt-secret-that-must-never-leave-the-process';

  beforeAll(async () => {
    sentry = await startFakeSentry();
    t = await createTestApp({
      startQueue: true,
      env: { SENTRY_DSN: sentry.dsn, JWT_SECRET: jwtSecret, SENTRY_RELEASE: '9.9.9' },
      routes(app) {
        app.get('/api/v1/test/bug', { preValidation: app.authorize() }, () => {
          throw new Error(`Bot API call ${botApiUrl(testBotToken)} failed with ${jwtSecret}`);
        });
        app.get('/api/v1/test/outage', () => {
          throw unreachableDatabase();
        });
      },
    });
    person = await signInAs(t, 'user');
  });
  afterAll(async () => {
    await t.close();
    await sentry.close();
  });
  beforeEach(() => {
    sentry.envelopes.length = 0;
  });

  it('reports a 500 once, with the request id, route and user, and without credentials', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/v1/test/bug',
      headers: { ...person.headers, 'x-request-id': 'req-sentry-1', cookie: 'session=abc' },
    });
    expect(response.statusCode).toBe(500);
    await t.container.errors.flush();

    expect(sentry.envelopes).toHaveLength(1);
    const [event] = sentry.events();
    expect(event).toMatchObject({
      environment: 'test',
      release: '9.9.9',
      user: { id: person.id },
      tags: {
        role: 'api',
        request_id: 'req-sentry-1',
        route: '/api/v1/test/bug',
        method: 'GET',
      },
    });
    const raw = sentry.envelopes[0]?.raw ?? '';
    expect(raw).toContain('/bot[redacted]/sendMessage');
    for (const secret of [testBotToken, jwtSecret, person.token, 'Bearer', 'session=abc']) {
      expect(raw).not.toContain(secret);
    }
  });

  it('sends nothing for client mistakes or a database outage', async () => {
    const answers = await Promise.all([
      t.app.inject({ method: 'GET', url: '/api/v1/test/bug' }),
      t.app.inject({ method: 'GET', url: '/api/v1/tickets/not-a-uuid', headers: person.headers }),
      t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
      t.app.inject({ method: 'GET', url: '/api/v1/test/outage' }),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([401, 422, 404, 503]);
    await t.container.errors.flush();
    expect(sentry.envelopes).toEqual([]);
  });

  it('reports a job that failed its last attempt, with its name and id', async () => {
    const { queue, errors } = t.container;
    await queue.work('test-failing-job', () => Promise.reject(new Error('the job broke')));
    const id = await queue.send('test-failing-job', {}, { retryLimit: 0 });
    await expect.poll(() => sentry.events().length, { timeout: 10_000 }).toBe(1);
    await errors.flush();
    expect(sentry.events()[0]).toMatchObject({
      tags: { role: 'worker', job: 'test-failing-job', job_id: id },
      exception: { values: [{ type: 'Error', value: 'the job broke' }] },
    });
  });

  it('reports a periodic job once per streak of failures, not at every tick', async () => {
    const { queue, errors } = t.container;
    let runs = 0;
    const stop = await startJobs(
      queue,
      createLogger('silent'),
      [
        {
          kind: 'periodic',
          name: 'test-sweep',
          everyMs: 20,
          run: () => {
            runs += 1;
            return Promise.reject(new Error(`sweep run ${runs} broke`));
          },
        },
      ],
      errors,
    );
    await expect.poll(() => runs, { timeout: 5_000 }).toBeGreaterThanOrEqual(5);
    await stop();
    await errors.flush();
    expect(sentry.events()).toHaveLength(1);
    expect(sentry.events()[0]).toMatchObject({
      tags: { role: 'worker', job: 'test-sweep' },
      exception: { values: [{ value: 'sweep run 1 broke' }] },
    });
  });
});

describe('error tracking in the bot', () => {
  let sentry: FakeSentry;
  let harness: BotHarness;

  beforeAll(async () => {
    sentry = await startFakeSentry();
    harness = await startBotHarness({ env: { SENTRY_DSN: sentry.dsn } });
  });
  afterAll(async () => {
    await harness.close();
    await sentry.close();
  });

  it('reports a failed handler with its update, without the bot token it quotes', async () => {
    const { fake } = harness;
    const chat = harness.chat({ id: 7_700_001, first_name: 'Sasha', language_code: 'en' });
    fake.failNext('sendMessage', {
      status: 400,
      description: `Bad Request: odd answer from ${botApiUrl(fake.token)}`,
    });
    chat.send('/help');
    await chat.next(); // the polite error reply: the handler failed and bot.catch ran
    await harness.testApp.container.errors.flush();

    const events = sentry.events();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tags: { role: 'bot' }, user: { id: expect.any(String) } });
    expect((events[0]?.tags as { update_id?: unknown }).update_id).toEqual(expect.any(Number));
    const raw = sentry.envelopes[0]?.raw ?? '';
    expect(raw).toContain('/bot[redacted]/sendMessage');
    expect(raw).not.toContain(fake.token);
  });
});

describe('error tracking off (no SENTRY_DSN)', () => {
  it('wires the reporter that sends nothing, so the SDK is never loaded', async () => {
    const t = await createTestApp();
    try {
      expect(t.container.errors).toBe(reportingOff);
    } finally {
      await t.close();
    }
  });
});
