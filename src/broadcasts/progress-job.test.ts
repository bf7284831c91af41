import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.js';
import { startFakeBotApi, type FakeBotApi } from '../../test/fake-bot-api.js';
import { broadcasts, notifications } from '../db/schema.js';
import { createLogger } from '../platform/logger.js';
import type { JobHandler } from '../platform/queue.js';
import { broadcastGiveUpMs, createBroadcastProgressHandler } from './progress-job.js';
import type { BroadcastProgressJob } from './service.js';

describe('broadcast progress job', () => {
  let fake: FakeBotApi;
  let t: TestApp;
  let run: JobHandler<BroadcastProgressJob>;
  let authorId: string;
  let recipientId: string;

  beforeAll(async () => {
    fake = await startFakeBotApi();
    t = await createTestApp({
      startQueue: true,
      env: { TELEGRAM_API_ROOT: fake.url, TELEGRAM_BOT_TOKEN: fake.token },
    });
    const users = t.container.users;
    authorId = (await users.upsertFromTelegram({ id: 7_500_001, first_name: 'Ada' })).id;
    recipientId = (await users.upsertFromTelegram({ id: 7_500_002, first_name: 'Rui' })).id;
    const api = t.container.botApi;
    if (!api) throw new Error('the test app has a bot token');
    run = createBroadcastProgressHandler({
      broadcasts: t.container.broadcasts,
      users,
      queue: t.container.queue,
      api,
      clock: t.container.clock,
      logger: createLogger('silent'),
      // Far off: the re-queued job must not run during the test.
      intervalS: 600,
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** A broadcast with one undelivered notification, started `ageMs` ago. */
  async function pendingBroadcast(ageMs: number, statusMessageId = 77): Promise<string> {
    const db = t.container.database.db;
    const [row] = await db
      .insert(broadcasts)
      .values({
        authorId,
        text: 'Hello',
        total: 1,
        chatId: 7_500_001,
        statusMessageId,
        createdAt: new Date(Date.now() - ageMs),
      })
      .returning();
    if (!row) throw new Error('no broadcast');
    await db.insert(notifications).values({
      userId: recipientId,
      type: 'broadcast',
      title: 'Announcement',
      content: 'Hello',
      broadcastId: row.id,
    });
    return row.id;
  }

  const rowOf = async (id: string) =>
    (await t.container.database.db.select().from(broadcasts).where(eq(broadcasts.id, id)))[0];

  it('shows progress while messages are pending, and goes on when the edit fails', async () => {
    const id = await pendingBroadcast(0, 78);
    await run({ id: 'job', name: 'broadcast.progress', data: { broadcast_id: id }, retryCount: 0 });
    const edit = await fake.waitFor('editMessageText', (c) => c.params.message_id === 78);
    expect(edit.params.text).toBe('📣 <b>Идёт рассылка</b>\n░░░░░░░░░░ 0% — 0/1');
    fake.failNext('editMessageText', {
      status: 400,
      description: 'Bad Request: message to edit not found',
    });
    await run({ id: 'job', name: 'broadcast.progress', data: { broadcast_id: id }, retryCount: 0 });
    expect((await rowOf(id))?.status).toBe('sending');
  });

  it('reports a broadcast still pending after a day as finished, the rest failed', async () => {
    const id = await pendingBroadcast(broadcastGiveUpMs + 60_000);
    await run({ id: 'job', name: 'broadcast.progress', data: { broadcast_id: id }, retryCount: 0 });
    expect(await rowOf(id)).toMatchObject({ status: 'done', sent: 0, failed: 1, blocked: 0 });
    const report = await fake.waitFor('editMessageText', (c) => c.params.message_id === 77);
    expect(report.params.text).toContain('Не доставлено: <b>1</b>');
    const edits = fake.sent('editMessageText').length;
    // Done, or gone: nothing more to say.
    await run({ id: 'job', name: 'broadcast.progress', data: { broadcast_id: id }, retryCount: 0 });
    await run({
      id: 'job',
      name: 'broadcast.progress',
      data: { broadcast_id: '01900000-0000-7000-8000-000000000000' },
      retryCount: 0,
    });
    expect(fake.sent('editMessageText')).toHaveLength(edits);
  });

  it('writes the report once when two progress jobs of one broadcast end together', async () => {
    const id = await pendingBroadcast(0, 79);
    await t.container.database.db
      .update(notifications)
      .set({ deliveredAt: new Date() })
      .where(eq(notifications.broadcastId, id));
    const job = {
      id: 'job',
      name: 'broadcast.progress',
      data: { broadcast_id: id },
      retryCount: 0,
    };
    await Promise.all([run(job), run(job)]);
    expect(await rowOf(id)).toMatchObject({ status: 'done', sent: 1, failed: 0 });
    const reports = fake.calls.filter(
      (c) => c.method === 'editMessageText' && c.params.message_id === 79,
    );
    expect(reports).toHaveLength(1);
  });
});
