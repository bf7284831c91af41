import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../../test/fake-bot-api.js';
import { signInAs, type Person } from '../../test/people.js';
import { users } from '../db/schema.js';

let fake: FakeBotApi;
let t: TestApp;
let moderator: Person;

async function chatOf(person: Person): Promise<number> {
  const [row] = await t.container.database.db
    .select({ telegramId: users.telegramId })
    .from(users)
    .where(eq(users.id, person.id));
  if (!row) throw new Error('no such user');
  return row.telegramId;
}

const toChat = (chat: number, words: string) => (call: RecordedCall) =>
  call.params.chat_id === chat && String(call.params.text).includes(words);

const setStatus = (target: Person, body: object) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/users/${target.id}/status`,
    headers: moderator.headers,
    payload: body,
  });

beforeAll(async () => {
  fake = await startFakeBotApi();
  t = await createTestApp({
    startQueue: true,
    env: { TELEGRAM_API_ROOT: fake.url, RATE_LIMIT_MAX: '10000' },
  });
  moderator = await signInAs(t, 'moderator', { first_name: 'Mira', language_code: 'en' });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

describe('PUT /users/:id/status tells the person in Telegram', () => {
  it('tells a blocked person why, in Russian, though blocked people get nothing else', async () => {
    const target = await signInAs(t, 'user', { first_name: 'Боря', language_code: 'ru' });
    const chat = await chatOf(target);
    const response = await setStatus(target, {
      is_active: false,
      reason: 'Spam <links> & abuse',
    });
    expect(response.statusCode).toBe(200);
    const call = await fake.waitFor('sendMessage', toChat(chat, 'заблокирован'));
    expect(call.params.text).toBe(
      '<b>Ваш доступ к поддержке заблокирован</b>\nПричина: Spam &lt;links&gt; &amp; abuse',
    );
    expect(call.params.reply_markup).toBeUndefined();
  });

  it('tells an unblocked person they can write again, in English', async () => {
    const target = await signInAs(t, 'user', { first_name: 'Bob', language_code: 'en' });
    const chat = await chatOf(target);
    await setStatus(target, { is_active: false });
    const blocked = await fake.waitFor('sendMessage', toChat(chat, 'blocked'));
    expect(blocked.params.text).toContain('they did not give a reason');
    expect((await setStatus(target, { is_active: true })).statusCode).toBe(200);
    const unblocked = await fake.waitFor('sendMessage', toChat(chat, 'restored'));
    expect(unblocked.params.text).toBe(
      '<b>Your access to support is restored</b>\nYou can write to support again.',
    );
  });

  it('keeps the reason in the audit entry', async () => {
    const target = await signInAs(t, 'user');
    await setStatus(target, { is_active: false, reason: '  Rude to agents  ' });
    const activity = await t.app.inject({
      method: 'GET',
      url: `/api/v1/users/${target.id}/activity`,
      headers: moderator.headers,
    });
    expect(activity.json().items).toMatchObject([
      {
        action: 'user.blocked',
        before: { is_active: true },
        after: { is_active: false, reason: 'Rude to agents' },
      },
    ]);
  });

  it('tells nobody when the state does not change', async () => {
    const target = await signInAs(t, 'user', { language_code: 'en' });
    const chat = await chatOf(target);
    expect((await setStatus(target, { is_active: true, reason: 'nothing' })).statusCode).toBe(200);
    // A later block is the first message they get: the no-op above sent nothing.
    await setStatus(target, { is_active: false });
    await fake.waitFor('sendMessage', toChat(chat, 'blocked'));
    expect(fake.sent('sendMessage').filter((call) => call.params.chat_id === chat)).toHaveLength(1);
  });

  it.each([
    ['a reason over 500 characters', { is_active: false, reason: 'x'.repeat(501) }, 'reason'],
    ['a reason that is not text', { is_active: false, reason: 42 }, 'reason'],
  ])('answers 422 for %s, blocking nobody', async (_, body, field) => {
    const target = await signInAs(t, 'user');
    const response = await setStatus(target, body);
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([expect.objectContaining({ field })]);
    const [row] = await t.container.database.db
      .select({ isActive: users.isActive })
      .from(users)
      .where(eq(users.id, target.id));
    expect(row?.isActive).toBe(true);
  });
});
