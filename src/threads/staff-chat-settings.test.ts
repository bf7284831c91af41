import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { callAs, signInEveryRole, type Person } from '../../test/people.js';
import { auditLog, type UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { SettingsDto } from '../settings/schemas.js';

const forum = -100_200_300;
const noRights = -100_200_301;
const notAdmin = -100_200_302;
const plain = -100_200_303;
const unknown = -100_200_304;

const staffChat = (chatId: number | null, extra: object = {}) => ({
  staff_chat: { chat_id: chatId, sign_replies: true, member_role: 'agent' as const, ...extra },
});

describe('the staff chat setting', () => {
  let fake: FakeBotApi;
  let t: TestApp;
  let people: Record<UserRole, Person>;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    fake.addForumGroup(forum);
    fake.addForumGroup(noRights, { canManageTopics: false });
    fake.addForumGroup(notAdmin, { botIsAdmin: false });
    fake.addPlainGroup(plain);
    t = await createTestApp({
      env: {
        TELEGRAM_API_ROOT: fake.url,
        TELEGRAM_STAFF_CHAT_ID: '-100999',
        RATE_LIMIT_MAX: '100000',
      },
    });
    people = await signInEveryRole(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const put = (body: object) => callAs(t, people.admin, 'PUT', '/settings', body);

  it('defaults to TELEGRAM_STAFF_CHAT_ID, signed replies and new members as agents', async () => {
    const response = await callAs(t, people.admin, 'GET', '/settings');
    expect(response.json<SettingsDto>().staff_chat).toEqual({
      chat_id: -100_999,
      sign_replies: true,
      member_role: 'agent',
    });
  });

  it('saves a forum group where the bot may manage topics, checked with Telegram, and audits it', async () => {
    const response = await put(staffChat(forum, { sign_replies: false, member_role: 'none' }));
    expect(response.statusCode).toBe(200);
    expect(response.json<SettingsDto>().staff_chat).toEqual({
      chat_id: forum,
      sign_replies: false,
      member_role: 'none',
    });
    expect(fake.sent('getChat').some((c) => Number(c.params.chat_id) === forum)).toBe(true);
    expect(fake.sent('getChatMember').some((c) => Number(c.params.chat_id) === forum)).toBe(true);
    const entries = await t.container.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'settings.updated'), eq(auditLog.actorId, people.admin.id)));
    expect(entries.some((e) => JSON.stringify(e.after).includes(String(forum)))).toBe(true);
  });

  it('does not ask Telegram again when the chat stays the same', async () => {
    await put(staffChat(forum));
    const asked = fake.sent('getChat').length;
    const response = await put(staffChat(forum, { member_role: 'agent' }));
    expect(response.statusCode).toBe(200);
    expect(fake.sent('getChat')).toHaveLength(asked);
  });

  it('turns the staff group off with null', async () => {
    const response = await put(staffChat(null));
    expect(response.statusCode).toBe(200);
    expect(response.json<SettingsDto>().staff_chat.chat_id).toBeNull();
  });

  it.each([
    [noRights, /Manage topics/],
    [notAdmin, /not an administrator/],
    [plain, /Topics/],
    [unknown, /add the bot to the group/],
  ])('refuses chat %d with what to fix (422), and saves nothing', async (chatId, words) => {
    const before = (await callAs(t, people.admin, 'GET', '/settings')).json<SettingsDto>();
    const response = await put(staffChat(chatId));
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<Problem>();
    expect(problem.errors).toEqual([
      { field: 'staff_chat.chat_id', message: expect.stringMatching(words) },
    ]);
    const after = (await callAs(t, people.admin, 'GET', '/settings')).json<SettingsDto>();
    expect(after.staff_chat).toEqual(before.staff_chat);
  });

  it.each([
    ['a positive chat id (a person, not a group)', staffChat(12345), 'staff_chat.chat_id'],
    ['a fractional chat id', staffChat(-1.5), 'staff_chat.chat_id'],
    [
      'an unknown member role',
      staffChat(forum, { member_role: 'owner' }),
      'staff_chat.member_role',
    ],
    [
      'sign_replies that is not a boolean',
      staffChat(forum, { sign_replies: 'yes' }),
      'staff_chat.sign_replies',
    ],
    ['a missing field', { staff_chat: { chat_id: forum } }, 'staff_chat.sign_replies'],
  ])('refuses %s (422)', async (_name, body, field) => {
    const response = await put(body);
    expect(response.statusCode).toBe(422);
    expect(response.json<Problem>().errors?.map((e) => e.field)).toContain(field);
  });

  it('refuses an agent (403)', async () => {
    const response = await callAs(t, people.agent, 'PUT', '/settings', staffChat(forum));
    expect(response.statusCode).toBe(403);
  });
});

describe('the staff chat setting without a bot', () => {
  it('refuses a staff chat while the bot is off (422)', async () => {
    const t = await createTestApp({ env: { TELEGRAM_BOT_TOKEN: '' } });
    try {
      const admin = await t.container.users.upsertFromTelegram({ id: 42, first_name: 'Adam' });
      await t.container.users.setRole(admin.id, 'admin');
      await expect(
        t.container.settings.update({ userId: admin.id, role: 'admin' }, staffChat(forum)),
      ).rejects.toMatchObject({
        status: 422,
        errors: [{ field: 'staff_chat.chat_id', message: expect.stringMatching(/bot is off/) }],
      });
    } finally {
      await t.close();
    }
  });
});
