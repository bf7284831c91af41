import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from '../db/client.js';
import { NotFound } from '../errors.js';
import { createAuditLog } from '../audit/service.js';
import { createMemoryCache } from '../platform/cache.js';
import { createUserService, type UserService } from './service.js';

describe('the users service', () => {
  let database: Database;
  let users: UserService;
  let now = new Date('2026-11-24T10:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase();
    users = createUserService({
      db: database.db,
      cache: createMemoryCache(),
      clock: { now: () => now },
      audit: createAuditLog({ db: database.db, clock: { now: () => now } }),
      ownerTelegramIds: [42],
    });
  });
  afterAll(() => database.close());

  const missing = '01a20d14-0000-7000-8000-000000000000';

  it('answers NotFound for a user that does not exist', async () => {
    await expect(users.getById(missing)).rejects.toBeInstanceOf(NotFound);
    await expect(users.updateProfile(missing, { language_code: 'en' })).rejects.toBeInstanceOf(
      NotFound,
    );
    await expect(users.setActive(missing, false)).rejects.toBeInstanceOf(NotFound);
    await expect(users.setRole(missing, 'agent')).rejects.toBeInstanceOf(NotFound);
    expect(await users.getAccess(missing)).toBeUndefined();
    expect(await users.findByTelegramId(999)).toBeUndefined();
  });

  it('follows Telegram’s language until the user picks one, then keeps their choice', async () => {
    const created = await users.upsertFromTelegram({
      id: 7,
      first_name: 'Vera',
      language_code: 'ru',
    });
    expect(created.languageCode).toBe('ru');
    const switched = await users.upsertFromTelegram({
      id: 7,
      first_name: 'Vera',
      language_code: 'uk',
    });
    expect(switched.languageCode).toBe('uk');
    await users.updateProfile(created.id, { language_code: 'en' });
    const again = await users.upsertFromTelegram({
      id: 7,
      first_name: 'Vera',
      language_code: 'ru',
    });
    expect(again.languageCode).toBe('en');
  });

  it('moves updated_at only when the Telegram profile really changed', async () => {
    now = new Date('2026-11-24T11:00:00Z');
    const agent = await users.upsertFromTelegram({ id: 8, first_name: 'Gleb' });
    await users.setRole(agent.id, 'agent');
    const before = (await users.getById(agent.id)).updatedAt;
    now = new Date('2026-11-24T12:00:00Z');
    const same = await users.upsertFromTelegram({ id: 8, first_name: 'Gleb' });
    expect(same.updatedAt).toEqual(before);
    expect(same.role).toBe('agent');
    now = new Date('2026-11-24T13:00:00Z');
    const renamed = await users.upsertFromTelegram({ id: 8, first_name: 'Gleb', username: 'gleb' });
    expect(renamed.updatedAt).toEqual(now);
  });

  it('makes a configured owner an owner even if they signed in before', async () => {
    const first = await users.upsertFromTelegram({ id: 42, first_name: 'Olga' });
    expect(first.role).toBe('owner');
    await users.setRole(first.id, 'user');
    const again = await users.upsertFromTelegram({ id: 42, first_name: 'Olga' });
    expect(again.role).toBe('owner');
    expect((await users.getAccess(first.id))?.role).toBe('owner');
  });
});
