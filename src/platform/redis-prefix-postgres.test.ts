import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.js';
import { createEmptyPostgresDatabase } from '../../test/infra.js';
import { defaultRedisPrefix } from './redis-prefix.js';

// Needs PostgreSQL (TEST_DATABASE_URL): listed in vitest.config.ts `servicesOnly`.
describe('defaultRedisPrefix on PostgreSQL', () => {
  it('is the same for every connection to one PostgreSQL database, whatever host name, and differs for another database', async () => {
    const first = await createEmptyPostgresDatabase();
    const second = await createEmptyPostgresDatabase();
    const prefixOf = async (url: string) => {
      const database = await openDatabase({ url });
      try {
        return await defaultRedisPrefix(database, { url });
      } finally {
        await database.close();
      }
    };
    try {
      const byAddress = await prefixOf(first.url);
      const byName = new URL(first.url);
      byName.hostname = byName.hostname === 'localhost' ? '127.0.0.1' : 'localhost';
      expect(byAddress).toMatch(/^ttb:[0-9a-f]{12}:$/);
      expect(await prefixOf(byName.toString())).toBe(byAddress);
      expect(await prefixOf(second.url)).not.toBe(byAddress);
    } finally {
      await first.drop();
      await second.drop();
    }
  });
});
