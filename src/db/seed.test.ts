import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from './client.js';
import { auditLog, categories, messages, tickets, users } from './schema.js';
import { seedDemoData } from './seed.js';

describe('seedDemoData', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  const countOf = async (
    table: typeof users | typeof tickets | typeof messages | typeof categories | typeof auditLog,
  ) => (await database.db.select({ n: count() }).from(table))[0]!.n;

  it('fills an empty database with one user per role, categories and a dozen tickets', async () => {
    expect(await seedDemoData(database.db)).toBe(true);
    const roles = await database.db.select({ role: users.role }).from(users);
    expect(roles.map((row) => row.role).sort((a, b) => a.localeCompare(b))).toEqual([
      'admin',
      'agent',
      'moderator',
      'owner',
      'user',
    ]);
    expect(await countOf(categories)).toBe(5);
    expect(await countOf(tickets)).toBe(12);
    expect(await countOf(messages)).toBeGreaterThan(5);
    const numbers = await database.db
      .select({ number: tickets.number, createdAt: tickets.createdAt })
      .from(tickets)
      .orderBy(tickets.number);
    expect(new Set(numbers.map((row) => row.number)).size).toBe(12);
    // Numbered in the order they were opened, as if opened one by one.
    const opened = numbers.map((row) => row.createdAt.getTime());
    expect(opened).toEqual([...opened].sort((a, b) => a - b));
    // Every ticket and message has its creation in the history, and a resolved ticket its
    // resolution (a closed one its resolution and its close).
    const statuses = await database.db.select({ status: tickets.status }).from(tickets);
    const resolved = statuses.filter(({ status }) => status === 'resolved').length;
    const closed = statuses.filter(({ status }) => status === 'closed').length;
    const changes = resolved + 2 * closed;
    expect(changes).toBeGreaterThan(0);
    expect(await countOf(auditLog)).toBe(12 + (await countOf(messages)) + changes);
  });

  it('names the demo categories in Russian too, for a Russian-speaking operator', async () => {
    const rows = await database.db.select().from(categories);
    for (const row of rows) {
      expect(row.translations.ru?.name, row.name).toMatch(/^[А-ЯЁ][а-яё ]+$/);
      expect(row.translations.ru?.description, row.name).toMatch(/[а-яё]/);
    }
    const account = rows.find((row) => row.name === 'Account');
    expect(account?.translations).toEqual({
      ru: { name: 'Аккаунт', description: 'Вход, профиль, доступ' },
    });
  });

  it('does nothing the second time', async () => {
    expect(await seedDemoData(database.db)).toBe(false);
    expect(await countOf(tickets)).toBe(12);
  });
});
