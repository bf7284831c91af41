import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBotHarness, type BotHarness } from '../../test/bot.js';
import { botUpdateQueue } from './update-queue.js';

const hookUrl = 'https://example.test/tg/hook';
const secret = 's3cret';

let nextUpdateId = 900_000;
let nextChatId = 7_600_000;

/** A Telegram update: `/help` from a new person in their private chat. */
function helpUpdate(chatId = ++nextChatId) {
  const from = { id: chatId, is_bot: false, first_name: 'Web', language_code: 'en' };
  return {
    update_id: ++nextUpdateId,
    message: {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Web' },
      from,
      text: '/help',
      entities: [{ type: 'bot_command', offset: 0, length: 5 }],
    },
  };
}

describe('the Telegram webhook', () => {
  let harness: BotHarness;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    harness = await startBotHarness({
      env: {
        TELEGRAM_WEBHOOK_URL: hookUrl,
        TELEGRAM_WEBHOOK_SECRET: secret,
        AUTH_RATE_LIMIT_MAX: '5',
        LOG_LEVEL: 'info',
      },
      logStream: {
        write(raw: string) {
          lines.push(JSON.parse(raw) as Record<string, unknown>);
        },
      },
    });
  });
  afterAll(() => harness.close());

  function post(body: unknown, headers: Record<string, string> = {}, remoteAddress?: string) {
    return harness.testApp.app.inject({
      method: 'POST',
      url: '/tg/hook',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
      ...(remoteAddress ? { remoteAddress } : {}),
    });
  }

  const answersTo = (chatId: number) =>
    harness.fake.calls.filter(
      (c) => c.method === 'sendMessage' && Number(c.params.chat_id) === chatId,
    );

  it('is registered with its secret instead of long polling', () => {
    const setWebhook = harness.fake.calls.find((c) => c.method === 'setWebhook');
    expect(setWebhook?.params).toMatchObject({ url: hookUrl, secret_token: secret });
    expect(harness.running.mode).toBe('webhook');
  });

  it('refuses a request without the secret or with a wrong one, and handles nothing', async () => {
    const without = helpUpdate();
    const missing = await post(without);
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 401 });
    const wrong = helpUpdate();
    const refused = await post(wrong, { 'x-telegram-bot-api-secret-token': 'guess' });
    expect(refused.statusCode).toBe(401);

    // A good update after them is answered; the refused ones never are.
    const good = helpUpdate();
    expect((await post(good, { 'x-telegram-bot-api-secret-token': secret })).statusCode).toBe(200);
    await harness.fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === good.message.chat.id,
    );
    expect(answersTo(without.message.chat.id)).toEqual([]);
    expect(answersTo(wrong.message.chat.id)).toEqual([]);
  });

  it('refuses a body that is not an update', async () => {
    for (const body of [{ message: {} }, [1], { update_id: 'x' }, { update_id: 1.5 }]) {
      const response = await post(body, { 'x-telegram-bot-api-secret-token': secret });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json()).toMatchObject({ status: 400 });
    }
  });

  it('answers at once, and handles an update Telegram sends twice only once', async () => {
    const update = helpUpdate();
    const headers = { 'x-telegram-bot-api-secret-token': secret };
    const first = await post(update, headers);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ ok: true });
    expect((await post(update, headers)).statusCode).toBe(200);
    const answer = await harness.fake.waitFor(
      'sendMessage',
      (c) => Number(c.params.chat_id) === update.message.chat.id,
    );
    expect(String(answer.params.text)).toContain('How to reach a person');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(answersTo(update.message.chat.id)).toHaveLength(1);
  });

  it('handles an update under the request id of the webhook request that brought it', async () => {
    const traced = (msg: string) =>
      lines.filter((line) => line.request_id === 'hook-trace-1' && line.msg === msg);
    harness.fake.failNext('sendMessage', { status: 400, description: 'Bad Request: odd' });
    const response = await post(helpUpdate(), {
      'x-telegram-bot-api-secret-token': secret,
      'x-request-id': 'hook-trace-1',
    });
    expect(response.statusCode).toBe(200);

    await vi.waitFor(() => expect(traced('job failed; it will be retried')).toHaveLength(1), {
      timeout: 10_000,
      interval: 50,
    });
    expect(traced('job failed; it will be retried')[0]).toMatchObject({ queue: botUpdateQueue });
    expect(traced('request completed')).toHaveLength(1);
  });

  it('stays out of the API description, which is for clients', async () => {
    const response = await harness.testApp.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json<{ paths: object }>().paths)).not.toContain('/tg/hook');
  });

  it('is outside the API rate limit', async () => {
    const headers = { 'x-telegram-bot-api-secret-token': secret };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post({ update_id: ++nextUpdateId }, headers)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.every((r) => r.headers['x-ratelimit-limit'] === undefined)).toBe(true);
  });

  it('limits wrong-secret attempts per address, and never Telegram’s own deliveries', async () => {
    const guesser = '203.0.113.7';
    const guess = (n: number) =>
      post({ update_id: ++nextUpdateId }, { 'x-telegram-bot-api-secret-token': `g${n}` }, guesser);
    for (let i = 0; i < 5; i++) expect((await guess(i)).statusCode).toBe(401);
    const limited = await guess(5);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // While limited, that address cannot go on guessing: even the right secret is refused.
    const right = { 'x-telegram-bot-api-secret-token': secret };
    expect((await post({ update_id: ++nextUpdateId }, right, guesser)).statusCode).toBe(429);

    const telegram = '149.154.167.220';
    for (let i = 0; i < 12; i++) {
      expect((await post({ update_id: ++nextUpdateId }, right, telegram)).statusCode).toBe(200);
    }
  });
});
