import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  testDatabaseKind,
  testRedisUrl,
  uniquePrefix,
} from '../../test/infra.js';
import { loadConfig } from '../config.js';
import { asTestContainer } from '../../test/app.js';
import { createContainer, type Container } from '../container.js';
import { openDatabase, type Database } from '../db/client.js';
import { auditLog, categories } from '../db/schema.js';
import { createLogger } from '../platform/logger.js';
import { defaultCategory } from './default-category.js';

const startedAt = new Date('2031-04-05T06:07:08.000Z');
const clock = { now: () => startedAt };
const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** A production (or demo) configuration of one instance. */
function config(mode: 'production' | 'demo') {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ttb-default-category-'));
  dataDirs.push(dataDir);
  return loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    ...(mode === 'production' ? { TELEGRAM_BOT_TOKEN: '123456:default-category-test' } : {}),
    ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
  });
}

/** The database again, as another process starting on it sees it: closing it leaves it open. */
function kept(database: Database): Database {
  return { ...database, close: () => Promise.resolve() };
}

/** Starts one instance on `database` as `npm start` does (the container's start-up). */
async function startInstance(
  database: Database,
  mode: 'production' | 'demo' = 'production',
): Promise<Container> {
  const c = config(mode);
  return createContainer(c, createLogger(c.LOG_LEVEL), {
    database: kept(database),
    clock,
    redisPrefix: uniquePrefix(),
  });
}

async function startAndStop(database: Database, mode?: 'production' | 'demo'): Promise<void> {
  const container = await startInstance(database, mode);
  await container.close();
}

async function allCategories(database: Database) {
  return database.db.select().from(categories);
}

describe('the default category of a fresh install', () => {
  it('is created on the first start of a production install, active, and audited as the system', async () => {
    const database = await openTestDatabase();
    try {
      await startAndStop(database);
      const rows = await allCategories(database);
      expect(rows).toMatchObject([
        {
          name: defaultCategory.name,
          icon: defaultCategory.icon,
          description: defaultCategory.description,
          isActive: true,
          createdAt: startedAt,
        },
      ]);
      const entries = await database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.entityType, 'category'));
      expect(entries).toMatchObject([
        {
          actorId: null,
          action: 'category.created',
          entityId: rows[0]!.id,
          after: { name: defaultCategory.name, is_active: true },
        },
      ]);
    } finally {
      await database.close();
    }
  });

  it('is not created again on a restart', async () => {
    const database = await openTestDatabase();
    try {
      await startAndStop(database);
      await startAndStop(database);
      expect(await allCategories(database)).toHaveLength(1);
    } finally {
      await database.close();
    }
  });

  it('is not created again once the only category is deactivated or deleted', async () => {
    const database = await openTestDatabase();
    try {
      const first = await startInstance(database);
      const [created] = (await first.categories.list({ includeInactive: true, limit: 10 })).items;
      const row = await first.users.upsertFromTelegram({ id: 5_500_001, first_name: 'Olga' });
      await asTestContainer(first).users.setRole(row.id, 'admin');
      const admin = { userId: row.id, role: 'admin' as const, sessionId: '' };
      // Deactivated: it still exists, so nothing is added.
      await first.categories.update(admin, created!.id, { is_active: false });
      await first.close();
      await startAndStop(database);
      expect(await allCategories(database)).toMatchObject([{ id: created!.id, isActive: false }]);

      // Deleted (no ticket used it): the admin chose to have none, and a restart respects that.
      const second = await startInstance(database);
      expect(await second.categories.remove(admin, created!.id)).toEqual({ deleted: true });
      await second.close();
      await startAndStop(database);
      expect(await allCategories(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it('is created once when several instances start at once', async () => {
    const database = await openTestDatabase();
    // On PostgreSQL each instance has its own connection pool, as separate processes do; the
    // embedded database belongs to one process, so there the instances share it.
    const url = (database as { url?: string }).url;
    const own: Database[] = [];
    try {
      const instances = await Promise.all(
        Array.from({ length: 4 }, async () => {
          if (testDatabaseKind === 'pglite' || !url) return startInstance(database);
          const pool = await openDatabase({ url });
          own.push(pool);
          return startInstance(pool);
        }),
      );
      await Promise.all(instances.map((instance) => instance.close()));
      expect(await allCategories(database)).toHaveLength(1);
      const created = await database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'category.created'));
      expect(created).toHaveLength(1);
    } finally {
      await Promise.all(own.map((pool) => pool.close()));
      await database.close();
    }
  });

  it('is not added beside the demo categories in demo mode', async () => {
    const database = await openTestDatabase();
    try {
      await startAndStop(database, 'demo');
      const names = (await allCategories(database)).map((row) => row.name);
      expect(names).toHaveLength(5);
      expect(names).not.toContain(defaultCategory.name);
    } finally {
      await database.close();
    }
  });
});
