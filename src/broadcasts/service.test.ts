import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import type { Principal } from '../auth/service.js';
import { notifications, users } from '../db/schema.js';
import { deliveryQueue } from '../notifications/service.js';

/** More than two insert batches of the notifications service. */
const audienceSize = 1_200;

describe('broadcasts service', () => {
  let t: TestApp;
  let admin: Principal;

  beforeAll(async () => {
    t = await createTestApp({ startQueue: true });
    const author = await t.container.users.upsertFromTelegram({ id: 7_600_000, first_name: 'Ada' });
    await t.container.users.setRole(author.id, 'admin');
    admin = { userId: author.id, role: 'admin', sessionId: '' };
    const rows = Array.from({ length: audienceSize }, (_, i) => ({
      telegramId: 7_600_001 + i,
      firstName: `Reader ${i}`,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await t.container.database.db.insert(users).values(rows.slice(i, i + 500));
    }
  }, 60_000);
  afterAll(() => t.close());

  // The jobs go in one statement per batch (`queue.sendMany`): one round trip per job kept the
  // transaction open ~17 s for 3,000 recipients on PGlite (~3 s in bulk).
  it('writes one notification and one delivery job per recipient, in bulk', async () => {
    const row = await t.container.broadcasts.start(admin, {
      text: 'Hello, everyone',
      chatId: 7_600_000,
      statusMessageId: 1,
    });
    expect(row.total).toBe(audienceSize);
    const written = await t.container.database.db
      .select({ id: notifications.id })
      .from(notifications)
      .where(eq(notifications.broadcastId, row.id));
    expect(written).toHaveLength(audienceSize);
    const jobs = await t.container.database.db.execute(sql`
      select count(distinct data ->> 'notification_id') as n from pgboss.job
      where name = ${deliveryQueue} and (data ->> 'notification_id')::uuid in
        (select id from notifications where broadcast_id = ${row.id})`);
    expect(Number((jobs as { rows: { n: string | number }[] }).rows[0]?.n)).toBe(audienceSize);
  }, 60_000);
});
