import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEmptyPostgresDatabase, testDatabaseKind } from '../../test/infra.js';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { openDatabase } from './client.js';
import * as schema from './schema.js';
import { migrateDatabase } from './migrate.js';

const journal = JSON.parse(
  readFileSync(new URL('./migrations/meta/_journal.json', import.meta.url), 'utf8'),
) as { entries: unknown[] };

describe('migrateDatabase', () => {
  // initdb in WebAssembly and every migration from nothing: about 20 s alone, over 30 s on a
  // loaded two-CPU machine, hence a longer time-out than the suite's.
  it(
    'applies every migration to an embedded database, and again is a no-op',
    { timeout: 120_000 },
    async () => {
      const database = await openDatabase({ memory: true });
      try {
        await migrateDatabase(database);
        await migrateDatabase(database);
        const { rows } = await database.executeSql(
          "select table_name from information_schema.tables where table_schema = 'public'",
        );
        // Every table the schema declares, and nothing else.
        const declared = Object.values(schema)
          .filter((value) => is(value, PgTable))
          .map((table) => getTableName(table));
        expect(new Set(rows.map((row) => row.table_name))).toEqual(new Set(declared));
        expect(rows).toHaveLength(declared.length);
      } finally {
        await database.close();
      }
    },
  );

  // Only PostgreSQL has several connections that could race; PGlite is one connection.
  if (testDatabaseKind === 'postgres') {
    it('lets several instances start at once on PostgreSQL: they take turns under the lock', async () => {
      const target = await createEmptyPostgresDatabase();
      const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url: target.url })));
      try {
        await Promise.all(instances.map((database) => migrateDatabase(database)));
        const { rows } = await instances[0]!.executeSql(
          'select count(*)::int as n from drizzle.__drizzle_migrations',
        );
        // Each migration applied exactly once, however many instances raced.
        expect(rows[0]!.n).toBe(journal.entries.length);
      } finally {
        await Promise.all(instances.map((database) => database.close()));
        await target.drop();
      }
    });
  }
});
