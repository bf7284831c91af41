import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { addCategory, callAs, signInAs, signInEveryRole, type Person } from '../../test/people.js';
import { auditLog, type UserRole } from '../db/schema.js';
import type { Problem } from '../http/problem.js';
import type { SettingsDto } from './schemas.js';
import { settingsEntityId } from './service.js';

const missingId = '01a20d14-0000-7000-8000-000000000000';

const validHours = {
  time_zone: 'Europe/Moscow',
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '18:00',
};

describe('settings', () => {
  let t: TestApp;
  let people: Record<UserRole, Person>;
  let category: string;

  beforeAll(async () => {
    t = await createTestApp({
      env: { REMINDER_CRON: '30 8 * * 1-5', REMINDER_AFTER_H: '12', RATE_LIMIT_MAX: '100000' },
    });
    people = await signInEveryRole(t);
    category = await addCategory(t);
  });
  afterAll(() => t.close());

  const put = (body: object, person = people.admin) => callAs(t, person, 'PUT', '/settings', body);

  describe('GET /settings', () => {
    it('answers the environment defaults before anyone saves', async () => {
      const response = await callAs(t, people.admin, 'GET', '/settings');
      expect(response.statusCode).toBe(200);
      expect(response.json<SettingsDto>()).toEqual({
        support_hours: { time_zone: 'UTC', days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
        reminders: { cron: '30 8 * * 1-5', after_hours: 12 },
        auto_close: { after_days: 0 },
        greeting: { ru: '', en: '' },
        routing: { mode: 'all', categories: {} },
        staff_chat: { chat_id: null, sign_replies: true, member_role: 'agent' },
        sla: {
          low: { first_response: 480, resolution: 4320 },
          normal: { first_response: 240, resolution: 1440 },
          high: { first_response: 60, resolution: 480 },
          critical: { first_response: 15, resolution: 240 },
        },
        scheduled_report: { frequency: 'weekly', weekday: 1, time: '09:00' },
        updated_at: null,
        updated_by: null,
      });
    });

    it.each(['user', 'agent', 'moderator'] as const)('refuses a %s (403)', async (role) => {
      for (const method of ['GET', 'PUT'] as const) {
        const response = await callAs(t, people[role], method, '/settings', {
          auto_close: { after_days: 3 },
        });
        expect(response.statusCode, method).toBe(403);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    });

    it.each([
      ['an unknown frequency', { frequency: 'daily', weekday: 1, time: '09:00' }, 'frequency'],
      ['weekday 8', { frequency: 'weekly', weekday: 8, time: '09:00' }, 'weekday'],
      ['a time past 23:59', { frequency: 'weekly', weekday: 1, time: '24:00' }, 'time'],
    ])('refuses a scheduled report with %s (422)', async (_name, scheduled_report, field) => {
      const response = await callAs(t, people.admin, 'PUT', '/settings', { scheduled_report });
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(response.json())).toContain(field);
    });

    it('refuses a caller who is not signed in (401)', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/settings' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('PUT /settings', () => {
    it('replaces the groups given, keeps the others, and answers the whole settings', async () => {
      const response = await put({
        support_hours: validHours,
        greeting: { ru: 'Здравствуйте!', en: 'Hello!' },
      });
      expect(response.statusCode).toBe(200);
      const saved = response.json<SettingsDto>();
      expect(saved.support_hours).toEqual(validHours);
      expect(saved.greeting).toEqual({ ru: 'Здравствуйте!', en: 'Hello!' });
      expect(saved.reminders).toEqual({ cron: '30 8 * * 1-5', after_hours: 12 });
      expect(saved.updated_by).toBe(people.admin.id);
      expect(saved.updated_at).not.toBeNull();
      const read = await callAs(t, people.owner, 'GET', '/settings');
      expect(read.json<SettingsDto>()).toEqual(saved);
    });

    it('lets an owner save too, and records each change with what it was before', async () => {
      const response = await put({ auto_close: { after_days: 7 } }, people.owner);
      expect(response.statusCode).toBe(200);
      expect(response.json<SettingsDto>()).toMatchObject({
        auto_close: { after_days: 7 },
        updated_by: people.owner.id,
      });
      const entries = await t.container.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityType, 'settings'), eq(auditLog.entityId, settingsEntityId)));
      expect(entries.map((entry) => [entry.actorId, entry.before, entry.after])).toContainEqual([
        people.owner.id,
        { auto_close: { after_days: 0 } },
        { auto_close: { after_days: 7 } },
      ]);
    });

    it('records nothing when the values given are the ones in force', async () => {
      const count = async () =>
        (await t.container.database.db.select().from(auditLog)).filter(
          (entry) => entry.entityType === 'settings',
        ).length;
      const before = await count();
      expect((await put({ auto_close: { after_days: 7 } })).statusCode).toBe(200);
      expect(await count()).toBe(before);
    });

    it('saves routing that names existing categories and active staff', async () => {
      const response = await put({
        routing: { mode: 'per_category', categories: { [category]: [people.agent.id] } },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<SettingsDto>().routing).toEqual({
        mode: 'per_category',
        categories: { [category]: [people.agent.id] },
      });
    });

    const longText = 'x'.repeat(1001);
    it.each([
      [
        'an unknown time zone',
        { support_hours: { ...validHours, time_zone: 'Mars/Olympus' } },
        'support_hours.time_zone',
      ],
      [
        'a repeated weekday',
        { support_hours: { ...validHours, days: [1, 1] } },
        'support_hours.days',
      ],
      ['a weekday past 7', { support_hours: { ...validHours, days: [8] } }, 'support_hours.days.0'],
      ['a weekday 0', { support_hours: { ...validHours, days: [0] } }, 'support_hours.days.0'],
      [
        'a time that is not HH:MM',
        { support_hours: { ...validHours, start: '9:00' } },
        'support_hours.start',
      ],
      ['24:00', { support_hours: { ...validHours, end: '24:00' } }, 'support_hours.end'],
      [
        'an end before the start',
        { support_hours: { ...validHours, start: '18:00', end: '09:00' } },
        'support_hours.end',
      ],
      [
        'an end equal to the start',
        { support_hours: { ...validHours, end: '09:00' } },
        'support_hours.end',
      ],
      [
        'a group without a field',
        { support_hours: { time_zone: 'UTC', days: [], start: '09:00' } },
        'support_hours.end',
      ],
      [
        'a cron of 6 fields',
        { reminders: { cron: '0 0 9 * * *', after_hours: 24 } },
        'reminders.cron',
      ],
      ['a cron of 4 fields', { reminders: { cron: '0 9 * *', after_hours: 24 } }, 'reminders.cron'],
      [
        'a cron with a minute of 61',
        { reminders: { cron: '61 9 * * *', after_hours: 24 } },
        'reminders.cron',
      ],
      [
        'a cron of words',
        { reminders: { cron: 'every day at nine', after_hours: 24 } },
        'reminders.cron',
      ],
      [
        'a threshold of 0 hours',
        { reminders: { cron: '0 9 * * *', after_hours: 0 } },
        'reminders.after_hours',
      ],
      [
        'a threshold past a year',
        { reminders: { cron: '0 9 * * *', after_hours: 8761 } },
        'reminders.after_hours',
      ],
      [
        'a fractional threshold',
        { reminders: { cron: '0 9 * * *', after_hours: 1.5 } },
        'reminders.after_hours',
      ],
      ['negative auto-close days', { auto_close: { after_days: -1 } }, 'auto_close.after_days'],
      ['a greeting over 1000 characters', { greeting: { ru: longText, en: '' } }, 'greeting.ru'],
      ['a greeting without English', { greeting: { ru: 'Привет' } }, 'greeting.en'],
      ['an unknown routing mode', { routing: { mode: 'random', categories: {} } }, 'routing.mode'],
      [
        'a routing key that is not an id',
        { routing: { mode: 'all', categories: { printers: [] } } },
        'routing.categories.printers',
      ],
      ['an unknown group', { colours: { accent: 'red' } }, 'colours'],
      [
        'an unknown field in a group',
        { auto_close: { after_days: 1, weekends: true } },
        'auto_close.weekends',
      ],
    ])('refuses %s (422)', async (_name, body, field) => {
      const response = await put(body);
      expect(response.statusCode).toBe(422);
      const problem = response.json<Problem>();
      expect(problem.errors?.map((error) => error.field)).toContain(field);
    });

    it('refuses an empty body (422)', async () => {
      const response = await put({});
      expect(response.statusCode).toBe(422);
    });

    it('refuses routing to a category that does not exist (422)', async () => {
      const response = await put({
        routing: { mode: 'per_category', categories: { [missingId]: [people.agent.id] } },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().errors).toEqual([
        { field: `routing.categories.${missingId}`, message: 'is not a category' },
      ]);
    });

    it('refuses routing to a customer or a blocked agent (422), and saves nothing', async () => {
      const blocked = await signInAs(t, 'agent');
      await t.container.users.setActive(blocked.id, false);
      const response = await put({
        routing: {
          mode: 'per_category',
          categories: { [category]: [people.user.id, blocked.id, people.moderator.id] },
        },
      });
      expect(response.statusCode).toBe(422);
      const problem = response.json<Problem>();
      expect(problem.detail).toMatch(/cannot take tickets/);
      expect(problem.errors).toEqual([
        {
          field: `routing.categories.${category}`,
          message: `${people.user.id} is not an active staff member`,
        },
        {
          field: `routing.categories.${category}`,
          message: `${blocked.id} is not an active staff member`,
        },
      ]);
      const read = await callAs(t, people.admin, 'GET', '/settings');
      expect(read.json<SettingsDto>().routing.categories[category]).toEqual([people.agent.id]);
    });
  });
});
