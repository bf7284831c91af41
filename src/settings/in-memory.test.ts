import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import { createAuditLog } from '../audit/service.js';
import type { Database } from '../db/client.js';
import { users } from '../db/schema.js';
import { createDomainEvents } from '../events/domain-events.js';
import { createUnitOfWork } from '../events/unit-of-work.js';
import { createMemoryCache, type Cache } from '../platform/cache.js';
import { createLogger } from '../platform/logger.js';
import { createMemoryPubSub, type PubSub } from '../platform/pubsub.js';
import { createSettingsService, defaultSettings, type SettingsService } from './service.js';

// Two processes of one install, each with the settings in its own memory: one database, one
// shared cache (Redis, here in memory), one pub/sub they may or may not hear each other on.
describe('the settings kept in each process’s memory', () => {
  let database: Database;
  let now = new Date('2026-11-24T10:00:00Z');
  const clock = { now: () => now };
  const logger = createLogger('silent');
  const stops: (() => Promise<void>)[] = [];
  const admin = { userId: '', role: 'admin' as const };

  beforeAll(async () => {
    database = await openTestDatabase();
    const [row] = await database.db
      .insert(users)
      .values({ telegramId: 1, firstName: 'Ada', role: 'admin' })
      .returning();
    admin.userId = row?.id ?? '';
  });
  afterAll(async () => {
    for (const stop of stops) await stop();
    await database.close();
  });

  async function processOf(options: { cache: Cache; pubsub: PubSub; live?: () => boolean }) {
    const uow = createUnitOfWork({
      db: database.db,
      events: createDomainEvents({ pubsub: options.pubsub, logger }),
      logger,
    });
    const service = createSettingsService({
      db: database.db,
      uow,
      cache: options.cache,
      clock,
      audit: createAuditLog({ db: database.db, clock }),
      logger,
      defaults: defaultSettings({
        REMINDER_CRON: '0 9 * * *',
        REMINDER_AFTER_H: 4,
        TELEGRAM_STAFF_CHAT_ID: undefined,
      }),
      categories: { missingIds: () => Promise.resolve([]) },
      users: { activeStaffIds: () => Promise.resolve([]) },
      pubsub: options.pubsub,
      ...(options.live ? { live: options.live } : {}),
    });
    stops.push(await service.follow());
    return service;
  }

  const afterDays = async (service: SettingsService) =>
    (await service.current()).auto_close.after_days;

  it('uses a save made in the other process from its next read', async () => {
    const cache = createMemoryCache();
    const pubsub = createMemoryPubSub();
    const one = await processOf({ cache, pubsub });
    const two = await processOf({ cache, pubsub });
    const before = await afterDays(two);

    await one.update(admin, { auto_close: { after_days: before + 3 } });
    await new Promise((resolve) => setImmediate(resolve));

    expect(await afterDays(two)).toBe(before + 3);
    expect(await afterDays(one)).toBe(before + 3);
  });

  it('keeps a copy no longer than 30 s when the save’s announcement never arrives', async () => {
    const cache = createMemoryCache();
    const saver = await processOf({ cache, pubsub: createMemoryPubSub() });
    const deaf = await processOf({ cache, pubsub: createMemoryPubSub() });
    const before = await afterDays(deaf);

    await saver.update(admin, { auto_close: { after_days: before + 1 } });
    expect(await afterDays(deaf)).toBe(before);
    now = new Date(now.getTime() + 30_000);
    expect(await afterDays(deaf)).toBe(before + 1);
  });

  it('keeps nothing while pub/sub does not reach the others, and drops all when it is back', async () => {
    const cache = createMemoryCache();
    let live = false;
    const reconnects: (() => void)[] = [];
    const cutOff: PubSub = {
      ...createMemoryPubSub(),
      onReconnect(listener) {
        reconnects.push(listener);
        return () => {};
      },
    };
    const saver = await processOf({ cache, pubsub: createMemoryPubSub() });
    const deaf = await processOf({ cache, pubsub: cutOff, live: () => live });
    const start = await afterDays(deaf);

    await saver.update(admin, { auto_close: { after_days: start + 1 } });
    expect(await afterDays(deaf)).toBe(start + 1);

    live = true;
    expect(await afterDays(deaf)).toBe(start + 1);
    await saver.update(admin, { auto_close: { after_days: start + 2 } });
    expect(await afterDays(deaf)).toBe(start + 1);
    for (const listener of reconnects) listener();
    expect(await afterDays(deaf)).toBe(start + 2);
  });
});
