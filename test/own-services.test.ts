import pg from 'pg';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { testDatabaseUrl, testRedisUrl } from './infra.js';
import { startOwnPostgres, startOwnRedis } from './own-services.js';

/** The outage tests' servers run in the pass against real services, which has their binaries. */
const realServices = testDatabaseUrl !== undefined && testRedisUrl !== undefined;

describe.runIf(realServices)('servers a test may stop and start', () => {
  it('PostgreSQL refuses connections while stopped and keeps its data across a restart', async () => {
    const server = await startOwnPostgres();
    try {
      const query = async (sql: string): Promise<unknown[]> => {
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        try {
          return (await client.query<Record<string, unknown>>(sql)).rows;
        } finally {
          await client.end();
        }
      };
      await query('create table kept (n int); insert into kept values (7)');
      await server.stop('immediate');
      await expect(query('select 1')).rejects.toThrow(/ECONNREFUSED/);
      await server.start();
      expect(await query('select n from kept')).toEqual([{ n: 7 }]);
    } finally {
      await server.destroy();
    }
  });

  it('Redis refuses connections while stopped and answers again after a restart', async () => {
    const server = await startOwnRedis();
    const client = new Redis(server.url, {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    client.on('error', () => {});
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      expect(await client.ping()).toBe('PONG');
      await server.stop();
      await expect(client.ping()).rejects.toThrow();
      await server.start();
      await expect.poll(() => client.ping().catch(() => 'down'), { timeout: 5000 }).toBe('PONG');
    } finally {
      client.disconnect();
      await server.destroy();
    }
  });
});
