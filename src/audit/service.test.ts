import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../test/manual-clock.js';
import { openTestDatabase } from '../../test/infra.js';
import type { Database } from '../db/client.js';
import { createAuditLog } from './service.js';

describe('audit log: recording', () => {
  let database: Database;
  const clock = manualClock('2031-05-02T08:00:00.000Z');

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('records each change as a row of its own, with the clock’s time and SQL NULL for a missing side', async () => {
    const audit = createAuditLog({ db: database.db, clock });
    const entityId = '01890f0c-0000-7000-8000-000000000001';
    await database.db.transaction(async (tx) => {
      await audit.record(tx, {
        actorId: null,
        action: 'category.created',
        entityType: 'category',
        entityId,
        after: { name: 'Orders', sort_order: 2 },
      });
    });
    clock.advance(60_000);
    await audit.record(database.db, {
      actorId: null,
      action: 'category.updated',
      entityType: 'category',
      entityId,
      before: { name: 'Orders' },
      after: { name: 'Returns' },
    });
    const { rows } = await database.executeSql(
      `select action, before is null as no_before, before, after, created_at, ticket_id
         from audit_log where entity_id = $1 order by created_at`,
      [entityId],
    );
    expect(rows).toEqual([
      {
        action: 'category.created',
        no_before: true,
        before: null,
        after: { name: 'Orders', sort_order: 2 },
        created_at: new Date('2031-05-02T08:00:00.000Z'),
        ticket_id: null,
      },
      {
        action: 'category.updated',
        no_before: false,
        before: { name: 'Orders' },
        after: { name: 'Returns' },
        created_at: new Date('2031-05-02T08:01:00.000Z'),
        ticket_id: null,
      },
    ]);
  });
});
