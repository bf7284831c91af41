import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../db/client.js';
import { startOwnPostgres } from '../../test/own-services.js';
import { createJobQueue } from './queue.js';

/*
 * Stopping PostgreSQL needs a server of the test's own (test/own-services.ts), which the pass
 * against real services can start: this file is listed in vitest.config.ts `servicesOnly`.
 */

const logger = pino({ level: 'silent' });
const wait = { timeout: 15_000, interval: 50 };

describe('JobQueue while PostgreSQL is away', () => {
  it('records the outcome of jobs that ended while the database was down once it is back', async () => {
    const server = await startOwnPostgres();
    const own = await openDatabase({ url: server.url });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const schema = `q_${randomUUID().slice(0, 8)}`;
    const queue = createJobQueue({ database: own, logger, schema, pollingIntervalSeconds: 0.5 });
    try {
      await queue.start();
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      const running: string[] = [];
      await queue.work<{ fail: boolean }>(
        'outage',
        async (job) => {
          running.push(job.id);
          await gate;
          if (job.data.fail) throw new Error('the handler failed');
        },
        { batchSize: 2 },
      );
      const done = await queue.send('outage', { fail: false });
      const failed = await queue.send('outage', { fail: true });
      await vi.waitFor(() => expect(running).toHaveLength(2), wait);

      // The jobs end while the server is down: pg-boss's completion cannot be written yet.
      await server.stop('immediate');
      release();
      await sleep(1_500);
      await server.start();

      const state = async (id: string | null) =>
        (await own.executeSql(`select state from ${schema}.job where id = $1`, [id])).rows[0]
          ?.state;
      await vi.waitFor(async () => {
        expect(await state(done)).toBe('completed');
        expect(await state(failed)).toBe('retry');
      }, wait);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await queue.stop({ graceful: false });
      await own.close();
      await server.destroy();
    }
  }, 60_000);

  it('stops in good time while the database is down and a job is still running', async () => {
    const server = await startOwnPostgres();
    const own = await openDatabase({ url: server.url });
    const queue = createJobQueue({ database: own, logger, pollingIntervalSeconds: 0.5 });
    try {
      await queue.start();
      let running = false;
      await queue.work('stuck', async () => {
        running = true;
        await sleep(2_000);
      });
      await queue.send('stuck', {});
      await vi.waitFor(() => expect(running).toBe(true), wait);
      await server.stop('immediate');

      const startedAt = performance.now();
      await queue.stop({ graceful: true, timeoutMs: 1_000 });
      expect(performance.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await own.close();
      await server.destroy();
    }
  }, 60_000);
});
