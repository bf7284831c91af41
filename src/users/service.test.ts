import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from '../db/client.js';
import { Conflict, Forbidden, NotFound } from '../errors.js';
import { createAuditLog } from '../audit/service.js';
import { createDomainEvents } from '../events/domain-events.js';
import { createUnitOfWork } from '../events/unit-of-work.js';
import { createMemoryCache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryPubSub } from '../platform/pubsub.js';
import { withDirectWrites, type UserDirectWrites } from './direct-writes.js';
import { createUserService, type UserService } from './service.js';

describe('the users service', () => {
  let database: Database;
  let users: UserService & UserDirectWrites;
  const cache = createMemoryCache();
  const logger = createLogger('silent');
  let now = new Date('2026-11-24T10:00:00Z');
  beforeAll(async () => {
    database = await openTestDatabase();
    const uow = createUnitOfWork({
      db: database.db,
      events: createDomainEvents({ pubsub: createMemoryPubSub(), logger }),
      logger,
    });
    const clock = { now: () => now };
    users = withDirectWrites(
      createUserService({
        db: database.db,
        uow,
        cache,
        clock,
        audit: createAuditLog({ db: database.db, clock }),
        ownerTelegramIds: [42],
      }),
      { uow, clock },
    );
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

  it('drops an old access entry that a racing request writes back just after a block', async () => {
    const user = await users.upsertFromTelegram({ id: 9_100, first_name: 'Racer' });
    const stale = await users.getAccess(user.id);
    await users.setActive(user.id, false);
    // A request that read the row before the block committed caches what it saw, late.
    await cache.set(`user-access:${user.id}`, stale, 60);
    expect((await users.getAccess(user.id))?.is_active).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await users.getAccess(user.id))?.is_active).toBe(false);
  });

  describe('staff changes', () => {
    const owner = (userId: string) => ({ userId, role: 'owner' as const });
    const history = async (userId: string) =>
      (await users.activity(owner(userId), userId, { limit: 100 })).items;

    beforeAll(async () => {
      // The configured owner from above would otherwise be a spare owner in every case here.
      const configured = await users.findByTelegramId(42);
      if (configured) await users.setRole(configured.id, 'user');
    });

    it('finds a user by username in any case, with or without @', async () => {
      const row = await users.upsertFromTelegram({
        id: 60,
        first_name: 'Kim',
        username: 'Kim_Lee',
      });
      expect((await users.findByUsername('@kim_lee'))?.id).toBe(row.id);
      expect((await users.findByUsername(' KIM_LEE '))?.id).toBe(row.id);
      expect(await users.findByUsername('kim')).toBeUndefined();
      expect(await users.findByUsername('@')).toBeUndefined();
    });

    it('refuses a moderator changing roles, even to one below their own', async () => {
      const target = await users.upsertFromTelegram({ id: 61, first_name: 'Lev' });
      await expect(
        users.changeRole({ userId: missing, role: 'moderator' }, target.id, 'agent'),
      ).rejects.toBeInstanceOf(Forbidden);
    });

    it('refuses demoting or blocking the last owner, writing nothing', async () => {
      const first = await users.upsertFromTelegram({ id: 62, first_name: 'Ada' });
      const second = await users.upsertFromTelegram({ id: 63, first_name: 'Bob' });
      await users.setRole(first.id, 'owner');
      await users.setRole(second.id, 'owner');
      await users.changeRole(owner(first.id), second.id, 'admin');
      // `second` acting with the role they held when their request began.
      await expect(users.changeRole(owner(second.id), first.id, 'admin')).rejects.toBeInstanceOf(
        Conflict,
      );
      await expect(users.changeStatus(owner(second.id), first.id, false)).rejects.toBeInstanceOf(
        Conflict,
      );
      expect(await users.getAccess(first.id)).toMatchObject({ role: 'owner', is_active: true });
      expect((await history(first.id)).map((entry) => entry.action)).toEqual(['user.role_changed']);
      await users.setRole(first.id, 'user');
    });

    it('lets only one of two owners demoting each other at once succeed', async () => {
      const [first, second] = await Promise.all([
        users.upsertFromTelegram({ id: 64, first_name: 'Cy' }),
        users.upsertFromTelegram({ id: 65, first_name: 'Di' }),
      ]);
      await users.setRole(first.id, 'owner');
      await users.setRole(second.id, 'owner');
      const results = await Promise.allSettled([
        users.changeRole(owner(first.id), second.id, 'user'),
        users.changeRole(owner(second.id), first.id, 'user'),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((result) => result.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(Conflict);
    });
  });
});
