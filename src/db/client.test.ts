import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from './client.js';

describe('executeSql', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('runs several parameterless statements and answers the last one’s rows', async () => {
    const { rows } = await database.executeSql(
      'create temp table t (x int); insert into t values (1), (2); select count(*)::int as n from t',
    );
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('binds parameters', async () => {
    const { rows } = await database.executeSql('select $1::int + $2::int as sum', [2, 3]);
    expect(rows).toEqual([{ sum: 5 }]);
  });

  it('leaves no transaction open when statements that began one fail', async () => {
    await expect(database.executeSql('begin; select 1/0; commit')).rejects.toThrow(
      /division by zero/,
    );
    const { rows } = await database.executeSql('select 1 as ok');
    expect(rows).toEqual([{ ok: 1 }]);
    const status = await database.executeSql(
      'select count(*)::int as n from pg_stat_activity where state = $1 and pid = pg_backend_pid()',
      ['idle in transaction (aborted)'],
    );
    expect(status.rows).toEqual([{ n: 0 }]);
  });
});
