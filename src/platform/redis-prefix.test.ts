import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.js';
import { createEmptyPostgresDatabase, testDatabaseUrl } from '../../test/infra.js';
import { defaultRedisPrefix } from './redis-prefix.js';

describe('defaultRedisPrefix', () => {
  it.runIf(testDatabaseUrl)(
    'is the same for every connection to one PostgreSQL database, whatever host name, and differs for another database',
    async () => {
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
    },
  );

  it('follows the embedded data directory, and stays the same across restarts', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'ttb-prefix-'));
    const memory = await openDatabase({ memory: true });
    try {
      const one = { dataDir: path.join(root, 'one') };
      const again = await defaultRedisPrefix(memory, { dataDir: path.join(root, 'x', '..', 'one') });
      expect(await defaultRedisPrefix(memory, one)).toBe(again);
      expect(await defaultRedisPrefix(memory, { dataDir: path.join(root, 'two') })).not.toBe(
        again,
      );
    } finally {
      await memory.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
