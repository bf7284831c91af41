import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from './client.js';
import { categories } from './schema.js';
import { reusableStatement } from './statement.js';

describe('reusableStatement', () => {
  let database: Database;
  let byName: ReturnType<typeof categoryByName>;

  function categoryByName(db: Database['db']) {
    return reusableStatement(db, 'test_category_by_name', (on) =>
      on
        .select({ id: categories.id, name: categories.name })
        .from(categories)
        .where(eq(categories.name, sql.placeholder('name'))),
    );
  }

  beforeAll(async () => {
    database = await openTestDatabase();
    byName = categoryByName(database.db);
  });
  afterAll(() => database.close());

  it('runs on the pool, mapping the rows as Drizzle does', async () => {
    const [saved] = await database.db
      .insert(categories)
      .values({ name: 'Orders' })
      .returning({ id: categories.id });
    await expect(byName(database.db, { name: 'Orders' })).resolves.toEqual([
      { id: saved?.id, name: 'Orders' },
    ]);
    await expect(byName(database.db, { name: 'Nothing' })).resolves.toEqual([]);
  });

  it('runs inside a transaction, on its connection: it sees what the transaction has not committed', async () => {
    let seen: { name: string }[] = [];
    const rolledBack = await database.db
      .transaction(async (tx) => {
        await tx.insert(categories).values({ name: 'Refunds' });
        seen = await byName(tx, { name: 'Refunds' });
        tx.rollback();
      })
      .then(
        () => false,
        () => true,
      );
    expect(rolledBack).toBe(true);
    expect(seen.map((row) => row.name)).toEqual(['Refunds']);
    // Run on the pool instead, the statement would not have seen the uncommitted row (and on
    // PGlite, whose one session the transaction holds, it would have waited for it forever).
    await expect(byName(database.db, { name: 'Refunds' })).resolves.toEqual([]);

    const committed = await database.db.transaction(async (tx) => {
      await tx.insert(categories).values({ name: 'Delivery' });
      return byName(tx, { name: 'Delivery' });
    });
    expect(committed.map((row) => row.name)).toEqual(['Delivery']);
  });

  it('runs again with other values on the pool and in further transactions (prepared once per connection)', async () => {
    for (const name of ['Orders', 'Delivery', 'Orders']) {
      await expect(byName(database.db, { name })).resolves.toHaveLength(1);
      await expect(
        database.db.transaction(async (tx) => byName(tx, { name })),
      ).resolves.toMatchObject([{ name }]);
    }
  });
});
