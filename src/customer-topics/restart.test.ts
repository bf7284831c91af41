import { afterAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signIn, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { addCategory, callAs, openTicket, signInAs, type Person } from '../../test/people.js';

const chat = 7_950_001;

describe('a ticket’s topic across a worker restart and a 429 storm', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.toReversed()) await cleanup();
  });

  it('makes one topic with one card, and sends each answer into it once', async () => {
    const fake: FakeBotApi = await startFakeBotApi({ privateTopics: true });
    cleanups.push(() => fake.close());
    const env = { TELEGRAM_API_ROOT: fake.url, RATE_LIMIT_MAX: '10000' };
    // The API process writes the ticket, its topic job and the answer's delivery; no worker yet.
    const api = await createTestApp({ startQueue: true, env: { ...env, ROLES: 'api' } });
    cleanups.push(() => api.close());
    const worker = (): Promise<TestApp> =>
      createTestApp({
        startQueue: true,
        database: api.container.database,
        env: { ...env, ROLES: 'worker' },
      });

    const category = await addCategory(api);
    const agent = await signInAs(api, 'agent');
    const pair = await signIn(api, { id: chat, first_name: 'Cora', language_code: 'en' });
    const customer: Person = {
      id: pair.user.id,
      role: 'user',
      token: pair.access_token,
      headers: bearer(pair.access_token),
    };
    const ticket = await openTicket(api, customer, category, { title: 'Storm' });
    await callAs(api, agent, 'POST', `/tickets/${ticket.id}/messages`, { content: 'First answer' });

    // Telegram floods: the topic is refused twice and sends three times, 1 s each.
    fake.failNext('createForumTopic', { status: 429, retryAfter: 1 }, 2);
    fake.failNext('sendMessage', { status: 429, retryAfter: 1 }, 3);
    const first = await worker();
    // The worker restarts in the midst of the storm.
    await fake.waitFor('getMe');
    await expect
      .poll(() => fake.calls.some((c) => c.method === 'createForumTopic'), { timeout: 10_000 })
      .toBe(true);
    await first.close();
    const second = await worker();
    cleanups.push(() => second.close());

    const toCustomer = (words: string) => (c: RecordedCall) =>
      Number(c.params.chat_id) === chat && String(c.params.text).includes(words);
    await fake.waitFor('sendMessage', toCustomer('First answer'), 30_000);
    await callAs(api, agent, 'POST', `/tickets/${ticket.id}/messages`, {
      content: 'Second answer',
    });
    await fake.waitFor('sendMessage', toCustomer('Second answer'), 30_000);

    const topics = fake.sent('createForumTopic').filter((c) => Number(c.params.chat_id) === chat);
    expect(topics).toHaveLength(1);
    const threadId = (topics[0]?.result as { message_thread_id: number }).message_thread_id;
    expect(fake.topics(chat).map((t) => t.name)).toEqual([`#${ticket.number} · Storm`]);
    const sent = (words: string) => fake.sent('sendMessage').filter(toCustomer(words));
    for (const words of [`#${ticket.number}</b> created`, 'First answer', 'Second answer']) {
      expect(sent(words)).toHaveLength(1);
      expect(sent(words)[0]?.params.message_thread_id).toBe(threadId);
    }
  });
});
